#if Postgres
  import EventLog
  import PostgresNIO

  /// One stored row: a position and its record bytes.
  struct StoredRow: Sendable {
    var position: LogPosition
    var record: ByteBuffer
  }

  extension PostgresEventStore {
    /// Reads the names interned after those already known, and returns all of them.
    @discardableResult
    func refreshNames(_ connection: PostgresConnection) async throws -> Names {
      var known = names.withLock { $0 }
      let rows = try await connection.query(
        """
        SELECT kind, number, name FROM \(unescaped: tables.names)
        WHERE (kind = 0 AND number > \(Int32(clamping: known.types.names.count)))
           OR (kind = 1 AND number > \(Int32(clamping: known.categories.names.count)))
        ORDER BY kind, number
        """, logger: logger)
      for try await (kind, number, name) in rows.decode((Int16, Int32, String).self) {
        let restored =
          kind == 0
          ? known.types.restore(name, number: UInt32(clamping: number))
          : known.categories.restore(name, number: UInt32(clamping: number))
        guard restored else {
          throw EventStoreError(
            .corruptRecord,
            "the name table is damaged: \(name.debugDescription) as number \(number)")
        }
      }
      let merged = known
      names.withLock { $0.merge(merged) }
      return known
    }

    /// The event types known to this store, refreshed from the database when a row names a
    /// number past them.
    private func types(for rows: [StoredRow]) async throws -> NameTable {
      let known = names.withLock { $0.types }
      var highest: UInt32 = 0
      for row in rows {
        if let type = row.record.getInteger(
          at: row.record.readerIndex + 4, endianness: .little, as: UInt32.self)
        {
          highest = Swift.max(highest, type)
        }
      }
      if Int(highest) <= known.names.count { return known }
      return try await withConnection("reading the name table") { connection in
        try await self.refreshNames(connection).types
      }
    }

    private func decode(_ rows: [StoredRow]) async throws -> [RecordedEvent] {
      let types = try await types(for: rows)
      return try rows.map { row in
        try row.record.withUnsafeReadableBytes { raw in
          try RecordView(position: row.position, bytes: raw, types: types).recordedEvent()
        }
      }
    }

    /// Reads one stream in pages; see ``EventStore/readStream(_:from:direction:limit:)``.
    public func readStream(
      _ stream: StreamName, from version: StreamVersion?, direction: ReadDirection, limit: Int
    ) async throws -> [RecordedEvent] {
      try checkLimit(limit)
      let tables = self.tables
      let rows = try await withConnection("reading stream \(stream)") { connection in
        let name = stream.rawValue
        let count = Int64(limit)
        let query: PostgresQuery
        switch direction {
        case .forwards:
          let from = Int64(column: version?.rawValue ?? 1)
          query = """
            SELECT position, record FROM \(unescaped: tables.events)
            WHERE stream = \(name) AND version >= \(from) ORDER BY version LIMIT \(count)
            """
        case .backwards:
          let from = Int64(column: version?.rawValue ?? UInt64(Int64.max))
          query = """
            SELECT position, record FROM \(unescaped: tables.events)
            WHERE stream = \(name) AND version <= \(from) ORDER BY version DESC LIMIT \(count)
            """
        }
        var rows: [StoredRow] = []
        for try await (position, record) in try await connection.query(query, logger: logger)
          .decode((Int64, ByteBuffer).self)
        {
          rows.append(StoredRow(position: LogPosition(UInt64(column: position)), record: record))
        }
        return rows
      }
      return try await decode(rows)
    }

    /// Reads up to `limit` rows that pass `filter` from `position`, and the position to read
    /// from next, in one statement (one snapshot): the filter is applied on the server, on the
    /// type and category columns, so skipped rows' records are never sent.
    ///
    /// The names are turned into numbers once per statement (an `ARRAY` subquery, evaluated
    /// before the scan) and the rows are read along the position index: a join with the name
    /// table, on a table the server has no statistics of yet (a log just written), was planned
    /// as a scan of every row from `position` to the end and a sort, for every page (37 ms a
    /// page instead of 2 at 50 000 rows). The store's sessions also run with `enable_sort` off
    /// (see `init(configuration:clock:)`), so that no estimate turns a page into a sort.
    private func page(from position: LogPosition, limit: Int, filter: LogFilter) async throws
      -> (rows: [StoredRow], next: LogPosition)
    {
      try checkLimit(limit)
      let tables = self.tables
      let from = Int64(column: Swift.max(position, .first).rawValue)
      return try await withConnection("reading the log") { connection in
        var conditions = ""
        var binds = PostgresBindings()
        binds.append(from)
        binds.append(Int64(limit))
        if let types = filter.eventTypes {
          binds.append(Array(types))
          conditions +=
            " AND type_no = ANY(ARRAY(SELECT number FROM \(tables.names) WHERE kind = 0 AND name = ANY($\(binds.count))))"
        }
        if let categories = filter.categories {
          binds.append(Array(categories))
          conditions +=
            " AND category_no = ANY(ARRAY(SELECT number FROM \(tables.names) WHERE kind = 1 AND name = ANY($\(binds.count))))"
        }
        let query = PostgresQuery(
          unsafeSQL: """
            SELECT h.position, e.position, e.record FROM \(tables.head) h LEFT JOIN LATERAL (
              SELECT position, record FROM \(tables.events)
              WHERE position >= $1\(conditions) ORDER BY position LIMIT $2) e ON true
            """, binds: binds)
        var rows: [StoredRow] = []
        var head: Int64 = 0
        for try await (headPosition, position, record) in try await connection.query(
          query, logger: logger
        ).decode((Int64, Int64?, ByteBuffer?).self) {
          head = headPosition
          if let position, let record {
            rows.append(StoredRow(position: LogPosition(UInt64(column: position)), record: record))
          }
        }
        let next: LogPosition
        if rows.count == limit, let last = rows.last {
          next = last.position.next
        } else {
          next = LogPosition(Swift.max(UInt64(column: from), UInt64(column: head) + 1))
        }
        return (rows, next)
      }
    }

    /// Reads the log in pages; see ``EventStore/readLog(from:limit:filter:)``.
    public func readLog(from position: LogPosition, limit: Int, filter: LogFilter)
      async throws -> LogPage
    {
      let (rows, next) = try await page(from: position, limit: limit, filter: filter)
      return LogPage(events: try await decode(rows), nextPosition: next)
    }

    /// Calls `body` with each record of a page read from the server; see
    /// ``EventStore/scanLog(from:limit:filter:_:)``.
    public func scanLog(
      from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
    ) async throws -> LogPosition {
      let (rows, next) = try await page(from: position, limit: limit, filter: filter)
      let types = try await types(for: rows)
      for row in rows {
        try row.record.withUnsafeReadableBytes { raw in
          try body(RecordView(position: row.position, bytes: raw, types: types))
        }
      }
      return next
    }

    /// The stream's current version; see ``EventStore/currentVersion(of:)``.
    public func currentVersion(of stream: StreamName) async throws -> StreamVersion? {
      let tables = self.tables
      return try await withConnection("reading stream \(stream)") { connection in
        let rows = try await connection.query(
          "SELECT max(version) FROM \(unescaped: tables.events) WHERE stream = \(stream.rawValue)",
          logger: logger)
        var version: Int64?
        for try await value in rows.decode(Int64?.self) { version = value }
        return version.map { StreamVersion(UInt64(column: $0)) }
      }
    }

    /// The log's head; see ``EventStore/headPosition()``.
    public func headPosition() async throws -> LogPosition {
      let tables = self.tables
      return try await withConnection("reading the head") { connection in
        let rows = try await connection.query(
          "SELECT position FROM \(unescaped: tables.head)", logger: logger)
        var head: Int64 = 0
        for try await value in rows.decode(Int64.self) { head = value }
        return LogPosition(UInt64(column: head))
      }
    }

    // MARK: StateStore

    /// The state saved under `key`; see ``StateStore/loadState(_:)``.
    public func loadState(_ key: String) async throws -> StoredState? {
      let tables = self.tables
      return try await withConnection("loading state \(key)") { connection in
        let rows = try await connection.query(
          "SELECT position, bytes FROM \(unescaped: tables.states) WHERE key = \(key)",
          logger: logger)
        var state: StoredState?
        for try await (position, bytes) in rows.decode((Int64, ByteBuffer).self) {
          state = StoredState(position: UInt64(column: position), bytes: Array(buffer: bytes))
        }
        return state
      }
    }

    /// Saves a state with its checkpoint in one statement (one transaction); see
    /// ``StateStore/saveState(_:for:)``.
    public func saveState(_ state: StoredState, for key: String) async throws {
      let tables = self.tables
      try await withConnection("saving state \(key)") { connection in
        _ = try await connection.query(
          """
          INSERT INTO \(unescaped: tables.states) (key, position, bytes)
          VALUES (\(key), \(Int64(column: state.position)), \(ByteBuffer(bytes: state.bytes)))
          ON CONFLICT (key) DO UPDATE SET position = EXCLUDED.position, bytes = EXCLUDED.bytes
          """, logger: logger)
      }
    }

    /// Removes a state; see ``StateStore/deleteState(_:)``.
    public func deleteState(_ key: String) async throws {
      let tables = self.tables
      try await withConnection("deleting state \(key)") { connection in
        _ = try await connection.query(
          "DELETE FROM \(unescaped: tables.states) WHERE key = \(key)", logger: logger)
      }
    }
  }
#endif
