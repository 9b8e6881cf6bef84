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
    try verify(payloads.map(PayloadCheck.here) ?? .none)
  }

  /// Checks the whole log as ``verify(payloads:)`` does, with `payloads` called on a thread of
  /// its own beside the other checks: on a machine with a core to spare, the check takes about
  /// as long as the longer of the two rather than both.
  ///
  /// `payloads` is called once for each record that passed the other checks, one record at a
  /// time and in log order, but not on the caller's thread; the call returns when every
  /// payload has been checked. The report is the one ``verify(payloads:)`` gives.
  ///
  /// - Parameter payloads: called with each record that passed the other checks; throw to
  ///   report its payload as a problem.
  /// - Returns: the report; its problems name positions and streams.
  /// - Throws: ``EventStoreError`` only when no snapshot can be read at all.
  public func verify(
    concurrentPayloads payloads: @escaping @Sendable (RecordView) throws -> Void
  ) throws(EventStoreError) -> VerificationReport {
    try verify(.beside(payloads))
  }

  private func verify(_ payloads: PayloadCheck) throws(EventStoreError) -> VerificationReport {
    let environment = self.environment
    do {
      return try environment.read { txn in
        var verifier = Verifier(txn: txn, environment: environment, payloads: payloads)
        return verifier.run()
      }
    } catch let error as EventStoreError {
      throw error
    } catch {
      throw EventStoreError(.storageFailure, "\(error)", path: path)
    }
  }
}

/// How a verification checks payloads: not at all, on the verifying thread, or on a thread
/// beside it.
private enum PayloadCheck {
  case none
  case here((RecordView) throws -> Void)
  case beside(@Sendable (RecordView) throws -> Void)
}

/// The checks of ``LMDBEventStore/verify(payloads:)``, inside one read transaction.
///
/// Streams are told apart by their names' bytes in the snapshot (``StreamTable``) and
/// numbered as they are first met; what the checks keep of each stream and each record lives
/// in flat arrays indexed by those numbers, so that a log of a million events in half a
/// million streams is checked without a string or an array made per stream.
private struct Verifier {
  let txn: OpaquePointer?
  let environment: Environment
  let payloads: PayloadCheck
  /// The thread checking payloads beside this one, and the records still to hand it.
  var worker: PayloadWorker?
  var pending: [PendingPayload] = []
  var problems: [VerificationProblem] = []
  /// The streams the records name, numbered in the order they were first met.
  var streams = StreamTable()
  /// Each stream's event count, by stream number.
  var counts: [Int] = []
  /// A category number each stream's records were found to carry rightly, by stream number,
  /// so that the category's name is compared once per stream, not once per record.
  var checkedCategories: [UInt32?] = []
  /// Whether each stream's name is valid as a ``StreamName`` (0: not yet asked, 1: valid,
  /// 2: not), by stream number: asked when the stream index names it.
  var validNames: [UInt8] = []
  /// The stream number and position of each record whose stream was read, in log order.
  var recordStreams: [Int32] = []
  var recordPositions: [UInt64] = []
  /// Every event ID and its position, for the ID index.
  var ids: [(EventID, UInt64)] = []
  var records = 0
  var head: UInt64 = 0

