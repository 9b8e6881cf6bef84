import CLMDB
import CLMDBGuard
import EventLog
import Foundation

/// Where an LMDB log's bytes go: each database's pages, LMDB's free pages, and the parts of
/// its records, read from one snapshot by ``LMDBEventStore/storageReport()``.
///
/// Every page of the file in use is counted once: the two header pages, each database's
/// branch, leaf and overflow pages (LMDB's own main and free-list databases among them), and
/// the free pages that later commits will reuse. ``pagesInUse`` is their sum; the file may be
/// longer (LMDB grows it ahead, and never shrinks it: see ``LMDBEventStore/compact(at:)``).
public struct StorageReport: Sendable, Equatable {
  /// One database's share of the file.
  public struct Database: Sendable, Equatable {
    /// Its name: `events`, `stream-index`, `ids`, …; `(main)` and `(free list)` for LMDB's own.
    public var name: String
    /// How many entries it holds.
    public var entries: Int
    /// Its pages: branch, leaf and overflow.
    public var pages: Int
  }

  /// The parts of the log's records, each summed over every record.
  public struct RecordParts: Sendable, Equatable {
    /// How many records were read.
    public var records = 0
    /// The fixed header: format, encoding, schema version, type and category numbers, payload
    /// offset, version, event ID, the two times.
    public var header = 0
    /// The stream name, with its length.
    public var streamName = 0
    /// The metadata: flags, correlation and causation IDs, actor, custom pairs.
    public var metadata = 0
    /// The payloads.
    public var payload = 0
    /// The checksums (8 bytes a format 2 record).
    public var checksum = 0
    /// Records whose header no longer reads: their whole size.
    public var unreadable = 0

    /// All the records' bytes.
    public var total: Int { header + streamName + metadata + payload + checksum + unreadable }
  }

  /// LMDB's page size, in bytes.
  public var pageSize: Int
  /// The size of `data.mdb`, in bytes.
  public var fileBytes: Int
  /// Every database, the largest first.
  public var databases: [Database]
  /// Pages on LMDB's free list: written once, no longer used, kept for later commits.
  public var freePages: Int
  /// The parts of the records.
  public var records: RecordParts
  /// The log's storage format (``LMDBEventStore/storageFormat`` is the current one; an older
  /// log is brought to it by ``LMDBEventStore/upgrade(at:)``).
  public var storageFormat: Int = LMDBEventStore.storageFormat

  /// Every page in use: the two header pages, the databases' and the free ones.
  public var pagesInUse: Int { 2 + databases.reduce(0) { $0 + $1.pages } + freePages }
}

extension LMDBEventStore {
  /// Reads where the log's bytes go, in one read snapshot: each database's entries and pages,
  /// the pages on LMDB's free list, and the records' parts (read through every record once,
  /// without checking checksums: ``verify(payloads:)`` does that).
  ///
  /// - Throws: ``EventStoreError`` when the snapshot cannot be read.
  public func storageReport() throws(EventStoreError) -> StorageReport {
    let environment = self.environment
    let fileBytes =
      (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int)
      ?? 0
    do {
      return try environment.read { txn throws(EventStoreError) in
        var databases: [StorageReport.Database] = []
        var pageSize = 4096
        func stat(_ name: String, _ dbi: MDB_dbi) throws(EventStoreError) {
          var stat = MDB_stat()
          try check(clmdb_stat(txn, dbi, &stat), "reading the \(name) database's pages")
          pageSize = Int(stat.ms_psize)
          databases.append(
            StorageReport.Database(
              name: name, entries: Int(stat.ms_entries),
              pages: Int(stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages)))
        }
        let dbs = environment.dbs
        // LMDB's free list is database 0, its main database (which names the others) 1.
        try stat("(free list)", 0)
        try stat("(main)", 1)
        for (name, dbi) in [
          ("meta", dbs.meta), ("events", dbs.events), ("streams", dbs.streams),
          ("stream-index", dbs.streamIndex), ("ids", dbs.ids), ("types", dbs.types),
          ("categories", dbs.categories), ("states", dbs.states),
        ] {
          try stat(name, dbi)
        }
        if let keys = dbs.keys { try stat("keys", keys) }
        databases.sort { ($0.pages, $1.name) > ($1.pages, $0.name) }
        return StorageReport(
          pageSize: pageSize, fileBytes: fileBytes, databases: databases,
          freePages: try freePages(txn), records: try recordParts(txn, environment),
          storageFormat: Int(environment.format))
      }
    } catch let error as EventStoreError {
      throw error
    } catch {
      throw EventStoreError(.storageFailure, "\(error)", path: path)
    }
  }
}

/// The pages on LMDB's free list: each entry's value is a list of page numbers whose first
/// word is its length.
private func freePages(_ txn: OpaquePointer?) throws(EventStoreError) -> Int {
  var cursor: OpaquePointer?
  try check(mdb_cursor_open(txn, 0, &cursor), "opening the free list")
  defer { mdb_cursor_close(cursor) }
  var key = MDB_val()
  var value = MDB_val()
  var pages = 0
  var rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
  while rc == 0 {
    if value.mv_size >= MemoryLayout<Int>.size, let data = value.mv_data {
      pages += max(0, data.loadUnaligned(as: Int.self))
    }
    rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
  }
  if rc != LMDBCode.notFound { try check(rc, "reading the free list") }
  return pages
}

/// Sums the parts of every record, in one cursor pass.
private func recordParts(_ txn: OpaquePointer?, _ environment: Environment)
  throws(EventStoreError) -> StorageReport.RecordParts
{
  let types = environment.names.withLock { $0.types }
  var parts = StorageReport.RecordParts()
  do {
    try forEachRecord(txn, environment.dbs.events, bounds: environment.bounds, from: .first) {
      at, record in
      parts.records += 1
      guard
        let view = try? RecordView(position: at, bytes: record, types: types, checksum: false),
        let name = try? view.streamNameBytes(),
        let start = record.baseAddress, let nameStart = name.baseAddress,
        let payloadStart = view.payload.baseAddress
      else {
        parts.unreadable += record.count
        return true
      }
      let headerSize = RecordFormat.headerSize(ofVersion: view.formatVersion) ?? 0
      let nameEnd = nameStart - start + name.count
      let payloadOffset = payloadStart - start
      parts.header += headerSize
      parts.streamName += nameEnd - headerSize
      parts.metadata += payloadOffset - nameEnd
      parts.payload += view.payload.count
      parts.checksum += record.count - payloadOffset - view.payload.count
      return true
    }
  } catch let error as EventStoreError {
    throw error
  } catch {
    throw EventStoreError(.storageFailure, "reading the records: \(error)")
  }
  return parts
}
