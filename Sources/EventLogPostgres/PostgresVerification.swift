#if Postgres
  import EventLog
  import PostgresNIO

  extension PostgresEventStore {
    /// Checks the whole log in one snapshot: one `REPEATABLE READ` transaction, so that it is
    /// right beside live writers (other tasks, processes or machines appending): what it reads
    /// is one committed state.
    ///
    /// It checks that positions run from 1 to the head without a gap and that the head row
    /// agrees with the last record (its position and recorded time); every record's header,
    /// checksum, stream name and metadata; that each row's columns (stream, version, event ID,
    /// type and category numbers) agree with its record's bytes; that each stream's versions
    /// run from 1 without a gap; that recorded times never run backwards; that the name table
    /// numbers each kind from 1 without a gap or a repeated name, and names every type and
    /// category the records use; and — through `payloads`, if given — that each payload
    /// decodes.
    ///
    /// The rows are read through a server-side cursor, a page at a time, so memory stays
    /// bounded by the number of streams, not of events. The configuration's timeout bounds
    /// reaching the server, not the whole check (which reads every row).
    ///
    /// - Parameter payloads: called with each record that passed the other checks; throw to
    ///   report its payload as a problem.
    /// - Returns: the report; its problems name positions and streams.
    /// - Throws: ``EventStoreError`` only when the snapshot cannot be read at all (the server
    ///   cannot be reached, or goes away during the check).
    public func verify(payloads: ((RecordView) throws -> Void)? = nil) async throws
      -> VerificationReport
    {
      // Reach the server within the timeout first: the check itself is not bounded by it.
      _ = try await headPosition()
      let tables = self.tables
      do {
        return try await client.withConnection { connection in
          do {
            try await connection.query(
              "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            var verifier = PostgresVerifier(payloads: payloads)
            verifier.checkHeadRows(try await PostgresVerifier.headRows(connection, tables))
            verifier.restoreNames(try await PostgresVerifier.nameRows(connection, tables))
            try await PostgresVerifier.openCursor(connection, tables)
            while true {
              let rows = try await PostgresVerifier.nextRows(connection)
              for row in rows { verifier.check(row) }
              if rows.count < PostgresVerifier.pageSize { break }
            }
            try await connection.query("CLOSE councillog_verify", logger: logger)
            verifier.checkHead()
            try await connection.query("COMMIT", logger: logger)
            return verifier.report
          } catch {
            await Task.detached { _ = try? await connection.query("ROLLBACK", logger: logger) }
              .value
            throw error
          }
        }
      } catch {
        throw storeError(error, "verifying the log")
      }
    }
  }

  /// The checks of ``PostgresEventStore/verify(payloads:)``, inside one transaction.
  private struct PostgresVerifier {
    /// The rows read from the cursor at a time.
    static let pageSize = 2000

    let payloads: ((RecordView) throws -> Void)?
    var problems: [VerificationProblem] = []
    var types = NameTable()
    var categories = NameTable()
    /// Each stream's last version seen.
    var versions: [StreamName: UInt64] = [:]
    var records = 0
    var expected: UInt64 = 1
    var last: UInt64 = 0
    var lastTime: Timestamp?
    var headPosition: UInt64 = 0
    var headTime: Int64?

    init(payloads: ((RecordView) throws -> Void)?) {
      self.payloads = payloads
    }

    var report: VerificationReport {
      VerificationReport(
        head: LogPosition(headPosition), records: records, streams: versions.count,
        problems: problems)
    }

    mutating func problem(_ position: UInt64?, _ stream: StreamName? = nil, _ message: String) {
      problems.append(
        VerificationProblem(
          position: position.map { LogPosition($0) }, stream: stream, message: message))
    }

    /// The head table's rows: (position, recorded time).
    static func headRows(_ connection: PostgresConnection, _ tables: Tables) async throws
      -> [(Int64, Int64?)]
    {
      var rows: [(Int64, Int64?)] = []
      for try await row in try await connection.query(
        "SELECT position, recorded_time FROM \(unescaped: tables.head)", logger: logger
      ).decode((Int64, Int64?).self) {
        rows.append(row)
      }
      return rows
    }

    /// The name table's rows, number by number: (kind, number, name).
    static func nameRows(_ connection: PostgresConnection, _ tables: Tables) async throws
      -> [(Int16, Int32, String)]
    {
      var rows: [(Int16, Int32, String)] = []
      for try await row in try await connection.query(
        "SELECT kind, number, name FROM \(unescaped: tables.names) ORDER BY kind, number",
        logger: logger
      ).decode((Int16, Int32, String).self) {
        rows.append(row)
      }
      return rows
    }

    /// Opens the cursor over the events, in position order.
    static func openCursor(_ connection: PostgresConnection, _ tables: Tables) async throws {
      try await connection.query(
        PostgresQuery(
          unsafeSQL: """
            DECLARE councillog_verify NO SCROLL CURSOR FOR
            SELECT position, stream, version, id, type_no, category_no, record
            FROM \(tables.events) ORDER BY position
            """), logger: logger)
    }

    /// The cursor's next page of rows (fewer than ``pageSize`` at the end).
    static func nextRows(_ connection: PostgresConnection) async throws -> [Row] {
      var rows: [Row] = []
      for try await (position, stream, version, id, type, category, record)
        in try await connection
        .query(
          PostgresQuery(unsafeSQL: "FETCH FORWARD \(pageSize) FROM councillog_verify"),
          logger: logger
        ).decode((Int64, String, Int64, ByteBuffer, Int32, Int32, ByteBuffer).self)
      {
        rows.append(
          Row(
            position: UInt64(column: position), stream: stream, version: version, id: id,
            type: type, category: category, record: record))
      }
      return rows
    }

    /// The head table holds one row: its position and recorded time.
    mutating func checkHeadRows(_ rows: [(Int64, Int64?)]) {
      if rows.count != 1 {
        problem(nil, nil, "the head table holds \(rows.count) rows, not 1")
      }
      if let (position, time) = rows.first {
        headPosition = UInt64(column: position)
        headTime = time
      }
    }

    /// The head row against the last record read.
    mutating func checkHead() {
      if last != headPosition {
        problem(
          headPosition, nil,
          last < headPosition
            ? "the head row says the log ends at position \(headPosition), its last record is at \(last)"
            : "the head row says the log ends at position \(headPosition), records go on to \(last)"
        )
      }
      if let lastTime, let headTime, last == headPosition,
        lastTime.nanosecondsSince1970 != headTime
      {
        problem(
          headPosition, nil,
          "the head row's recorded time \(Timestamp(nanosecondsSince1970: headTime)) is not its last record's (\(lastTime))"
        )
      }
    }

    /// Restores the name table, number by number: each kind numbered from 1 without a gap and
    /// without a name twice.
    mutating func restoreNames(_ rows: [(Int16, Int32, String)]) {
      for (kind, number, name) in rows {
        let restored: Bool
        switch kind {
        case 0: restored = types.restore(name, number: UInt32(clamping: number))
        case 1: restored = categories.restore(name, number: UInt32(clamping: number))
        default:
          problem(nil, nil, "the name table holds a name of unknown kind \(kind)")
          continue
        }
        if !restored {
          let what = kind == 0 ? "event type" : "category"
          problem(
            nil, nil,
            "the name table numbers \(what) \(name.debugDescription) \(number), out of sequence or named twice"
          )
        }
      }
    }

    /// One row of the events table.
    struct Row {
      var position: UInt64
      var stream: String
      var version: Int64
      var id: ByteBuffer
      var type: Int32
      var category: Int32
      var record: ByteBuffer
    }

    mutating func check(_ row: Row) {
      let position = row.position
      if position != expected {
        problem(
          expected, nil,
          position > expected
            ? "positions \(expected) to \(position - 1) are missing (a gap)"
            : "position \(position) comes after \(expected - 1): out of order")
      }
      expected = Swift.max(expected, position) + 1
      last = Swift.max(last, position)
      records += 1
      row.record.withUnsafeReadableBytes { bytes in
        checkRecord(row, bytes)
      }
    }

    mutating func checkRecord(_ row: Row, _ bytes: UnsafeRawBufferPointer) {
      let position = row.position
      let at = LogPosition(position)
      let view: RecordView
      var damaged = false
      do {
        view = try RecordView(position: at, bytes: bytes, types: types)
      } catch {
        // Report the damage once; if the header still reads, keep the record's stream and
        // version so that the other checks do not report the same damage again.
        problem(position, nil, error.message)
        damaged = true
        guard
          let unchecked = try? RecordView(
            position: at, bytes: bytes, types: types, checksum: false)
        else { return }
        view = unchecked
      }
      let stream: StreamName
      do {
        stream = try view.stream()
        _ = try view.metadata()
      } catch {
        if !damaged { problem(position, nil, error.message) }
        return
      }
      if !damaged {
        checkColumns(row, view, stream)
        // Format 1 records carry only the program's time, which was never kept in order.
        if view.formatVersion >= 2 {
          let time = view.recordedTime
          if let lastTime, time < lastTime {
            problem(
              position, stream, "recorded at \(time), before the event before it (\(lastTime))")
          }
          lastTime = time
        }
      }
      let previous = versions[stream, default: 0]
      if view.version.rawValue != previous + 1 {
        problem(position, stream, "version \(view.version) where \(previous + 1) was expected")
      }
      versions[stream] = Swift.max(previous, view.version.rawValue)
      if let payloads, !damaged {
        do {
          try payloads(view)
        } catch let error as EventStoreError {
          problem(position, stream, "\(view.eventType): \(error.message)")
        } catch {
          problem(position, stream, "\(view.eventType): \(error)")
        }
      }
    }

    /// The row's columns, which reads and appends use without opening the record, against
    /// the record's own bytes.
    mutating func checkColumns(_ row: Row, _ view: RecordView, _ stream: StreamName) {
      let position = row.position
      if row.stream != stream.rawValue {
        problem(
          position, stream,
          "the row's stream column says \(row.stream.debugDescription), its record \(stream)")
      }
      if row.version != Int64(column: view.version.rawValue) {
        problem(
          position, stream,
          "the row's version column says \(row.version), its record \(view.version)")
      }
      if EventID(buffer: row.id) != view.id {
        problem(position, stream, "the row's event ID column is not its record's \(view.id)")
      }
      if row.type != Int32(bitPattern: view.eventTypeID) {
        problem(
          position, stream,
          "the row's type number column says \(row.type), its record \(view.eventTypeID)")
      }
      if row.category != Int32(bitPattern: view.categoryID) {
        problem(
          position, stream,
          "the row's category number column says \(row.category), its record \(view.categoryID)")
      } else if categories.name(of: view.categoryID) != stream.category {
        problem(
          position, stream,
          "the record's category number \(view.categoryID) is not the category of its stream")
      }
    }
  }
#endif
