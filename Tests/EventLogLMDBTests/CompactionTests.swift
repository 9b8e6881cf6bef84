import CLMDB
import ChildProcessSupport
import EventLog
import EventLogTestSupport
import Foundation
import Testing

@testable import EventLogLMDB

/// Whether `needle` occurs in the file at `path`.
private func file(_ path: String, contains needle: String) throws -> Bool {
  let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
  return bytes.range(of: Data(needle.utf8)) != nil
}

private func size(of path: String) throws -> Int {
  let attributes = try FileManager.default.attributesOfItem(atPath: path)
  return try #require(attributes[.size] as? Int)
}

/// A log of several streams whose freed pages still hold `marker`: a large state holding it
/// was overwritten, and another was deleted.
private func writeLogWithFreedPages(at path: String, marker: String) async throws {
  let store = try LMDBEventStore(path: path)
  defer { store.close() }
  for stream in 0..<5 {
    try await store.append(
      testEvents(200, size: 100), to: StreamName("member-\(stream)"), expectedVersion: .noStream)
  }
  let secret = Array(String(repeating: marker + " ", count: 4000).utf8)
  try await store.saveState(StoredState(position: 500, bytes: secret), for: "secret")
  try await store.saveState(StoredState(position: 500, bytes: secret), for: "doomed")
  try await store.append(testEvents(10), to: "member-9", expectedVersion: .noStream)
  try await store.saveState(StoredState(position: 1010, bytes: [1, 2, 3]), for: "secret")
  try await store.deleteState("doomed")
  try await store.append(testEvents(10), to: "member-9", expectedVersion: .exactly(10))
}

@Suite("Compaction of an LMDB log")
struct CompactionTests {
  @Test func compactingDropsFreedBytesAndKeepsEveryEvent() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let data = path + "/data.mdb"
    let marker = "FORGET-ME-\(UUID().uuidString)"
    try await writeLogWithFreedPages(at: path, marker: marker)
    let events: [RecordedEvent]
    do {
      let store = try LMDBEventStore(path: path)
      events = try await readWholeLog(store)
      #expect(try await store.loadState("doomed") == nil)
      store.close()
    }
    #expect(events.count == 1020)
    #expect(try file(data, contains: marker), "the overwritten state is in a freed page")

    let report = try LMDBEventStore.compact(at: path)
    #expect(report.path.hasSuffix("/log"))
    #expect(report.bytesAfter == (try size(of: data)))
    #expect(report.bytesAfter < report.bytesBefore)
    #expect(report.bytesReclaimed == report.bytesBefore - report.bytesAfter)
    #expect(!(try file(data, contains: marker)), "compaction leaves no freed page behind")
    #expect(!FileManager.default.fileExists(atPath: path + "/compacting.tmp"))

    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    #expect(try await readWholeLog(store) == events)
    #expect(try await store.loadState("secret") == StoredState(position: 1010, bytes: [1, 2, 3]))
    #expect(try await store.loadState("doomed") == nil)
    #expect(try await store.currentVersion(of: "member-9") == 20)
    let compacted = try store.verify()
    #expect(compacted.isHealthy, "\(compacted.problems)")
    #expect(compacted.head == 1020)

