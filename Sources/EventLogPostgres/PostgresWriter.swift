#if Postgres
  import EventLog
  import PostgresNIO

  /// The appends waiting for the store's writer, and whether a writer task is draining them.
  struct WriterQueue: Sendable {
    struct Request: Sendable {
      var appends: [StreamAppend]
      var continuation: CheckedContinuation<[AppendResult], any Error>
    }
    var requests: [Request] = []
    var draining = false
  }

  /// The most appends committed in one transaction.
  private let maximumGroup = 256

  extension PostgresEventStore {
    /// Appends to several streams in one atomic step; see ``EventStore/append(_:)``.
    ///
    /// Every append waiting when the writer is free is committed in one transaction (a group
    /// commit) of a fixed number of round trips: the lock on the head is taken once for all of
    /// them, each append is checked on its own (one refused does not undo the others), and
    /// every accepted event is written in one statement.
    /// A condition (an append with no events) is checked in the same transaction, after the
    /// appends of the group before it, and writes nothing.
    ///
    /// - Throws: ``EventStoreError`` as any store does, and
    ///   ``EventStoreError/Code/serverUnavailable`` when the server cannot be reached; the
    ///   append may then have committed or not, and is safe to retry with the same event IDs.
    public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
      try appends.validate()
      return try await withCheckedThrowingContinuation { continuation in
        let start = writer.withLock { queue in
          queue.requests.append(.init(appends: appends, continuation: continuation))
          if queue.draining { return false }
          queue.draining = true
          return true
        }
        if start { Task { await self.drain() } }
      }
    }

    /// Loads the projection's saved model, catches it up, and from then on updates it inside
    /// every append's transaction, saving it with its checkpoint there; see
    /// ``InlineProjectionHost/register(_:)``. Events appended by other processes are folded in
    /// by the next append of this store.
    public func register<P: Projection>(_ inline: InlineProjection<P>) async throws {
      try await inline.prepare(self)
      inlines.withLock { $0.append(inline) }
    }

    /// Commits queued appends, group by group, until none is left.
    private func drain() async {
      while true {
        let group = writer.withLock { queue -> [WriterQueue.Request] in
          let group = Array(queue.requests.prefix(maximumGroup))
          queue.requests.removeFirst(group.count)
          if group.isEmpty { queue.draining = false }
          return group
        }
        if group.isEmpty { return }
        await commit(group)
      }
    }

    private func commit(_ group: [WriterQueue.Request]) async {
      let now = clock.now()
      let inlines = self.inlines.withLock { $0 }
      let appends = group.map(\.appends)
      do {
        let outcome = try await withConnection("appending") { connection in
          try await self.commit(appends, now: now, inlines: inlines, on: connection)
        }
        for (inline, staged) in outcome.staged { inline.publish(staged) }
        names.withLock { $0.merge(outcome.names) }
        signal.publish(head: outcome.head)
        for (request, result) in zip(group, outcome.results) {
          request.continuation.resume(with: result)
        }
      } catch is ServerRefusal where group.count > 1 {
        // The server refused the group's writes, which the append logic had accepted: commit
        // each append on its own, so that only the one it refuses fails.
        for request in group { await commit([request]) }
      } catch let refusal as ServerRefusal {
        group[0].continuation.resume(throwing: storeError(refusal.underlying, "appending"))
      } catch {
        for request in group { request.continuation.resume(throwing: error) }
      }
    }

    struct GroupOutcome: Sendable {
      var results: [Result<[AppendResult], any Error>]
      var head: LogPosition
      var names: Names
      var staged: [(any InlineUpdater, StagedInline)]
    }

    /// The server refused a statement of the group's writes (not a lost connection): the
    /// transaction is rolled back, and the group's appends are committed one by one.
    struct ServerRefusal: Error {
      var underlying: any Error
    }

    /// The group's transaction, in a fixed number of round trips whatever its size: the head
    /// row locked first (every writer of the log, in any process, waits here), the names, the
    /// streams' versions and the event IDs of every append read in one query each, every
    /// append checked in memory on its own (one refused by the append logic writes nothing
    /// and does not undo the others), then every accepted record written in one statement,
    /// the head moved, the listeners notified, and one commit.
    private func commit(
      _ group: [[StreamAppend]], now: Timestamp, inlines: [any InlineUpdater],
      on connection: PostgresConnection
    ) async throws -> GroupOutcome {
      do {
        try await connection.query("BEGIN", logger: logger)
        var head: Int64 = 0
        var lastTime: Int64?
        for try await (position, time) in try await connection.query(
          "SELECT position, recorded_time FROM \(unescaped: tables.head) WHERE id = 1 FOR UPDATE",
          logger: logger
        ).decode((Int64, Int64?).self) {
          head = position
          lastTime = time
        }
        let startHead = LogPosition(UInt64(column: head))
        var transaction = SQLAppendTransaction(
          head: startHead, lastTime: lastTime.map { Timestamp(nanosecondsSince1970: $0) },
          names: try await refreshNames(connection))
        try await lookUp(group, into: &transaction, on: connection)

        var staged: [String: StagedInline] = [:]
        var earlier: [StoredRow] = []
        var results: [Result<[AppendResult], any Error>] = []
        for appends in group {
          let before = (transaction, staged)
          do {
            let outcome = try transaction.perform(appends, now: now)
            transaction.advance(to: outcome.head)
            // Inline projections fold the records after their checkpoints, reading from the
            // database those that came before the group (by another process, or before the
            // projection was registered).
            for inline in inlines {
              var attempt = 0
              while true {
                do {
                  staged[inline.stateKey] = try stageInline(
                    inline, after: staged[inline.stateKey], earlier: earlier,
                    transaction: transaction, headBefore: startHead)
                  break
                } catch let missing as MissingRecords where attempt == 0 {
                  attempt += 1
                  earlier = try await records(
                    from: missing.from, through: startHead, on: connection)
                }
              }
            }
            results.append(.success(outcome.results))
          } catch let error as EventStoreError {
            (transaction, staged) = before
            results.append(.failure(error))
          }
        }

        if transaction.head() != startHead {
          do {
            try await flush(transaction, on: connection)
            for inline in inlines {
              guard let model = staged[inline.stateKey] else { continue }
              try await connection.query(
                """
                INSERT INTO \(unescaped: tables.states) (key, position, bytes)
                VALUES (\(inline.stateKey), \(Int64(column: model.checkpoint.rawValue)), \(ByteBuffer(bytes: model.bytes)))
                ON CONFLICT (key) DO UPDATE SET position = EXCLUDED.position, bytes = EXCLUDED.bytes
                """, logger: logger)
            }
          } catch let error as PSQLError where error.code == .server {
            // A refusal, unless the server is going away (then every append fails alike).
            if let mapped = storeError(error, "") as? EventStoreError,
              mapped.code == .serverUnavailable
            {
              throw error
            }
            throw ServerRefusal(underlying: error)
          }
          let position = Int64(column: transaction.head().rawValue)
          try await connection.query(
            """
            UPDATE \(unescaped: tables.head) SET position = \(position),
            recorded_time = \(transaction.lastTime?.nanosecondsSince1970) WHERE id = 1
            """, logger: logger)
          try await connection.query(
            "SELECT pg_notify(\(channel), \(String(transaction.head().rawValue)))", logger: logger)
        }
        try await connection.query("COMMIT", logger: logger)
        let published = inlines.compactMap { inline in
          staged[inline.stateKey].map { (inline, $0) }
        }
        return GroupOutcome(
          results: results, head: transaction.head(), names: transaction.names,
          staged: published)
      } catch {
        // Not even a cancellation (the store's timeout) may skip the rollback: a connection
        // back in the pool inside this transaction would keep the head row locked, and every
        // writer of the log would wait on it. A detached task is not cancelled with this one.
        await Task.detached { _ = try? await connection.query("ROLLBACK", logger: logger) }.value
        throw error
      }
    }

    /// Reads what the append logic looks up, for every append of the group at once: the
    /// current version of each stream, and where each event ID is recorded already.
    ///
    /// The streams of conditions (appends with no events) are read too, under the head's lock
    /// like the others: a writer to such a stream, in this process or another, commits wholly
    /// before or wholly after the condition is checked.
    private func lookUp(
      _ group: [[StreamAppend]], into transaction: inout SQLAppendTransaction,
      on connection: PostgresConnection
    ) async throws {
      let streams = Array(Set(group.flatMap { $0.map(\.stream.rawValue) }))
      for try await (stream, version) in try await connection.query(
        """
        SELECT stream, max(version) FROM \(unescaped: tables.events)
        WHERE stream = ANY(\(streams)) GROUP BY stream
        """, logger: logger
      ).decode((String, Int64).self) {
        transaction.versions[stream] = StreamVersion(UInt64(column: version))
      }
      let ids = group.flatMap { $0.flatMap { $0.events.map(\.id.buffer) } }
      for try await (id, position, stream, version) in try await connection.query(
        """
        SELECT id, position, stream, version FROM \(unescaped: tables.events)
        WHERE id = ANY(\(ids))
        """, logger: logger
      ).decode((ByteBuffer, Int64, String, Int64).self) {
        guard let id = EventID(buffer: id) else {
          throw EventStoreError(.corruptRecord, "an event ID of \(id.readableBytes) bytes")
        }
        let at = LogPosition(UInt64(column: position))
        transaction.recorded[id] = at
        transaction.placed[at] = (
          try StreamName(validating: stream), StreamVersion(UInt64(column: version))
        )
      }
    }

    private struct MissingRecords: Error {
      var from: LogPosition
    }

    private func stageInline(
      _ inline: any InlineUpdater, after previous: StagedInline?, earlier: [StoredRow],
      transaction: SQLAppendTransaction, headBefore: LogPosition
    ) throws -> StagedInline {
      let types = transaction.names.types
      do {
        return try inline.stage(after: previous) { from, body in
          if from <= headBefore {
            guard let first = earlier.first, first.position <= from else {
              throw MissingRecords(from: from)
            }
            for row in earlier where row.position >= from {
              try row.record.withUnsafeReadableBytes { raw in
                try body(RecordView(position: row.position, bytes: raw, types: types))
              }
            }
          }
          for row in transaction.rows where row.position >= from {
            try row.record.withUnsafeBytes { raw in
              try body(RecordView(position: row.position, bytes: raw, types: types))
            }
          }
        }
      } catch let error as MissingRecords {
        throw error
      } catch let error as EventStoreError {
        throw error
      } catch {
        throw EventStoreError(
          .corruptRecord, "inline projection \(inline.stateKey) failed: \(error)")
      }
    }

    /// The records from `from` through `last`, read inside the append's transaction.
    private func records(
      from: LogPosition, through last: LogPosition, on connection: PostgresConnection
    ) async throws -> [StoredRow] {
      var rows: [StoredRow] = []
      for try await (position, record) in try await connection.query(
        """
        SELECT position, record FROM \(unescaped: tables.events)
        WHERE position >= \(Int64(column: from.rawValue)) AND position <= \(Int64(column: last.rawValue))
        ORDER BY position
        """, logger: logger
      ).decode((Int64, ByteBuffer).self) {
        rows.append(StoredRow(position: LogPosition(UInt64(column: position)), record: record))
      }
      return rows
    }

    /// Sends an append's new names and records.
    private func flush(_ transaction: SQLAppendTransaction, on connection: PostgresConnection)
      async throws
    {
      if !transaction.newNames.isEmpty {
        let kinds = transaction.newNames.map(\.kind)
        let numbers = transaction.newNames.map(\.number)
        let names = transaction.newNames.map(\.name)
        try await connection.query(
          """
          INSERT INTO \(unescaped: tables.names) (kind, number, name)
          SELECT * FROM UNNEST(\(kinds)::smallint[], \(numbers)::int[], \(names)::text[])
          """, logger: logger)
      }
      guard !transaction.rows.isEmpty else { return }
      let rows = transaction.rows
      let positions = rows.map { Int64(column: $0.position.rawValue) }
      let streams = rows.map(\.stream)
      let versions = rows.map { Int64(column: $0.version.rawValue) }
      let ids = rows.map(\.id.buffer)
      let types = rows.map(\.type)
      let categories = rows.map(\.category)
      let records = rows.map { ByteBuffer(bytes: $0.record) }
      try await connection.query(
        """
        INSERT INTO \(unescaped: tables.events) (position, stream, version, id, type_no, category_no, record)
        SELECT * FROM UNNEST(\(positions)::bigint[], \(streams)::text[], \(versions)::bigint[],
          \(ids)::bytea[], \(types)::int[], \(categories)::int[], \(records)::bytea[])
        """, logger: logger)
    }
  }

  /// The shared append logic's view of the database inside the group's transaction: what it
  /// looks up was read before it runs (the streams' versions, the positions of the append's
  /// event IDs, the head and the name tables, all under the head's lock); what it writes is
  /// kept here and sent after it returns.
  struct SQLAppendTransaction: AppendTransaction {
    struct Row {
      var position: LogPosition
      var stream: String
      var version: StreamVersion
      var id: EventID
      var type: Int32
      var category: Int32
      var record: [UInt8]
    }

    /// The head after the appends performed so far.
    private var currentHead: LogPosition
    var lastTime: Timestamp?
    var names: Names
    var versions: [String: StreamVersion] = [:]
    var recorded: [EventID: LogPosition] = [:]
    var placed: [LogPosition: (StreamName, StreamVersion)] = [:]
    var rows: [Row] = []
    var newNames: [(kind: Int16, number: Int32, name: String)] = []

    init(head: LogPosition, lastTime: Timestamp?, names: Names) {
      self.currentHead = head
      self.lastTime = lastTime
      self.names = names
    }

    func head() -> LogPosition { currentHead }

    /// Moves the head past an append just performed, for the next append of the group.
    mutating func advance(to head: LogPosition) { currentHead = head }

    func lastRecordedTime() -> Timestamp? { lastTime }

    func currentVersion(of stream: StreamName) -> StreamVersion? { versions[stream.rawValue] }

    func position(of id: EventID) -> LogPosition? { recorded[id] }

    func streamAndVersion(at position: LogPosition) throws(EventStoreError)
      -> (StreamName, StreamVersion)
    {
      guard let placed = placed[position] else {
        throw EventStoreError(
          .corruptRecord, "no event at position \(position)", position: position)
      }
      return placed
    }

    mutating func internNames(eventType: String, category: String) -> (
      type: UInt32, category: UInt32
    ) {
      let type = names.types.intern(eventType)
      if type.added { newNames.append((0, Int32(clamping: type.number), eventType)) }
      let number = names.categories.intern(category)
      if number.added { newNames.append((1, Int32(clamping: number.number), category)) }
      return (type.number, number.number)
    }

    mutating func write(
      record: [UInt8], at position: LogPosition, stream: StreamName, version: StreamVersion,
      id: EventID
    ) throws(EventStoreError) {
      guard recorded[id] == nil else {
        throw EventStoreError(
          .duplicateEventID, "the event is recorded already, in another batch", stream: stream,
          eventID: id)
      }
      func field(_ offset: Int) -> UInt32 {
        guard record.count >= offset + 4 else { return 0 }
        return record.withUnsafeBytes {
          UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
      }
      if let time = RecordFormat.recordedTime(ofEncoded: record) { lastTime = time }
      recorded[id] = position
      // The next appends of the group see this one's events.
      versions[stream.rawValue] = version
      placed[position] = (stream, version)
      rows.append(
        Row(
          position: position, stream: stream.rawValue, version: version, id: id,
          type: Int32(clamping: field(4)), category: Int32(clamping: field(8)), record: record))
    }

    mutating func recordBatch(
      of stream: StreamName, first: StreamVersion, last: StreamVersion,
      at firstPosition: LogPosition
    ) {}
  }
#endif
