import CLMDB
import ChildProcessSupport
import EventLog
import EventLogConformance
import EventLogTestSupport
import Foundation
import Synchronization
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

/// A count shared by the tasks of a test.
final class AcknowledgedCount: Sendable {
  let value = Atomic<Int>(0)
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

  @Test func aStateCutShortWhileTheLogIsOpenIsRefusedNotACrash() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let store = try LMDBEventStore(path: path, options: .init(durability: .noSync))
    defer { store.close() }
    try await store.append(testEvents(10, size: 100), to: "a-1", expectedVersion: .any)
    var random = SplitMix64(seed: 7)
    let bytes = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    try await store.saveState(StoredState(position: 10, bytes: bytes), for: "big")
    #expect(try await store.loadState("big")?.bytes == bytes)
    let whole = try await store.withState("big") { _, lent in lent.count }
    #expect(whole == bytes.count)
    // The state's bytes found in a snapshot, the file then cut inside them: the check of a
    // state read once looks at the file as it is now (one fstat), not as last seen, and
    // refuses them before anything reads them.
    let data = path + "/data.mdb"
    let size = try #require(FileManager.default.attributesOfItem(atPath: data)[.size] as? Int)
    let environment = store.environment
    var key = Array("big".utf8)
    let refused = try environment.read { txn in
      try key.withUnsafeMutableBytes { raw in
        var keyValue = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
        var value = MDB_val()
        #expect(mdb_get(txn, environment.dbs.states, &keyValue, &value) == 0)
        let start = UInt(bitPattern: value.mv_data)
        #expect(try environment.bounds.currentBuffer(value, "state big").count == value.mv_size)
        // Keep the first half of the state's bytes in the file.
        let mapStart = environment.bounds.mapStart
        #expect(mapStart != 0 && start > mapStart)
        let handle = try #require(FileHandle(forUpdatingAtPath: data))
        try handle.truncate(atOffset: UInt64(start - mapStart) + UInt64(value.mv_size / 2))
        try handle.close()
        return #expect(throws: EventStoreError.self) {
          _ = try environment.bounds.currentBuffer(value, "state big")
        }
      }
    }
    #expect(refused?.code == .corruptRecord)
    #expect(refused?.description.contains("past the end of data.mdb") == true)
    #expect(size > bytes.count)
    // Through the store: a typed error, whatever page the cut reaches first.
    let loaded = await #expect(throws: EventStoreError.self) {
      _ = try await store.loadState("big")
    }
    #expect(loaded?.code == .corruptRecord)
    let lent = await #expect(throws: EventStoreError.self) {
      _ = try await store.withState("big") { _, lent in lent.last }
    }
    #expect(lent?.code == .corruptRecord)
    #expect(lent?.description.contains("data.mdb") == true)
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

  /// Single-event appends from many callers, committed in groups by the durable store's
  /// writer: every append is acknowledged once, announced to a follower (whose own polling is
  /// an hour apart, so only the announcement wakes it), and found after reopening where its
  /// result said.
  @Test(.timeLimit(.minutes(2)))
  func durableAppendsFromManyCallersAreAcknowledgedAnnouncedAndKept() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let callers = 32
    let each = 8
    var acknowledged: [(EventData, LogPosition)] = []
    do {
      let store = try LMDBEventStore(path: path, options: .init(pollInterval: .seconds(3600)))
      defer { store.close() }
      let follower = Task {
        var seen = LogPosition.start
        while seen.rawValue < UInt64(callers * each) {
          await store.waitForAppends(after: seen)
          seen = try await store.headPosition()
        }
        return seen
      }
      acknowledged = try await withThrowingTaskGroup(of: [(EventData, LogPosition)].self) {
        group in
        for caller in 0..<callers {
          group.addTask {
            var mine: [(EventData, LogPosition)] = []
            for index in 0..<each {
              let event = testEvents(1)[0]
              let result = try await store.append(
                [event], to: StreamName("caller-\(caller)"),
                expectedVersion: index == 0 ? .noStream : .exactly(StreamVersion(UInt64(index))))
              #expect(result.firstPosition == result.lastPosition)
              mine.append((event, result.firstPosition))
            }
            return mine
          }
        }
        return try await group.reduce(into: []) { $0 += $1 }
      }
      #expect(try await follower.value.rawValue == UInt64(callers * each))
    }
    #expect(Set(acknowledged.map(\.1)).count == callers * each)
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let all = try await readWholeLog(store)
    #expect(all.count == callers * each)
    for (event, position) in acknowledged {
      #expect(all[Int(position.rawValue) - 1].id == event.id)
    }
  }

  /// A durable store closed while callers append: each append is either acknowledged, and then
  /// found after reopening, or refused because the store closed; none is left waiting.
  @Test(.timeLimit(.minutes(2)))
  func aDurableStoreClosedWhileCallersAppendKeepsEveryAcknowledgedAppend() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let store = try LMDBEventStore(path: path)
    let count = AcknowledgedCount()
    let acknowledged = try await withThrowingTaskGroup(of: [EventID].self) { group in
      for caller in 0..<16 {
        group.addTask {
          var mine: [EventID] = []
          while true {
            let event = testEvents(1)[0]
            do {
              _ = try await store.append([event], to: "caller-\(caller)", expectedVersion: .any)
            } catch let error as EventStoreError {
              #expect(error.code == .closed)
              return mine
            }
            mine.append(event.id)
            count.value.add(1, ordering: .relaxed)
          }
        }
      }
      while count.value.load(ordering: .relaxed) < 200 {
        try await Task.sleep(for: .milliseconds(1))
      }
      store.close()
      return try await group.reduce(into: []) { $0 += $1 }
    }
    #expect(acknowledged.count >= 200)
    let reopened = try LMDBEventStore(path: path)
    defer { reopened.close() }
    let recorded = Set(try await readWholeLog(reopened).map(\.id))
    #expect(Set(acknowledged).isSubset(of: recorded))
  }

  @Test func aSubjectsKeysAreItsOwnWhenAnotherIdentifierBeginsWithItsAndAZero() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    let short = DataSubject("participant", "g/r")
    let long = DataSubject("participant", "g/r\u{0}x")
    try await store.storeDataKeys([
      WrappedDataKey(subject: short, id: 1, wrapped: [1]),
      WrappedDataKey(subject: long, id: 2, wrapped: [2]),
      WrappedDataKey(subject: short, id: 3, wrapped: [3]),
    ])
    #expect(try await store.dataKeys(of: short).map(\.id) == [1, 3])
    #expect(try await store.dataKeys(of: long).map(\.wrapped) == [[2]])
  }

  @Test func theForgottenSubjectsAreReadFromTheTombstonesAlone() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    #expect(try await erasedDataSubjectsMismatches(of: store) == [])
  }
}

