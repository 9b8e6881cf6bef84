import CLMDB
import CLMDBGuard
import EventLog
import Foundation

extension LMDBEventStore {
  /// Checks the whole log in one read snapshot, so that it is right beside live writers
  /// (other tasks or processes appending): what it reads is one committed state.
  ///
  /// It checks LMDB's two header pages (their transaction numbers against each other and
  /// against the commit the log recorded last), that positions run from 1 without a gap, every
  /// record's header and checksum, its stream name and metadata, that recorded times never run
  /// backwards, each stream's versions, the stream index against the records (without trusting
  /// any count it holds), each stream's recorded version, the event-ID index, and — through
  /// `payloads`, if given — that each payload decodes. A damaged page that LMDB itself would
  /// abort on is reported as a problem at the last good position, not a crash.
  ///
  /// - Parameter payloads: called with each record that passed the other checks; throw to
  ///   report its payload as a problem.
  /// - Returns: the report; its problems name positions and streams.
  /// - Throws: ``EventStoreError`` only when no snapshot can be read at all.
  public func verify(payloads: ((RecordView) throws -> Void)? = nil) throws(EventStoreError)
    -> VerificationReport
  {
    let environment = self.environment
    do {
      return try environment.read { txn in
        var verifier = Verifier(txn: txn, environment: environment, payloads: payloads)
        return try verifier.run()
      }
    } catch let error as EventStoreError {
      throw error
    } catch {
      throw EventStoreError(.storageFailure, "\(error)", path: path)
    }
  }
}

/// The checks of ``LMDBEventStore/verify(payloads:)``, inside one read transaction.
/// One stream's events as the verifier found them.
private struct StreamEvents {
  /// The positions in version order: the position of version `n` at index `n - 1`.
  var positions: [UInt64] = []
  /// How many of its versions the stream index has described so far.
  var covered: UInt64 = 0
}

private struct Verifier {
  let txn: OpaquePointer?
  let environment: Environment
  let payloads: ((RecordView) throws -> Void)?
  var problems: [VerificationProblem] = []
  /// Each stream's events, and how many of them the stream index has covered so far.
  var streams: [StreamName: StreamEvents] = [:]
  /// Every event ID and its position, for the ID index.
  var ids: [(EventID, UInt64)] = []
  var records = 0
  var head: UInt64 = 0

  init(
    txn: OpaquePointer?, environment: Environment, payloads: ((RecordView) throws -> Void)?
  ) {
    self.txn = txn
    self.environment = environment
    self.payloads = payloads
  }

  mutating func problem(_ position: UInt64?, _ stream: StreamName? = nil, _ message: String) {
    problems.append(
      VerificationProblem(
        position: position.map { LogPosition($0) }, stream: stream, message: message))
  }

  mutating func run() throws -> VerificationReport {
    checkHeaderPages()
    var names = environment.names.withLock { $0 }
    do {
      try environment.loadNames(txn, into: &names)
    } catch {
      problem(nil, nil, "the name tables: \(error.message)")
    }
    reserveCapacity()
    checkRecords(names)
    checkStreamIndex()
    checkStreamVersions()
    checkIDs()
    return VerificationReport(
      head: LogPosition(head), records: records, streams: streams.count, problems: problems)
  }

  // MARK: - LMDB's header pages

  /// LMDB keeps two header (meta) pages and reads the one with the higher transaction number;
  /// commit `n` writes page `n % 2`. So the two numbers differ by one (or are both 0 in a new
  /// file), each sits on the page of its parity, and the snapshot's number is the commit the
  /// log recorded last.
  mutating func checkHeaderPages() {
    let dataPath = environment.path + "/data.mdb"
    let snapshot = UInt64(mdb_txn_id(txn))
    do {
      if let marker = try CommitMarker.read(txn, environment.dbs), marker != snapshot {
        problem(
          nil, nil,
          "LMDB's header pages say the last commit is transaction \(snapshot), the log recorded \(marker): a damaged header page (the snapshot read may be an older one)"
        )
      }
    } catch {
      problem(nil, nil, "the commit marker: \(error.message)")
    }
    // A writer in another task or process may commit while the pages are read: read them
    // again, a few times, before calling a difference damage.
    var found: [String] = []
    for attempt in 0..<5 {
      found = headerPageProblems(dataPath, snapshot: snapshot)
      if found.isEmpty { return }
      if attempt < 4 { usleep(2000) }
    }
    for message in found { problem(nil, nil, message) }
  }

