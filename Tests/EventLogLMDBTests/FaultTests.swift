import EventLog
import EventLogTestSupport
import Foundation
import Testing

@testable import EventLogLMDB

/// A log of `count` events, each payload `P` and its position in 7 digits, over `streams`
/// streams (`s-0`, `s-1`, …) in batches of 5; closed when this returns.
func writeMarkedLog(
  at path: String, count: Int, streams: Int = 7, format: UInt32 = StoreFormat.version
) async throws {
  var options = LMDBEventStore.Options(durability: .noSync)
  options.newLogFormat = format
  let store = try LMDBEventStore(path: path, options: options)
  defer { store.close() }
  var position = 1
  while position <= count {
    let stream = StreamName("s-\((position / 5) % streams)")
    let batch = (position..<min(count + 1, position + 5)).map { at in
      EventData(
        id: .random(), eventType: "Marked", encoding: .binary,
        payload: Array(String(format: "P%07d", at).utf8),
        metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: Int64(at))))
    }
    try await store.append(batch, to: stream, expectedVersion: .any)
    position += batch.count
  }
}

/// The bytes of a log's data file, to damage and write back.
struct DataFile {
  let path: String
  var bytes: [UInt8]

  init(log: String) throws {
    path = log + "/data.mdb"
    bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  func save() throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// Every offset where `pattern` occurs.
  func offsets(of pattern: [UInt8]) -> [Int] {
    guard pattern.count <= bytes.count else { return [] }
    var found: [Int] = []
    let first = pattern[0]
    var index = 0
    while index <= bytes.count - pattern.count {
      if bytes[index] == first && bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
        found.append(index)
      }
      index += 1
    }
    return found
  }

  /// The offsets of the payload of the event at `position` (see
  /// ``writeMarkedLog(at:count:streams:)``): LMDB copies a page on write, so older copies of
  /// it may linger in free pages; damage them all.
  func payload(of position: Int) throws -> [Int] {
    let found = offsets(of: Array(String(format: "P%07d", position).utf8))
    try #require(!found.isEmpty)
    return found
  }

  /// The offsets of the leaf nodes holding the record at `position` (and its stale copies):
  /// each an 8-byte header (data size low and high 16 bits, flags, key size), then the key
  /// (the position, big-endian).
  func recordNodes(of position: Int) throws -> [Int] {
    var key: [UInt8] = [8, 0]
    withUnsafeBytes(of: UInt64(position).bigEndian) { key.append(contentsOf: $0) }
    let nodes = offsets(of: key).map { $0 - 6 }.filter { offset in
      offset >= 0 && bytes[offset + 16] == RecordFormat.version && bytes[offset + 3] == 0
    }
    try #require(!nodes.isEmpty)
    return nodes
  }

