import CLMDB
import EventLog
import EventLogTestSupport
import Foundation
import Testing

@testable import EventLogLMDB

/// The pages LMDB says a closed log uses: its last page number plus one.
func pagesUsed(_ path: String) throws -> Int {
  var env: OpaquePointer?
  try #require(mdb_env_create(&env) == 0)
  defer { mdb_env_close(env) }
  mdb_env_set_maxdbs(env, 16)
  try #require(mdb_env_open(env, path, UInt32(MDB_RDONLY), 0o644) == 0)
  var info = MDB_envinfo()
  try #require(mdb_env_info(env, &info) == 0)
  return info.me_last_pgno + 1
}

@Suite("Where a log's bytes go")
struct StorageReportTests {
  @Test func theRecordsPartsAndTheDatabasesAreCountedExactly() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    // 600 events in batches of 5 over s-0 … s-6: payload `P` and 7 digits, metadata with no
    // IDs, actor or pairs (a flags byte and a count byte).
    try await writeMarkedLog(at: path, count: 600)
    let store = try LMDBEventStore(path: path)
    let report = try store.storageReport()
    store.close()

    let parts = report.records
    #expect(parts.records == 600)
    #expect(parts.header == 600 * RecordFormat.fixedHeaderSize)
    #expect(parts.streamName == 600 * 4)  // a length byte and "s-N"
    #expect(parts.metadata == 600 * 2)
    #expect(parts.payload == 600 * 8)
    #expect(parts.checksum == 600 * RecordFormat.checksumSize)
    #expect(parts.unreadable == 0)
    #expect(parts.total == 600 * (56 + 4 + 2 + 8 + 8))

    func entries(_ name: String) -> Int? { report.databases.first { $0.name == name }?.entries }
    #expect(entries("events") == 600)
    #expect(entries("ids") == 600)
    #expect(entries("streams") == 7)
    #expect(entries("stream-index") == 120)
    #expect(report.databases.map(\.pages) == report.databases.map(\.pages).sorted(by: >))
    // Every page of the snapshot is counted once.
    #expect(report.pagesInUse == (try pagesUsed(path)))
    #expect(report.pagesInUse * report.pageSize <= report.fileBytes)
  }

  @Test func freePagesAreCountedAndCompactionGivesThemBack() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 200)
    let store = try LMDBEventStore(path: path)
    // A state of 40 000 bytes saved ten times: each save frees the pages of the one before.
    for round in 1...10 {
      try await store.saveState(
        StoredState(
          position: UInt64(round), bytes: [UInt8](repeating: UInt8(round), count: 40_000)),
        for: "big")
    }
    let before = try store.storageReport()
    store.close()
    #expect(before.freePages >= 40_000 / before.pageSize)  // at least the last state replaced
    #expect(before.pagesInUse == (try pagesUsed(path)))

    _ = try LMDBEventStore.compact(at: path)
    // Read-only: a store opened for writing commits once, which frees a page or two.
    let compacted = try LMDBEventStore(path: path, options: .init(readOnly: true))
    let after = try compacted.storageReport()
    compacted.close()
    // Compaction copies no free page; its one commit on the copy (the commit marker) frees
    // the few pages that commit replaced.
    #expect(after.freePages <= 4)
    #expect(after.freePages < before.freePages)
    #expect(after.records == before.records)
    #expect(after.pagesInUse < before.pagesInUse)
    #expect(after.pagesInUse == (try pagesUsed(path)))
  }
}