/// The last committed transaction of the LMDB environment at `path` (0 before it exists),
/// read with LMDB itself; call when no store of this process has the log open.
func lastTransaction(_ path: String) throws -> Int {
  guard FileManager.default.fileExists(atPath: path + "/data.mdb") else { return 0 }
  var created: OpaquePointer?
  guard mdb_env_create(&created) == 0, let env = created else {
    Issue.record("mdb_env_create failed")
    return 0
  }
  defer { mdb_env_close(env) }
  #expect(mdb_env_open(env, path, UInt32(MDB_RDONLY), 0o644) == 0)
  var info = MDB_envinfo()
  #expect(mdb_env_info(env, &info) == 0)
  return info.me_last_txnid
}

@Suite("LMDBEventStore across processes", .serialized)
struct LMDBProcessTests {
  @Test func killedConcurrentWritersLoseNoAcknowledgedAppendAndLeaveNoPartialBatch() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let writers = 6
    let batchSize = 4
    // Where a kill lands depends on the machine (a slow fsync leaves more kills between a
    // commit and its acknowledgements), so the child is killed at least `fewestKills` times
    // and then again until every kind of moment below was hit often enough, up to `mostKills`.
    let fewestKills = 40
    let mostKills = 120
    let midRunGoal = 30
    let groupedGoal = 20
    let inFlightLostGoal = 12
    var random = SplitMix64(seed: 2018)
    var acknowledged: [ConcurrentAcknowledgement] = []
    var midRun = 0
    var grouped = 0
    // Kills after which some appends in flight were in the log (committed, not yet
    // acknowledged), and after which some were not (cut off before their commit).
    var inFlightCommitted = 0
    var inFlightLost = 0
    var batchesBefore = 0
    var kills = 0
    func goalsMet() -> Bool {
      midRun >= midRunGoal && grouped >= groupedGoal && inFlightLost >= inFlightLostGoal
        && inFlightCommitted >= 1
    }
    while kills < fewestKills || (!goalsMet() && kills < mostKills) {
      let kill = kills
      kills += 1
      let transactionsBefore = try lastTransaction(path)
      let child = try StressHelper([
        "append-concurrent", path, String(writers), "1000000", String(batchSize),
      ])
      // Kill at a random moment while the appenders run: after a random number of
      // acknowledgements (read as the child prints them), and a random fraction of a
      // commit later.
      let target = 1 + Int(random.next() % 60)
      let reached = try await child.waitForLines(timeout: .seconds(60)) { lines in
        lines.lazy.filter { $0.hasPrefix("ack ") }.count >= target
      }
      #expect(reached, "kill \(kill): the child acknowledged fewer than \(target) appends")
      try await Task.sleep(for: .microseconds(Int(random.next() % 3000)))
      await child.kill()
      let transactionsAfter = try lastTransaction(path)

      let lines = await child.lines()
      let acks = StressHelper.concurrentAcknowledgements(lines)
      let acked = Set(acks.map { WriterBatch(writer: $0.writer, batch: $0.batch) })
      let inFlight = StressHelper.submissions(lines).subtracting(acked)
      #expect(acked.isSubset(of: StressHelper.submissions(lines)))
      // Mid-run: appends had returned, and several more were submitted and in flight (for
      // the store's group commit to take together) when the kill came.
      if acks.count >= target && inFlight.count >= 2 { midRun += 1 }
      acknowledged += acks

      let store = try LMDBEventStore(path: path)
      let all = try await readWholeLog(store)
      store.close()
      // Every stream holds whole batches, each in consecutive positions, in order.
      var byStream: [String: [RecordedEvent]] = [:]
      for event in all { byStream[event.stream.rawValue, default: []].append(event) }
      for (stream, events) in byStream {
        #expect(events.count % batchSize == 0, "kill \(kill): a batch of \(stream) is partly there")
        for (offset, event) in events.enumerated() {
          #expect(event.version.rawValue == UInt64(offset + 1))
          let payload = stressPayload(event)
          #expect(payload.batch == UInt64(offset / batchSize))
          #expect(payload.index == UInt64(offset % batchSize))
          if offset % batchSize != 0 {
            #expect(
              event.position.rawValue == events[offset - 1].position.rawValue + 1,
              "kill \(kill): a batch of \(stream) was interleaved")
          }
        }
      }
      let committed = inFlight.filter {
        (byStream["stress-\($0.writer)"]?.count ?? 0) / batchSize > Int($0.batch)
      }
      if !committed.isEmpty { inFlightCommitted += 1 }
      if committed.count < inFlight.count { inFlightLost += 1 }
      // Every acknowledged append is there, whole, where its acknowledgement said.
      for ack in acknowledged {
        guard ack.position >= UInt64(batchSize), ack.position <= UInt64(all.count) else {
          Issue.record("kill \(kill): acknowledged append \(ack) is missing")
          continue
        }
        let batch = all[Int(ack.position) - batchSize..<Int(ack.position)]
        #expect(batch.allSatisfy { $0.stream.rawValue == "stress-\(ack.writer)" })
        #expect(
          batch.map { stressPayload($0).batch } == Array(repeating: ack.batch, count: batchSize))
        #expect(batch.map { stressPayload($0).index } == (0..<UInt64(batchSize)).map { $0 })
        #expect(batch.last?.version.rawValue == ack.version)
      }
      // Group commit: the child committed more appends than it had transactions.
      let batchesAfter = all.count / batchSize
      if transactionsAfter - transactionsBefore < batchesAfter - batchesBefore { grouped += 1 }
      batchesBefore = batchesAfter
    }
    #expect(
      midRun >= midRunGoal, "only \(midRun) of \(kills) kills landed with appends in flight")
    #expect(
      grouped >= groupedGoal, "only \(grouped) of \(kills) runs committed appends in groups")
    #expect(
      inFlightLost >= inFlightLostGoal,
      "only \(inFlightLost) of \(kills) kills cut off appends in flight")
    #expect(
      inFlightCommitted >= 1,
      "none of \(kills) kills came between a commit and its acknowledgements")
    #expect(Set(acknowledged).count == acknowledged.count)
  }

  @Test func twoProcessesAppendToOneLogWhileAThirdFollows() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let batches = 120
    let batchSize = 3
    let total = 2 * batches * batchSize
    let store = try LMDBEventStore(path: path, options: .init(initialMapSize: 64 << 10))
    defer { store.close() }
    // Each event the follower receives, with the time it received it.
    let follower = Task { () throws -> [(event: RecordedEvent, time: UInt64)] in
      var seen: [(event: RecordedEvent, time: UInt64)] = []
      for try await event in store.follow(from: .first) {
        seen.append((event, monotonicNanoseconds()))
        if seen.count == total { break }
      }
      return seen
    }
    // A pause of 15 ms between batches keeps the writers writing for about two seconds: with
    // 5 ms, under a whole test run on two cores, the follower's task was once not scheduled
    // before the writers were done.
    let children = try (0..<2).map { _ in
      try StressHelper([
        "append", path, "shared-1", String(batches), String(batchSize), "any", "15",
      ])
    }
    for child in children { #expect(await child.wait() == 0) }
    // When each writer's last append returned, by the machine's one monotonic clock.
    var finished: [UInt64] = []
    for child in children {
      if let last = await child.timedAcknowledgements().last { finished.append(last.time) }
    }
    #expect(finished.count == 2)
    let writersDone = finished.max() ?? 0
    let timeout = Task {
      try await Task.sleep(for: .seconds(30))
      follower.cancel()
    }
    let received = try await follower.value
    timeout.cancel()
    let followed = received.map(\.event)
    // The follower was live: it received most events while the writers were still writing,
    // from both writers.
    let early = received.filter { $0.time < writersDone }
    #expect(
      early.count >= total / 2,
      "only \(early.count) of \(total) events reached the follower before the writers finished")
    #expect(Set(early.compactMap(\.event.metadata.actor)).count == 2)

    let all = try await readWholeLog(store)
    #expect(all.count == total)
    #expect(followed.map(\.id) == all.map(\.id), "the follower saw every event once, in order")
    #expect(Set(all.map(\.id)).count == total)
    #expect(try await store.currentVersion(of: "shared-1") == StreamVersion(UInt64(total)))
    #expect(all.map(\.version.rawValue) == Array(1...UInt64(total)))
    // Two processes, two clocks: the recorded times still never run backwards.
    #expect(zip(all, all.dropFirst()).allSatisfy { $0.recordedTime <= $1.recordedTime })
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