  /// The two transaction numbers of LMDB's header pages.
  func headerTransactions() -> (UInt64, UInt64) {
    func at(_ offset: Int) -> UInt64 {
      bytes[offset..<(offset + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    return (at(144), at(4096 + 144))
  }

  mutating func setHeaderTransaction(page: Int, _ value: UInt64) {
    withUnsafeBytes(of: value.littleEndian) { raw in
      for i in 0..<8 { bytes[page * 4096 + 144 + i] = raw[i] }
    }
  }
}

/// Reads the whole log and returns the error that stopped it, if any.
func readError(_ store: LMDBEventStore) async -> EventStoreError? {
  do {
    var next = LogPosition.first
    while true {
      let page = try await store.readLog(from: next, limit: 500)
      if page.events.isEmpty { return nil }
      next = page.nextPosition
    }
  } catch let error as EventStoreError {
    return error
  } catch {
    Issue.record("an error that is not an EventStoreError: \(error)")
    return nil
  }
}

@Suite("A damaged log: typed errors, never a crash")
struct DamagedLogTests {
  @Test func aChangedPayloadByteFailsTheChecksumAtItsPosition() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 600)
    var file = try DataFile(log: path)
    for offset in try file.payload(of: 321) { file.bytes[offset + 4] ^= 0x01 }
    try file.save()

    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let error = try #require(await readError(store))
    #expect(error.code == .corruptRecord)
    #expect(error.position == 321)
    #expect(error.message.contains("checksum"))
    let report = try store.verify()
    #expect(report.problems.map(\.position) == [321])
    // The rest of the log still reads.
    let after = try await store.readLog(from: 322, limit: 1000)
    #expect(after.events.count == 600 - 321)
  }

  @Test func aRecordSizeReachingPastTheFileIsAnErrorNotABusError() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 600)
    var file = try DataFile(log: path)
    for node in try file.recordNodes(of: 200) {
      file.bytes[node + 2] = 0x7F  // the size's high half: now about 8 MB
    }
    try file.save()

    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let error = try #require(await readError(store))
    #expect(error.code == .corruptRecord)
    #expect(error.position == 200)
    let report = try store.verify()
    #expect(report.problems.contains { $0.position == 200 })
  }

  @Test func aRecordSizeOneTooLongFailsTheChecksum() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 100)
    var file = try DataFile(log: path)
    for node in try file.recordNodes(of: 40) { file.bytes[node] &+= 1 }
    try file.save()

    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let error = try #require(await readError(store))
    #expect(error.code == .corruptRecord)
    #expect(error.position == 40)
  }

  @Test(arguments: [2, StoreFormat.version])
  func aDamagedStreamIndexCountIsReportedWithoutAllocatingIt(_ format: UInt32) async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 200, format: format)
    var file = try DataFile(log: path)
    // The stream index entry of s-3's batch at version 1: key "s-3", 0 (format 2) or s-3's
    // number, 4 (format 3), then version 1 (big-endian); then its value: first position,
    // count (big-endian).
    var key = format == 2 ? Array("s-3".utf8) + [0] : [0, 0, 0, 4]
    withUnsafeBytes(of: UInt64(1).bigEndian) { key.append(contentsOf: $0) }
    // The key's bytes may also occur by chance elsewhere in the file (in an event ID, say):
    // only the places followed by the batch's count, 5, are its entry.
    let entries = file.offsets(of: key).filter { entry in
      let countOffset = entry + key.count + 8
      return countOffset + 8 <= file.bytes.count
        && file.bytes[countOffset..<(countOffset + 7)].allSatisfy { $0 == 0 }
        && file.bytes[countOffset + 7] == 5
    }
    try #require(!entries.isEmpty)
    for entry in entries {
      let countOffset = entry + key.count + 8
      file.bytes[countOffset + 4] = 0x4E  // a count of about 1.3 billion
    }
    try file.save()

    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let report = try store.verify()
    #expect(report.problems.contains { $0.stream == "s-3" && $0.message.contains("stream index") })
    #expect(report.records == 200)
    await #expect(throws: EventStoreError.self) {
      _ = try await store.readStream("s-3")
    }
  }

  @Test(arguments: ["zeroed", "random"])
  func aDamagedPageIsAnErrorNotAnAbort(_ damage: String) async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 3000)
    var file = try DataFile(log: path)
    var random = SystemRandomNumberGenerator()
    for page in Set(try file.payload(of: 1500).map { $0 / 4096 * 4096 }) {
      for offset in page..<(page + 4096) {
        file.bytes[offset] = damage == "zeroed" ? 0 : random.next()
      }
    }
    try file.save()

    // Opening may already refuse the file; if it opens, reading and verifying report the
    // damage. Either way: a typed error, and this process is still here.
    let store: LMDBEventStore
    do {
      store = try LMDBEventStore(path: path)
    } catch {
      #expect(error.code == .corruptRecord || error.code == .foreignFile)
      return
    }
    defer { store.close() }
    let error = try #require(await readError(store))
    #expect(error.code == .corruptRecord)
    let report = try store.verify()
    #expect(!report.isHealthy)
  }

  /// A log of 50 marked events (and, if `bigLastCommit`, a last commit that grows the file)
  /// whose newest header page's transaction number is changed by `change`, reopened.
  func logWithDamagedHeader(
    _ directory: borrowing TemporaryDirectory, bigLastCommit: Bool = false,
    _ change: (UInt64) -> UInt64
  ) async throws -> LMDBEventStore {
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 50)
    if bigLastCommit {
      // A batch larger than the pages freed so far: the last commit needs new pages.
      let store = try LMDBEventStore(path: path)
      try await store.append(testEvents(40, size: 3000), to: "big-1", expectedVersion: .noStream)
      store.close()
    }
    var file = try DataFile(log: path)
    let (first, second) = file.headerTransactions()
    file.setHeaderTransaction(page: first > second ? 0 : 1, change(max(first, second)))
    try file.save()
    return try LMDBEventStore(path: path)
  }

  @Test func aHeaderPageWithAHigherTransactionNumberIsCaughtByVerify() async throws {
    let directory = TemporaryDirectory()
    let store = try await logWithDamagedHeader(directory) { $0 + 2 }
    defer { store.close() }
    let report = try store.verify()
    #expect(report.problems.contains { $0.message.contains("header page") })
  }

  @Test func aHeaderPageThatHidesTheLastCommitIsCaughtByVerify() async throws {
    let directory = TemporaryDirectory()
    // Lower than the other page's number: LMDB now reads the commit before the last one.
    let store = try await logWithDamagedHeader(directory) { $0 - 3 }
    defer { store.close() }
    #expect(try await store.headPosition() == 45)  // the last batch is hidden…
    let report = try store.verify()
    #expect(report.problems.contains { $0.message.contains("header page") })  // …and reported
  }

  @Test func aHeaderPageLoweredByTwoIsCaughtWhenTheHiddenCommitGrewTheFile() async throws {
    let directory = TemporaryDirectory()
    let store = try await logWithDamagedHeader(directory, bigLastCommit: true) { $0 - 2 }
    defer { store.close() }
    #expect(try await store.headPosition() == 50)  // the last commit is hidden…
    let report = try store.verify()
    #expect(report.problems.contains { $0.message.contains("last page") })  // …and reported
  }

  @Test func verifyIsRightBesideALiveWriter() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 500)
    let store = try LMDBEventStore(path: path, options: .init(durability: .noSync))
    defer { store.close() }
    let writer = Task {
      var appended = 0
      while !Task.isCancelled {
        let stream = StreamName("s-\(appended % 11)")
        try await store.append(testEvents(1 + appended % 4), to: stream, expectedVersion: .any)
        appended += 1
      }
      return appended
    }
    // Let the writer get going, then verify again and again while it appends.
    while try await store.headPosition() < 520 { try await Task.sleep(for: .milliseconds(2)) }
    var checked = 0
    var heads: Set<LogPosition> = []
    while checked < 20 || heads.count < 3 {
      let report = try store.verify()
      #expect(report.problems.map(\.description) == [])
      heads.insert(report.head)
      checked += 1
      try await Task.sleep(for: .milliseconds(3))
      if checked > 2000 { break }
    }
    writer.cancel()
    let appended = try await writer.value
    #expect(appended > 0)
    #expect(heads.count > 1, "the writer appended while verify ran")
  }
}