  init(
    txn: OpaquePointer?, environment: Environment, payloads: PayloadCheck
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

  mutating func run() -> VerificationReport {
    checkHeaderPages()
    var names = environment.names.withLock { $0 }
    do {
      try environment.loadNames(txn, into: &names)
    } catch {
      problem(nil, nil, "the name tables: \(error.message)")
    }
    reserveCapacity()
    if case .beside(let check) = payloads {
      worker = PayloadWorker(types: names.types, check: check)
      pending.reserveCapacity(PayloadWorker.batchSize)
    }
    // The worker reads the snapshot's bytes: it is done before the snapshot ends.
    defer { _ = worker?.finish() }
    checkRecords(names)
    let recordProblems = problems.count
    if !pending.isEmpty { worker?.submit(pending) }
    pending = []
    let versions = StreamPositions(
      counts: counts, recordStreams: recordStreams, recordPositions: recordPositions)
    recordStreams = []
    recordPositions = []
    let numbered = checkStreamVersions(versions)
    checkStreamIndex(versions, numbered: numbered)
    checkIDs()
    if let worker {
      mergePayloadProblems(worker.finish(), into: recordProblems)
    }
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
    // The stream, told apart by its name's bytes: a name met before was checked then.
    let number: Int
    do {
      let nameBytes = try view.streamNameBytes()
      let known = streams.number(of: nameBytes)
      if known == nil { _ = try view.stream() }
      try view.checkMetadata()
      number = known ?? newStream(nameBytes)
    } catch {
      if !damaged { problem(position, nil, error.message) }
      return
    }
    if !damaged && checkedCategories[number] != view.categoryID {
      let stream = streams.name(of: number)
      if names.categories.name(of: view.categoryID) == stream.category {
        checkedCategories[number] = view.categoryID
      } else {
        problem(
          position, stream,
          "the record's category number \(view.categoryID) is not the category of its stream")
      }
    }
    // Format 1 records carry only the program's time, which was never kept in order.
    if !damaged && view.formatVersion >= 2 {
      let time = view.recordedTime
      if let lastTime, time < lastTime {
        problem(
          position, streams.name(of: number),
          "recorded at \(time), before the event before it (\(lastTime))")
      }
      lastTime = time
    }
    let count = counts[number]
    counts[number] = count + 1
    recordStreams.append(Int32(truncatingIfNeeded: number))
    recordPositions.append(position)
    if view.version.rawValue != UInt64(count + 1) {
      problem(
        position, streams.name(of: number),
        "version \(view.version) where \(count + 1) was expected")
    }
    ids.append((view.id, position))
    guard !damaged else { return }
    switch payloads {
    case .none: break
    case .here(let check):
      do {
        try check(view)
      } catch {
        problem(position, streams.name(of: number), PayloadWorker.describe(error, of: view))
      }
    case .beside:
      pending.append(
        PendingPayload(
          position: position, stream: Int32(truncatingIfNeeded: number), bytes: view.bytes))
      if pending.count == PayloadWorker.batchSize {
        worker?.submit(pending)
        pending.removeAll(keepingCapacity: true)
      }
    }
  }

  /// Puts the payload problems among the records' problems (the first `end` of them), by
  /// position, as if each had been found when its record was read.
  mutating func mergePayloadProblems(_ found: [PayloadProblem], into end: Int) {
    guard !found.isEmpty else { return }
    var merged: [VerificationProblem] = []
    merged.reserveCapacity(problems.count + found.count)
    var next = 0
    for problem in problems[..<end] {
      // A problem with no position (a whole-log one) keeps its place.
      if let position = problem.position {
        while next < found.count && found[next].position < position.rawValue {
          merged.append(payloadProblem(found[next]))
          next += 1
        }
      }
      merged.append(problem)
    }
    for payload in found[next...] { merged.append(payloadProblem(payload)) }
    merged.append(contentsOf: problems[end...])
    problems = merged
  }

  private func payloadProblem(_ found: PayloadProblem) -> VerificationProblem {
    VerificationProblem(
      position: LogPosition(found.position), stream: streams.name(of: Int(found.stream)),
      message: found.message)
  }

  /// Numbers a stream met for the first time.
  private mutating func newStream(_ nameBytes: UnsafeRawBufferPointer) -> Int {
    counts.append(0)
    checkedCategories.append(nil)
    validNames.append(0)
    return streams.insert(nameBytes)
  }

  /// Sizes the tables from LMDB's own counts, so that they do not grow (rehashing every
  /// stream name) while the records are read. A damaged count only costs memory, never more
  /// than the records themselves would, and never more than a bound: past it, they grow.
  mutating func reserveCapacity() {
    var events = MDB_stat()
    var streamCount = MDB_stat()
    guard clmdb_stat(txn, environment.dbs.events, &events) == 0,
      clmdb_stat(txn, environment.dbs.streams, &streamCount) == 0
    else { return }
    let records = min(Int(clamping: events.ms_entries), 1 << 24)
    ids.reserveCapacity(records)
    recordStreams.reserveCapacity(records)
    recordPositions.reserveCapacity(records)
    let streamsExpected = min(records, Int(clamping: streamCount.ms_entries))
    streams.reserveCapacity(streamsExpected)
    counts.reserveCapacity(streamsExpected)
    checkedCategories.reserveCapacity(streamsExpected)
    validNames.reserveCapacity(streamsExpected)
  }

  /// Whether stream `number`'s name (`bytes`) is one a store accepts; asked once per stream.
  private mutating func isValidName(_ number: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
    if validNames[number] == 0 {
      let valid: Bool
      if bytes.allSatisfy({ $0 < 0x80 }) {
        // ASCII: the bytes are the name's UTF-8 as they stand, no string needed.
        valid = StreamName.isValid(utf8: bytes)
      } else {
        valid = StreamName.isValid(String(decoding: bytes, as: UTF8.self))
      }
      validNames[number] = valid ? 1 : 2
    }
    return validNames[number] == 1
  }

  // MARK: - Indexes

  /// Each stream-index entry (stream, first version → first position, count) must describe
  /// events the records hold, and together the entries must cover each stream once. No count
  /// is trusted: a damaged one is compared, never used to allocate or loop. In a log whose
  /// index names streams by number, `numbered` maps each number to the stream that the
  /// `streams` database gives it.
  mutating func checkStreamIndex(_ versions: StreamPositions, numbered: [Int32]) {
    let keys = environment.dbs.streamKeys
    var cursor: OpaquePointer?
    guard mdb_cursor_open(txn, environment.dbs.streamIndex, &cursor) == 0 else {
      problem(nil, nil, "cannot open a cursor on the stream index")
      return
    }
    defer { mdb_cursor_close(cursor) }
    /// How many of each stream's versions the index has described so far.
    var covered = [UInt64](repeating: 0, count: streams.count)
    /// The stream the entry before named, and its number.
    var last: (name: UnsafeRawBufferPointer, number: Int?)?
    var key = MDB_val()
    var value = MDB_val()
    var rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
    while rc == 0 {
      defer { rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT) }
      guard let keyBytes = try? environment.bounds.buffer(key, "a stream index key"),
        let valueBytes = try? environment.bounds.buffer(value, "a stream index entry"),
        valueBytes.count == 16 || (keys == .numbers && valueBytes.count == 8),
        keys == .names
          ? keyBytes.count > 9 && keyBytes[keyBytes.count - 9] == 0 : keyBytes.count == 12
      else {
        problem(nil, nil, "a stream index entry of the wrong shape")
        continue
      }
      let firstVersion = UInt64(
        bigEndian: keyBytes.loadUnaligned(fromByteOffset: keyBytes.count - 8, as: UInt64.self))
      let firstPosition = UInt64(bigEndian: valueBytes.loadUnaligned(as: UInt64.self))
      let count =
        valueBytes.count == 8
        ? 1 : UInt64(bigEndian: valueBytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
      let number: Int
      if keys == .numbers {
        let stored = Int(UInt32(bigEndian: keyBytes.loadUnaligned(as: UInt32.self)))
        guard stored < numbered.count, numbered[stored] >= 0 else {
          problem(
            firstPosition, nil,
            "the stream index lists \(count) events from version \(firstVersion) of stream number \(stored), which no stream has"
          )
          continue
        }
        number = Int(numbered[stored])
      } else {
        let nameBytes = UnsafeRawBufferPointer(rebasing: keyBytes[..<(keyBytes.count - 9)])
        // A stream's batches are listed one after another: its number is looked up once.
        let found: Int?
        if let last, StreamTable.equal(last.name, nameBytes) {
          found = last.number
        } else {
          found = streams.number(of: nameBytes)
          last = (nameBytes, found)
        }
        guard let found else {
          let name = String(decoding: nameBytes, as: UTF8.self)
          guard let stream = try? StreamName(validating: name) else {
            problem(nil, nil, "the stream index names an invalid stream")
            continue
          }
          // A stream no record names: reported as for a stream with no events.
          problem(
            firstPosition, stream,
            firstVersion == 1
              ? "the stream index lists \(count) events from version 1, the log has 0"
              : "the stream index starts a batch at version \(firstVersion) where 1 was expected")
          continue
        }
        guard isValidName(found, nameBytes) else {
          problem(nil, nil, "the stream index names an invalid stream")
          continue
        }
        number = found
      }
      // The name is made only for a report: most entries need none.
      let positions = versions.positions(of: number)
      let expectedVersion = covered[number] + 1
      guard firstVersion == expectedVersion else {
        problem(
          firstPosition, streams.name(of: number),
          "the stream index starts a batch at version \(firstVersion) where \(expectedVersion) was expected"
        )
        covered[number] = max(covered[number], firstVersion)
        continue
      }
      let available = UInt64(positions.count) - min(UInt64(positions.count), firstVersion - 1)
      guard count >= 1, count <= available else {
        problem(
          firstPosition, streams.name(of: number),
          "the stream index lists \(count) events from version \(firstVersion), the log has \(available)"
        )
        covered[number] = UInt64(positions.count)
        continue
      }
      for offset in 0..<count {
        let version = firstVersion + offset
        let actual = positions[positions.startIndex + Int(version - 1)]
        if actual != firstPosition + offset {
          problem(
            actual, streams.name(of: number),
            "the stream index puts version \(version) at position \(firstPosition + offset), the log at \(actual)"
          )
          break
        }
      }
      covered[number] = firstVersion + count - 1
    }
    if rc != LMDBCode.notFound {
      problem(nil, nil, lmdbError(rc, "reading the stream index").message)
    }
    for number in 0..<streams.count where covered[number] != UInt64(counts[number]) {
      problem(
        versions.positions(of: number).first, streams.name(of: number),
        "the stream index lists \(covered[number]) events, the log \(counts[number])")
    }
  }

  /// Each stream's recorded version is its last event's. The versions are read in one pass
  /// over their database, in its order, each found among the streams by its name's bytes. In
  /// a log whose stream index names streams by number, each stream has a number of its own,
  /// from 1 to the count of streams: the result maps each number to the stream (its index in
  /// `streams`), -1 where none has it.
  mutating func checkStreamVersions(_ versions: StreamPositions) -> [Int32] {
    let keys = environment.dbs.streamKeys
    var recorded = [UInt64?](repeating: nil, count: streams.count)
    var stat = MDB_stat()
    let entries = clmdb_stat(txn, environment.dbs.streams, &stat) == 0 ? stat.ms_entries : 0
    // Sized by the streams the records name, not by a count that may be damaged.
    var numbered = [Int32](repeating: -1, count: keys == .numbers ? streams.count + 1 : 0)
    var cursor: OpaquePointer?
    guard mdb_cursor_open(txn, environment.dbs.streams, &cursor) == 0 else {
      problem(nil, nil, "cannot open a cursor on the stream versions")
      return numbered
    }
    var key = MDB_val()
    var value = MDB_val()
    var rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
    while rc == 0 {
      defer { rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT) }
      // A version kept for a stream no record names is counted below.
      guard let keyBytes = try? environment.bounds.buffer(key, "a stream version key"),
        let number = streams.number(of: keyBytes)
      else { continue }
      guard let valueBytes = try? environment.bounds.buffer(value, "a stream version"),
        let entry = StreamRecord(valueBytes, keys: keys)
      else {
        problem(
          versions.positions(of: number).last, streams.name(of: number),
          "the stream's version entry is not \(keys.streamRecordSize) bytes")
        recorded[number] = UInt64(counts[number])
        continue
      }
      recorded[number] = entry.version
      if let stored = entry.number {
        let place = Int(stored)
        if place < 1 || place >= numbered.count {
          problem(
            versions.positions(of: number).first, streams.name(of: number),
            "the stream's number \(stored) is not one of 1 to \(numbered.count - 1), the streams' count"
          )
        } else if numbered[place] >= 0 {
          problem(
            versions.positions(of: number).first, streams.name(of: number),
            "the stream's number \(stored) is \(streams.name(of: Int(numbered[place])))'s too")
        } else {
          numbered[place] = Int32(number)
        }
      }
    }
    mdb_cursor_close(cursor)
    if rc != LMDBCode.notFound {
      problem(nil, nil, lmdbError(rc, "reading the stream versions").message)
    }
    for number in 0..<streams.count where recorded[number] != UInt64(counts[number]) {
      problem(
        versions.positions(of: number).last, streams.name(of: number),
        "the recorded version \(recorded[number].map { String($0) } ?? "none") is not its last event's (\(counts[number]))"
      )
    }
    if entries != streams.count {
      problem(
        nil, nil,
        "the log records versions for \(entries) streams, its events name \(streams.count)")
    }
    return numbered
  }