    // The log carries on: appends go on from the same head, and it still verifies.
    let appended = try await store.append(
      testEvents(3), to: "member-9", expectedVersion: .exactly(20))
    #expect(appended.firstPosition == 1021)
    let after = try store.verify()
    #expect(after.isHealthy, "\(after.problems)")
    #expect(after.head == 1023)
  }

  /// A plain compacting copy (what `mdb_copy -c` writes) restarts LMDB's transaction numbers,
  /// so the commit marker it copied names a transaction the copy never had: `verify` reports
  /// it. `compact(at:)` rewrites the marker.
  @Test func aPlainCompactingCopyFailsVerificationWhereCompactionPasses() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let plain = directory.appending("plain")
    try await writeLogWithFreedPages(at: path, marker: "marker")
    try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: false)
    var env: OpaquePointer?
    #expect(mdb_env_create(&env) == 0)
    defer { mdb_env_close(env) }
    #expect(mdb_env_set_maxdbs(env, 16) == 0)
    #expect(mdb_env_open(env, path, UInt32(MDB_RDONLY | MDB_NOLOCK), 0o644) == 0)
    #expect(mdb_env_copy2(env, plain, UInt32(MDB_CP_COMPACT)) == 0)

    let copy = try LMDBEventStore(path: plain, options: .init(readOnly: true))
    let report = try copy.verify()
    copy.close()
    #expect(report.problems.contains { $0.message.contains("header pages") })

    try LMDBEventStore.compact(at: path)
    let store = try LMDBEventStore(path: path, options: .init(readOnly: true))
    defer { store.close() }
    let compacted = try store.verify()
    #expect(compacted.isHealthy, "\(compacted.problems)")
  }

  @Test func compactingALogOpenInThisProcessIsRefused() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeLogWithFreedPages(at: path, marker: "marker")
    let before = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
    let store = try LMDBEventStore(path: path)
    let error = #expect(throws: EventStoreError.self) { try LMDBEventStore.compact(at: path) }
    #expect(error?.code == .inUse)
    #expect(error?.path?.hasSuffix("/log") == true)
    #expect(error?.message.contains("open in this process") == true)
    // The store is unharmed and still shares the log with other processes: it appends.
    try await store.append(testEvents(1), to: "member-9", expectedVersion: .exactly(20))
    store.close()
    #expect(!FileManager.default.fileExists(atPath: path + "/compacting.tmp"))
    let after = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
    #expect(after.count >= before.count)

    let report = try LMDBEventStore.compact(at: path)
    #expect(report.bytesAfter < report.bytesBefore)
    let reopened = try LMDBEventStore(path: path)
    defer { reopened.close() }
    #expect(try await reopened.headPosition() == 1021)
    #expect(try reopened.verify().isHealthy)
  }

  @Test func compactingALogOpenInAnotherProcessIsRefused() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeLogWithFreedPages(at: path, marker: "marker")
    // The child appends one batch, then keeps the log open for a minute.
    let child = try StressHelper(["append", path, "member-20", "1", "5", "exact", "60000"])
    let acknowledged = try await child.waitForLines(timeout: .seconds(30)) {
      $0.contains { $0.hasPrefix("ack ") }
    }
    try #require(acknowledged, "\(child.errors.lines)")
    let error = #expect(throws: EventStoreError.self) { try LMDBEventStore.compact(at: path) }
    #expect(error?.code == .inUse)
    #expect(error?.message.contains("another process") == true)
    #expect(!FileManager.default.fileExists(atPath: path + "/compacting.tmp"))
    await child.kill()

    // Once the other process is gone (killed, even), the log compacts.
    let report = try LMDBEventStore.compact(at: path)
    #expect(report.bytesAfter < report.bytesBefore)
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    #expect(try await store.headPosition() == 1025)
    #expect(try store.verify().isHealthy)

    // The compacted log is shared between processes as before: another one appends while
    // this one has it open, and this one sees its events.
    let writer = try StressHelper(["append", path, "member-21", "3", "4"])
    #expect(await writer.wait() == 0, "\(writer.errors.lines)")
    #expect(try await store.headPosition() == 1037)
    try await store.append(testEvents(1), to: "member-21", expectedVersion: .exactly(12))
    let shared = try store.verify()
    #expect(shared.isHealthy, "\(shared.problems)")
  }

  /// A child compacting the log is killed at random moments of its run: whenever the kill
  /// lands (before the copy, during it, around the rename), the log opens, holds every event
  /// and verifies, and the next compaction succeeds.
  @Test func killingACompactionAtAnyMomentLeavesAWholeLog() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeLogWithFreedPages(at: path, marker: "marker")
    let events: [RecordedEvent]
    do {
      let store = try LMDBEventStore(path: path)
      events = try await readWholeLog(store)
      store.close()
    }
    var kills = try await RandomKills(timing: ["compact", path])
    var finished = 0
    for round in 0..<12 {
      // New freed pages for the next compaction to drop.
      do {
        let store = try LMDBEventStore(path: path)
        let state = StoredState(position: 1020, bytes: Array(repeating: UInt8(round), count: 9000))
        try await store.saveState(state, for: "secret")
        store.close()
      }
      if try await kills.run(["compact", path], finishedWhen: "compacted ") { finished += 1 }

      let store = try LMDBEventStore(path: path)
      #expect(try await readWholeLog(store) == events, "round \(round)")
      #expect(try await store.loadState("secret")?.bytes.first == UInt8(round))
      let report = try store.verify()
      #expect(report.isHealthy, "round \(round): \(report.problems)")
      store.close()
    }
    // Kills landed within the run.
    #expect(finished < 12)

    try LMDBEventStore.compact(at: path)
    #expect(!FileManager.default.fileExists(atPath: path + "/compacting.tmp"))
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    #expect(try await readWholeLog(store) == events)
    #expect(try store.verify().isHealthy)
  }

  /// A compaction killed before its rename leaves the log as it was and a half-written copy
  /// in `compacting.tmp`: opening ignores it and the next compaction replaces it.
  @Test func aCompactionKilledBeforeItsRenameLeavesTheLogIntact() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeLogWithFreedPages(at: path, marker: "marker")
    let original = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
    let temporary = path + "/" + LMDBEventStore.compactionDirectoryName
    try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
    // What a kill in the middle of the copy leaves: part of a copy, and the copy's lock file.
    try original.prefix(original.count / 3).write(to: URL(fileURLWithPath: temporary + "/data.mdb"))
    try Data(count: 8192).write(to: URL(fileURLWithPath: temporary + "/lock.mdb"))

    do {
      let store = try LMDBEventStore(path: path)
      let events = try await readWholeLog(store)
      #expect(events.count == 1020)
      let report = try store.verify()
      #expect(report.isHealthy, "\(report.problems)")
      store.close()
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")) == original)

    let report = try LMDBEventStore.compact(at: path)
    #expect(report.bytesBefore == original.count)
    #expect(report.bytesAfter < report.bytesBefore)
    #expect(!FileManager.default.fileExists(atPath: temporary))
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    #expect(try await readWholeLog(store).count == 1020)
    #expect(try store.verify().isHealthy)
  }

  /// Processes that open the log while it is being compacted wait for the compaction (or
  /// make it refuse, when they open it first) and then append to the compacted log: none of
  /// their appends is lost, and the log verifies.
  @Test func processesOpeningTheLogDuringACompactionWaitForIt() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeLogWithFreedPages(at: path, marker: "marker")
    var compacted = 0
    var refused = 0
    for round in 0..<16 {
      let child = try StressHelper(["append", path, "writer-\(round)", "2", "3"])
      // Started from a queue of its own, on time however busy the cooperative threads are.
      let delay = DispatchTime.now() + .microseconds(Int.random(in: 0..<40_000))
      let outcome = await withCheckedContinuation {
        (done: CheckedContinuation<Result<CompactionReport, EventStoreError>, Never>) in
        DispatchQueue(label: "compactor").asyncAfter(deadline: delay) {
          done.resume(
            returning: Result { () throws(EventStoreError) in
              try LMDBEventStore.compact(at: path)
            })
        }
      }
      switch outcome {
      case .success: compacted += 1
      case .failure(let error):
        #expect(error.code == .inUse, "round \(round): \(error)")
        refused += 1
      }
      #expect(await child.wait() == 0, "round \(round): \(child.errors.lines)")
      #expect(await child.acknowledgements().count == 2)
    }
    #expect(compacted > 0)
    #expect(compacted + refused == 16)
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    #expect(try await readWholeLog(store).count == 1020 + 16 * 6)
    for round in 0..<16 {
      #expect(try await store.currentVersion(of: StreamName("writer-\(round)")) == 6)
    }
    let report = try store.verify()
    #expect(report.isHealthy, "\(report.problems)")
  }

  @Test func compactingTwiceInARowKeepsTheLogWhole() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeLogWithFreedPages(at: path, marker: "marker")
    let first = try LMDBEventStore.compact(at: path)
    let second = try LMDBEventStore.compact(at: path)
    #expect(second.bytesBefore == first.bytesAfter)
    #expect(second.bytesAfter <= second.bytesBefore + 4 * 4096)
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    #expect(try await store.headPosition() == 1020)
    #expect(try store.verify().isHealthy)
  }

  @Test func compactingWhereThereIsNoLogIsRefusedAndCreatesNothing() throws {
    let directory = TemporaryDirectory()
    let missing = #expect(throws: EventStoreError.self) {
      try LMDBEventStore.compact(at: directory.appending("nothing"))
    }
    #expect(missing?.code == .invalidArgument)
    #expect(!FileManager.default.fileExists(atPath: directory.appending("nothing")))

    let empty = directory.appending("empty")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
    let noData = #expect(throws: EventStoreError.self) { try LMDBEventStore.compact(at: empty) }
    #expect(noData?.code == .invalidArgument)
    #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)

    let foreign = directory.appending("foreign")
    try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
    try Data(repeating: 0x5A, count: 3 * 4096).write(
      to: URL(fileURLWithPath: foreign + "/data.mdb"))
    let notLMDB = #expect(throws: EventStoreError.self) { try LMDBEventStore.compact(at: foreign) }
    #expect(notLMDB?.code == .foreignFile)
    #expect(!FileManager.default.fileExists(atPath: foreign + "/compacting.tmp"))
  }
}