@Suite("Recorded times")
struct RecordedTimeTests {
  @Test func aClockThatRunsBackwardsNeverMakesTheLogRunBackwards() async throws {
    let directory = TemporaryDirectory()
    let times = ManualClock(Timestamp(nanosecondsSince1970: 1_000_000))
    let store = try LMDBEventStore(path: directory.appending("log"), clock: times.clock)
    defer { store.close() }
    try await store.append(testEvents(2), to: "a-1", expectedVersion: .any)
    times.set(Timestamp(nanosecondsSince1970: 5))  // the clock jumps back
    try await store.append(testEvents(2), to: "a-2", expectedVersion: .any)
    times.set(Timestamp(nanosecondsSince1970: 2_000_000))
    try await store.append(testEvents(1), to: "a-1", expectedVersion: .any)
    let events = try await readWholeLog(store)
    #expect(
      events.map(\.recordedTime.nanosecondsSince1970) == [
        1_000_000, 1_000_000, 1_000_000, 1_000_000, 2_000_000,
      ])
    // The program's own times are kept as they were given.
    #expect(events.map(\.metadata.time.nanosecondsSince1970) == [0, 1, 0, 1, 0])
  }

  @Test func aCopiedEventEarlierThanTheLogIsRefusedAndNothingIsWritten() async throws {
    let directory = TemporaryDirectory()
    let times = ManualClock(Timestamp(nanosecondsSince1970: 1_000))
    let store = try LMDBEventStore(path: directory.appending("log"), clock: times.clock)
    defer { store.close() }
    try await store.append(testEvents(1), to: "a-1", expectedVersion: .any)
    var copied = testEvents(2)
    copied[0].recordedTime = Timestamp(nanosecondsSince1970: 2_000)
    copied[1].recordedTime = Timestamp(nanosecondsSince1970: 999)
    await #expect {
      try await store.append(copied, to: "a-2", expectedVersion: .any)
    } throws: { error in
      (error as? EventStoreError)?.code == .timeOrder
        && (error as? EventStoreError)?.position == 3
    }
    #expect(try await store.headPosition() == 1)
    copied[1].recordedTime = Timestamp(nanosecondsSince1970: 2_000)
    try await store.append(copied, to: "a-2", expectedVersion: .any)
    let events = try await readWholeLog(store)
    #expect(events.map(\.recordedTime.nanosecondsSince1970) == [1_000, 2_000, 2_000])
  }
}