  /// The ID index maps exactly the records' IDs to their positions. Both are walked in ID
  /// order side by side, so that an entry missing or added is reported once, not as a shift of
  /// every entry after it. At most 100 problems are reported.
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
      guard key.mv_size == 16, let keyBytes = try? environment.bounds.buffer(key, "an ID"),
        let position = value.bigEndianUInt64
      else {
        problem(nil, nil, "an ID index entry of the wrong shape")
        reported += 1
        rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        continue
      }
      let id = EventID(
        high: UInt64(bigEndian: keyBytes.loadUnaligned(as: UInt64.self)),
        low: UInt64(bigEndian: keyBytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
      if index < ids.count && ids[index].0 < id {
        // A record's ID the index passed over.
        problem(ids[index].1, nil, "event \(ids[index].0) is missing from the ID index")
        reported += 1
        index += 1
        continue
      }
      if index < ids.count && ids[index].0 == id {
        if ids[index].1 != position {
          problem(ids[index].1, nil, "the ID index puts event \(id) at position \(position)")
          reported += 1
        }
        index += 1
      } else {
        problem(position, nil, "the ID index lists event \(id), which no record has")
        reported += 1
      }
      rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
    }
    if rc != 0 && rc != LMDBCode.notFound {
      problem(nil, nil, lmdbError(rc, "reading the ID index").message)
    }
    while index < ids.count && reported < 100 && (rc == LMDBCode.notFound) {
      problem(ids[index].1, nil, "event \(ids[index].0) is missing from the ID index")
      reported += 1
      index += 1
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