  /// The problems of LMDB's two header pages as read now from the file, both in one read.
  func headerPageProblems(_ dataPath: String, snapshot: UInt64) -> [String] {
    guard let handle = FileHandle(forReadingAtPath: dataPath) else {
      return ["cannot read data.mdb's header pages"]
    }
    defer { try? handle.close() }
    guard let first = try? handle.read(upToCount: 4096), first.count >= 152 else {
      return ["data.mdb is shorter than its first header page"]
    }
    let pageSize = Int(first.loadLittleEndianUInt32(at: 40))
    guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
      return ["LMDB's first header page names a page size of \(pageSize) bytes: damaged"]
    }
    guard (try? handle.seek(toOffset: 0)) != nil,
      let both = try? handle.read(upToCount: 2 * pageSize), both.count >= pageSize + 152
    else {
      return ["data.mdb is shorter than its second header page"]
    }
    var problems: [String] = []
    let magic: UInt32 = 0xBEEF_C0DE
    for index in 0..<2 where both.loadLittleEndianUInt32(at: index * pageSize + 16) != magic {
      problems.append("LMDB's header page \(index) has lost its magic number: damaged")
    }
    let numbers = [144, pageSize + 144].map { both.loadLittleEndianUInt64(at: $0) }
    let low = min(numbers[0], numbers[1])
    let high = max(numbers[0], numbers[1])
    let fresh = numbers[0] == 0 && numbers[1] == 0
    if !fresh {
      if high - low != 1 {
        problems.append(
          "LMDB's header pages hold transactions \(numbers[0]) and \(numbers[1]), which are not consecutive: a damaged header page"
        )
      } else {
        for (index, number) in numbers.enumerated() where number % 2 != UInt64(index) {
          problems.append(
            "LMDB's header page \(index) holds transaction \(number), which belongs on page \(number % 2): a damaged header page"
          )
        }
      }
      // LMDB's file never shrinks: the older header page cannot name a later last page.
      let lastPages = [136, pageSize + 136].map { both.loadLittleEndianUInt64(at: $0) }
      if numbers[0] != numbers[1] {
        let older = numbers[0] < numbers[1] ? 0 : 1
        if lastPages[older] > lastPages[1 - older] {
          problems.append(
            "LMDB's older header page (transaction \(numbers[older])) names a later last page than the newer one: a damaged header page (the last commit may be hidden)"
          )
        }
      }
    }
    // Commits only move forwards: the newest page cannot be older than the snapshot held.
    if high < snapshot && !fresh {
      problems.append(
        "the snapshot read is transaction \(snapshot) but the newest header page names \(high): a damaged header page"
      )
    }
    return problems
  }

  // MARK: - Records

  mutating func checkRecords(_ names: Names) {
    var cursor: OpaquePointer?
    guard mdb_cursor_open(txn, environment.dbs.events, &cursor) == 0 else {
      problem(nil, nil, "cannot open a cursor on the events")
      return
    }
    defer { mdb_cursor_close(cursor) }
    var key = MDB_val()
    var value = MDB_val()
    var expected: UInt64 = 1
    var lastTime: Timestamp?
    var rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
    while rc == 0 {
      guard let position = key.bigEndianUInt64 else {
        problem(expected, nil, "an event key of \(key.mv_size) bytes, not 8")
        rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        continue
      }
      if position != expected {
        problem(
          expected, nil,
          position > expected
            ? "positions \(expected) to \(position - 1) are missing (a gap)"
            : "position \(position) comes after \(expected - 1): out of order")
      }
      expected = max(expected, position) + 1
      head = max(head, position)
      records += 1
      checkRecord(position, value, names, &lastTime)
      rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
    }
    if rc != LMDBCode.notFound {
      let error = lmdbError(rc, "reading the record after position \(expected - 1)")
      problem(expected, nil, error.message)
    }
  }

  mutating func checkRecord(
    _ position: UInt64, _ value: MDB_val, _ names: Names, _ lastTime: inout Timestamp?
  ) {
    let at = LogPosition(position)
    let view: RecordView
    var damaged = false
    do {
      let bytes = try environment.bounds.buffer(value, position: at, "the record")
      do {
        view = try RecordView(position: at, bytes: bytes, types: names.types)
      } catch {
        // Report the damage once; if the header still reads, keep the record's stream,
        // version and ID so that the index checks do not report the same damage again.
        problem(position, nil, error.message)
        damaged = true
        view = try RecordView(position: at, bytes: bytes, types: names.types, checksum: false)
      }
    } catch {
      if !damaged { problem(position, nil, error.message) }
      return
    }
    let stream: StreamName
    do {
      stream = try view.stream()
      _ = try view.metadata()
    } catch {
      if !damaged { problem(position, nil, error.message) }
      return
    }
    if !damaged && names.categories.name(of: view.categoryID) != stream.category {
      problem(
        position, stream,
        "the record's category number \(view.categoryID) is not the category of its stream")
    }
    // Format 1 records carry only the program's time, which was never kept in order.
    if !damaged && view.formatVersion >= 2 {
      let time = view.recordedTime
      if let lastTime, time < lastTime {
        problem(position, stream, "recorded at \(time), before the event before it (\(lastTime))")
      }
      lastTime = time
    }
    // Appended where the dictionary holds the array: a copy taken out and stored back would
    // copy the array on every event.
    let count = Self.append(position, to: &streams[stream, default: StreamEvents()])
    if view.version.rawValue != UInt64(count + 1) {
      problem(position, stream, "version \(view.version) where \(count + 1) was expected")
    }
    ids.append((view.id, position))
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

  /// Sizes the tables from LMDB's own counts, so that they do not grow (rehashing every
  /// stream name) while the records are read. A damaged count only costs memory, never more
  /// than the records themselves would.
  mutating func reserveCapacity() {
    var events = MDB_stat()
    var streamCount = MDB_stat()
    guard clmdb_stat(txn, environment.dbs.events, &events) == 0,
      clmdb_stat(txn, environment.dbs.streams, &streamCount) == 0
    else { return }
    let records = Int(clamping: events.ms_entries)
    ids.reserveCapacity(records)
    streams.reserveCapacity(min(records, Int(clamping: streamCount.ms_entries)))
  }

  /// Appends a stream's next position; returns how many it had before.
  private static func append(_ position: UInt64, to events: inout StreamEvents) -> Int {
    events.positions.append(position)
    return events.positions.count - 1
  }

  // MARK: - Indexes

  /// Each stream-index entry (stream, first version → first position, count) must describe
  /// events the records hold, and together the entries must cover each stream once. No count
  /// is trusted: a damaged one is compared, never used to allocate or loop.
  mutating func checkStreamIndex() {
    var cursor: OpaquePointer?
    guard mdb_cursor_open(txn, environment.dbs.streamIndex, &cursor) == 0 else {
      problem(nil, nil, "cannot open a cursor on the stream index")
      return
    }
    defer { mdb_cursor_close(cursor) }
    var key = MDB_val()
    var value = MDB_val()
    var rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
    while rc == 0 {
      defer { rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT) }
      guard let keyBytes = try? environment.bounds.buffer(key, "a stream index key"),
        let valueBytes = try? environment.bounds.buffer(value, "a stream index entry"),
        keyBytes.count > 9, valueBytes.count == 16, keyBytes[keyBytes.count - 9] == 0
      else {
        problem(nil, nil, "a stream index entry of the wrong shape")
        continue
      }
      let name = String(decoding: keyBytes[..<(keyBytes.count - 9)], as: UTF8.self)
      guard let stream = try? StreamName(validating: name) else {
        problem(nil, nil, "the stream index names an invalid stream")
        continue
      }
      let firstVersion = UInt64(
        bigEndian: keyBytes.loadUnaligned(fromByteOffset: keyBytes.count - 8, as: UInt64.self))
      let firstPosition = UInt64(bigEndian: valueBytes.loadUnaligned(as: UInt64.self))
      let count = UInt64(bigEndian: valueBytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
      guard let index = streams.index(forKey: stream) else {
        // A stream no record names: reported as for a stream with no events.
        problem(
          firstPosition, stream,
          firstVersion == 1
            ? "the stream index lists \(count) events from version 1, the log has 0"
            : "the stream index starts a batch at version \(firstVersion) where 1 was expected")
        continue
      }
      let versions = streams.values[index].positions
      let expectedVersion = streams.values[index].covered + 1
      guard firstVersion == expectedVersion else {
        problem(
          firstPosition, stream,
          "the stream index starts a batch at version \(firstVersion) where \(expectedVersion) was expected"
        )
        streams.values[index].covered = max(streams.values[index].covered, firstVersion)
        continue
      }
      let available = UInt64(versions.count) - min(UInt64(versions.count), firstVersion - 1)
      guard count >= 1, count <= available else {
        problem(
          firstPosition, stream,
          "the stream index lists \(count) events from version \(firstVersion), the log has \(available)"
        )
        streams.values[index].covered = UInt64(versions.count)
        continue
      }
      for offset in 0..<count {
        let version = firstVersion + offset
        let actual = versions[Int(version - 1)]
        if actual != firstPosition + offset {
          problem(
            actual, stream,
            "the stream index puts version \(version) at position \(firstPosition + offset), the log at \(actual)"
          )
          break
        }
      }
      streams.values[index].covered = firstVersion + count - 1
    }
    if rc != LMDBCode.notFound {
      problem(nil, nil, lmdbError(rc, "reading the stream index").message)
    }
    for (stream, events) in streams where events.covered != UInt64(events.positions.count) {
      problem(
        events.positions.first, stream,
        "the stream index lists \(events.covered) events, the log \(events.positions.count)")
    }
  }

  /// Each stream's recorded version is its last event's.
  mutating func checkStreamVersions() {
    for (stream, events) in streams {
      let versions = events.positions
      do {
        let recorded = try storedVersion(txn, environment.dbs, stream)
        if recorded?.rawValue != UInt64(versions.count) {
          problem(
            versions.last, stream,
            "the recorded version \(recorded.map(String.init(describing:)) ?? "none") is not its last event's (\(versions.count))"
          )
        }
      } catch {
        problem(versions.last, stream, error.message)
      }
    }
    var stat = MDB_stat()
    if clmdb_stat(txn, environment.dbs.streams, &stat) == 0, stat.ms_entries != streams.count {
      problem(
        nil, nil,
        "the log records versions for \(stat.ms_entries) streams, its events name \(streams.count)")
    }
  }

  /// The ID index maps exactly the records' IDs to their positions.
  mutating func checkIDs() {
    ids.sort { $0.0 < $1.0 }
    var cursor: OpaquePointer?
    guard mdb_cursor_open(txn, environment.dbs.ids, &cursor) == 0 else {
      problem(nil, nil, "cannot open a cursor on the ID index")
      return
    }
    defer { mdb_cursor_close(cursor) }
    var key = MDB_val()
    var value = MDB_val()
    var index = 0
    var rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
    var reported = 0
    while rc == 0 && reported < 100 {
      defer { rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT) }
      guard key.mv_size == 16, let keyBytes = try? environment.bounds.buffer(key, "an ID"),
        let position = value.bigEndianUInt64
      else {
        problem(nil, nil, "an ID index entry of the wrong shape")
        reported += 1
        continue
      }
      let id = EventID(
        high: UInt64(bigEndian: keyBytes.loadUnaligned(as: UInt64.self)),
        low: UInt64(bigEndian: keyBytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
      guard index < ids.count, ids[index].0 == id else {
        problem(position, nil, "the ID index lists event \(id), which no record has")
        reported += 1
        continue
      }
      if ids[index].1 != position {
        problem(
          ids[index].1, nil, "the ID index puts event \(id) at position \(position)")
        reported += 1
      }
      index += 1
    }
    if rc != 0 && rc != LMDBCode.notFound {
      problem(nil, nil, lmdbError(rc, "reading the ID index").message)
    }
    if index < ids.count && reported < 100 {
      problem(ids[index].1, nil, "event \(ids[index].0) is missing from the ID index")
    }
  }
}

extension Data {
  fileprivate func loadLittleEndianUInt32(at offset: Int) -> UInt32 {
    guard offset + 4 <= count else { return 0 }
    return withUnsafeBytes {
      UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
  }

  fileprivate func loadLittleEndianUInt64(at offset: Int) -> UInt64 {
    guard offset + 8 <= count else { return 0 }
    return withUnsafeBytes {
      UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
  }
}