@Suite("Writing in place (writeMap)")
struct WriteMapTests {
  /// The size of the log's data file.
  private func dataFileSize(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")
    return try #require(attributes[.size] as? Int)
  }

  @Test func aLogWrittenInPlaceIsCutBackToItsPagesWhenClosedAndReadsAsAnyOther() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let map = 8 << 20
    let store = try LMDBEventStore(
      path: path, options: .init(durability: .noSync, initialMapSize: map, writeMap: true))
    var written: [EventData] = []
    // Enough to grow the map at least once: the file grows with it.
    for batch in 0..<40 {
      let events = testEvents(500, size: 400)
      written += events
      _ = try await store.append([
        StreamAppend(
          stream: StreamName("bulk-\(batch % 7)"),
          expectedVersion: batch < 7 ? .noStream : .any, events: events)
      ])
    }
    #expect(store.mapSize > map)
    let whileOpen = try dataFileSize(path)
    #expect(whileOpen == store.mapSize)
    store.close()
    let closed = try dataFileSize(path)
    #expect(closed < whileOpen)
    #expect(closed % 4096 == 0)
    #expect(closed >= written.count * 400)

    // Opened as usual: every event there, whole, and the log verifies.
    let reopened = try LMDBEventStore(path: path)
    defer { reopened.close() }
    let read = try await readWholeLog(reopened)
    #expect(read.map(\.id) == written.map(\.id))
    #expect(read.map(\.payload) == written.map(\.payload))
    let report = try reopened.verify()
    #expect(report.problems.isEmpty, "\(report.problems)")
    // And it takes more.
    _ = try await reopened.append([
      StreamAppend(stream: "bulk-0", expectedVersion: .any, events: testEvents(10))
    ])
    #expect(try await reopened.headPosition().rawValue == UInt64(written.count + 10))
  }

  @Test(arguments: EventStoreConformance.Check.allCases)
  func conformance(_ check: EventStoreConformance.Check) async throws {
    let suite = EventStoreConformance { body in
      let directory = TemporaryDirectory()
      let store = try LMDBEventStore(
        path: directory.appending("log"), options: .init(durability: .noSync, writeMap: true))
      try await body(store)
      store.close()
    }
    try await suite.run(check)
  }
}
