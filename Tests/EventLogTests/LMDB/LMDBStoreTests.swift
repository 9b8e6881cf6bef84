import CLMDB
import EventLog
import Foundation
import Testing

@testable import EventLogLMDB

func testEvents(_ count: Int, type: String = "Tested", size: Int = 8) -> [EventData] {
  (0..<count).map { index in
    EventData(
      id: .random(), eventType: type, encoding: .binary,
      payload: Array(repeating: UInt8(truncatingIfNeeded: index), count: size),
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: Int64(index))))
  }
}

/// Reads every event of the log and checks positions 1…head without gaps.
func readWholeLog(_ store: any EventStore) async throws -> [RecordedEvent] {
  var all: [RecordedEvent] = []
  var next = LogPosition.first
  while true {
    let page = try await store.readLog(from: next, limit: 1000)
    if page.events.isEmpty { break }
    all += page.events
    next = page.nextPosition
  }
  #expect(all.map(\.position.rawValue) == Array(0..<UInt64(all.count)).map { $0 + 1 })
  #expect(try await store.headPosition().rawValue == UInt64(all.count))
  return all
}

/// The (batch, index) a stress helper wrote into an event's payload.
func stressPayload(_ event: RecordedEvent) -> (batch: UInt64, index: UInt64) {
  event.payload.withUnsafeBytes { raw in
    (
      UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
      UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    )
  }
}

@Suite("LMDBEventStore")
struct LMDBStoreTests {
  @Test func eventsSurviveReopening() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let written = testEvents(10)
    do {
      let store = try LMDBEventStore(path: path)
      try await store.append(Array(written[..<4]), to: "member-1", expectedVersion: .noStream)
      try await store.append(Array(written[4...]), to: "member-2", expectedVersion: .noStream)
      store.close()
    }
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let all = try await readWholeLog(store)
    #expect(all.map(\.data.asAppended) == written)
    // Recorded times were stamped at commit and never run backwards.
    #expect(zip(all, all.dropFirst()).allSatisfy { $0.recordedTime <= $1.recordedTime })
    #expect(try await store.currentVersion(of: "member-2") == 6)
    // Interned names were reloaded: filters and new appends use the same numbers.
    let result = try await store.append(
      testEvents(1, type: "Other"), to: "member-1", expectedVersion: .exactly(4))
    #expect(result.firstPosition == 11)
    let page = try await store.readLog(
      from: .first, limit: 100, filter: LogFilter(eventTypes: ["Tested"]))
    #expect(page.events.count == 10)
  }

  @Test func openingTheSameLogTwiceInOneProcessIsRefused() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let store = try LMDBEventStore(path: path)
    let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(path: path) }
    #expect(error?.code == .invalidArgument)
    #expect(error?.path?.hasSuffix("/log") == true)
    store.close()
    let again = try LMDBEventStore(path: path)
    again.close()
  }

  @Test func closedStoreRefusesWork() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    store.close()
    await #expect(throws: EventStoreError.self) {
      try await store.append(testEvents(1), to: "a-1", expectedVersion: .any)
    }
    let error = await #expect(throws: EventStoreError.self) { try await store.headPosition() }
    #expect(error?.code == .closed)
  }

  @Test func aTinyMapGrowsWithoutLosingTheBatchThatFilledIt() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(
      path: directory.appending("log"),
      options: .init(durability: .noSync, initialMapSize: 64 << 10))
    defer { store.close() }
    let initial = store.mapSize
    var written: [EventData] = []
    for batch in 0..<40 {
      let events = testEvents(250, size: 64)
      let result = try await store.append(events, to: "grow-\(batch % 3)", expectedVersion: .any)
      #expect(result.lastPosition.rawValue == UInt64(written.count + events.count))
      written += events
    }
    #expect(store.mapSize > initial)
    let all = try await readWholeLog(store)
    #expect(all.count == 10_000)
    #expect(all.map(\.id) == written.map(\.id))
  }

  @Test func aPathThatIsAFileIsRefused() throws {
    let directory = TemporaryDirectory()
    let file = directory.appending("plain.txt")
    #expect(FileManager.default.createFile(atPath: file, contents: Data("hello".utf8)))
    let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(path: file) }
    #expect(error?.code == .foreignFile)
  }

  @Test func aFileOfRandomBytesIsRefused() throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    var random = SplitMix64(seed: 99)
    let bytes = (0..<(64 << 10)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    #expect(FileManager.default.createFile(atPath: path + "/data.mdb", contents: Data(bytes)))
    let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(path: path) }
    #expect(error?.code == .foreignFile)
    #expect(error?.description.contains("data.mdb") == true || error?.path != nil)
  }

  @Test(arguments: [0.5, 0.9, 0.001])
  func aTruncatedFileIsRefused(keeping fraction: Double) async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    do {
      let store = try LMDBEventStore(path: path, options: .init(durability: .noSync))
      for _ in 0..<20 {
        try await store.append(testEvents(200, size: 100), to: "a-1", expectedVersion: .any)
      }
      store.close()
    }
    let data = path + "/data.mdb"
    let size = try #require(FileManager.default.attributesOfItem(atPath: data)[.size] as? Int)
    let handle = try #require(FileHandle(forUpdatingAtPath: data))
    try handle.truncate(atOffset: UInt64(Double(size) * fraction))
    try handle.close()
    let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(path: path) }
    #expect(error?.code == .corruptRecord)
    #expect(error?.description.contains("truncated") == true)
  }

  @Test func aNewerFormatIsRefused() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    do {
      let store = try LMDBEventStore(path: path)
      try await store.append(testEvents(1), to: "a-1", expectedVersion: .any)
      store.close()
    }
    try LMDBEventStore.writeFormatVersion(StoreFormat.version + 1, at: path)
    let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(path: path) }
    #expect(error?.code == .unsupportedFormatVersion)
    #expect(error?.message.contains("format \(StoreFormat.version + 1)") == true)
  }

  @Test func anotherProgramsLMDBFileIsRefused() throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("other")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    var env: OpaquePointer?
    #expect(mdb_env_create(&env) == 0)
    mdb_env_set_maxdbs(env, 4)
    #expect(mdb_env_open(env, path, 0, 0o644) == 0)
    var txn: OpaquePointer?
    #expect(mdb_txn_begin(env, nil, 0, &txn) == 0)
    var dbi: MDB_dbi = 0
    #expect(mdb_dbi_open(txn, "settings", UInt32(MDB_CREATE), &dbi) == 0)
    var keyBytes = Array("theme".utf8)
    var valueBytes = Array("dark".utf8)
    keyBytes.withUnsafeMutableBytes { k in
      valueBytes.withUnsafeMutableBytes { v in
        var key = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
        var value = MDB_val(mv_size: v.count, mv_data: v.baseAddress)
        #expect(mdb_put(txn, dbi, &key, &value, 0) == 0)
      }
    }
    #expect(mdb_txn_commit(txn) == 0)
    mdb_env_close(env)
    let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(path: path) }
    #expect(error?.code == .foreignFile)
  }

  @Test func readsRunFromManyTasksWhileOneWrites() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(
      path: directory.appending("log"), options: .init(durability: .noSync))
    defer { store.close() }
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        for _ in 0..<50 { try await store.append(testEvents(20), to: "a-1", expectedVersion: .any) }
      }
      for _ in 0..<4 {
        group.addTask {
          var last = LogPosition.start
          for _ in 0..<50 {
            let head = try await store.headPosition()
            #expect(head >= last)
            last = head
            let page = try await store.readLog(from: .first, limit: 50)
            #expect(
              page.events.map(\.position.rawValue) == (0..<UInt64(page.events.count)).map { $0 + 1 }
            )
          }
        }
      }
      try await group.waitForAll()
    }
    #expect(try await store.headPosition() == 1000)
  }
}

@Suite("LMDBEventStore across processes", .serialized)
struct LMDBProcessTests {
  @Test func killedWritersLoseNoAcknowledgedAppendAndLeaveNoPartialBatch() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let batchSize = 5
    var random = SplitMix64(seed: 2018)
    var acknowledged: [(position: UInt64, version: UInt64)] = []
    for _ in 0..<50 {
      let child = try StressHelper(["append", path, "stress-1", "100000", String(batchSize)])
      try await Task.sleep(for: .milliseconds(Int(20 + random.next() % 130)))
      child.kill()
      acknowledged += child.acknowledgements().map { ($0.position, $0.version) }

      let store = try LMDBEventStore(path: path)
      let all = try await readWholeLog(store)
      let version = try await store.currentVersion(of: "stress-1")?.rawValue ?? 0
      store.close()
      #expect(UInt64(all.count) == version)
      #expect(all.count % batchSize == 0, "a batch is partly there")
      for (offset, event) in all.enumerated() {
        #expect(event.version.rawValue == UInt64(offset + 1))
        #expect(stressPayload(event).index == UInt64(offset % batchSize))
      }
      for ack in acknowledged {
        #expect(ack.position <= UInt64(all.count), "an acknowledged append is missing")
        if ack.position <= UInt64(all.count) {
          let event = all[Int(ack.position) - 1]
          #expect(event.version.rawValue == ack.version)
          #expect(stressPayload(event).index == UInt64(batchSize - 1))
        }
      }
    }
    #expect(!acknowledged.isEmpty)
  }

  @Test func twoProcessesAppendToOneLogWhileAThirdFollows() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let batches = 120
    let batchSize = 3
    let total = 2 * batches * batchSize
    let store = try LMDBEventStore(path: path, options: .init(initialMapSize: 64 << 10))
    defer { store.close() }
    let follower = Task { () throws -> [RecordedEvent] in
      var seen: [RecordedEvent] = []
      for try await event in store.follow(from: .first) {
        seen.append(event)
        if seen.count == total { break }
      }
      return seen
    }
    let children = try (0..<2).map { _ in
      try StressHelper(["append", path, "shared-1", String(batches), String(batchSize), "any"])
    }
    for child in children { #expect(child.wait() == 0) }
    let timeout = Task {
      try await Task.sleep(for: .seconds(30))
      follower.cancel()
    }
    let followed = try await follower.value
    timeout.cancel()

    let all = try await readWholeLog(store)
    #expect(all.count == total)
    #expect(followed.map(\.id) == all.map(\.id), "the follower saw every event once, in order")
    #expect(Set(all.map(\.id)).count == total)
    #expect(try await store.currentVersion(of: "shared-1") == StreamVersion(UInt64(total)))
    #expect(all.map(\.version.rawValue) == Array(1...UInt64(total)))
    // Each process's batches are whole and in order.
    var byWriter: [String: [RecordedEvent]] = [:]
    for event in all { byWriter[event.metadata.actor ?? "", default: []].append(event) }
    #expect(byWriter.count == 2)
    for (_, events) in byWriter {
      #expect(events.count == batches * batchSize)
      for (offset, event) in events.enumerated() {
        let payload = stressPayload(event)
        #expect(payload.batch == UInt64(offset / batchSize))
        #expect(payload.index == UInt64(offset % batchSize))
      }
      for start in stride(from: 0, to: events.count, by: batchSize) {
        let positions = events[start..<start + batchSize].map(\.position.rawValue)
        #expect(
          positions == Array(positions[0]..<positions[0] + UInt64(batchSize)),
          "a batch was interleaved")
      }
    }
  }
}
