import CLMDB
import CLMDBGuard
import EventLog
import Foundation

/// What ``LMDBEventStore/upgrade(at:)`` did.
public struct UpgradeReport: Sendable, Hashable {
  /// The log's directory.
  public var path: String
  /// The log's storage format before: 1, 2 or the current one.
  public var formatBefore: Int
  /// The log's storage format now: the current one.
  public var formatAfter: Int
  /// How many streams were given numbers (0 when the log was in the current format already).
  public var streamsNumbered: Int
  /// The size of `data.mdb` before, in bytes.
  public var bytesBefore: Int
  /// The size of `data.mdb` after (the upgraded log is also compacted), in bytes.
  public var bytesAfter: Int

  /// Creates a report.
  public init(
    path: String, formatBefore: Int, formatAfter: Int, streamsNumbered: Int, bytesBefore: Int,
    bytesAfter: Int
  ) {
    self.path = path
    self.formatBefore = formatBefore
    self.formatAfter = formatAfter
    self.streamsNumbered = streamsNumbered
    self.bytesBefore = bytesBefore
    self.bytesAfter = bytesAfter
  }
}

extension LMDBEventStore {
  /// The storage format this library writes: a new log is made in it, and
  /// ``upgrade(at:)`` brings an older log to it. Format 3 keys the stream index by stream
  /// numbers rather than names (see the *Storage formats* article).
  public static var storageFormat: Int { Int(StoreFormat.version) }

  /// Brings the log in directory `path` to the current storage format (``storageFormat``),
  /// and compacts it.
  ///
  /// A log written by an earlier version of this library (storage format 1 or 2) opens and
  /// works as it is, its stream index keyed by stream names. Upgrading numbers its streams in
  /// the order they were created, rewrites the stream index by those numbers (an entry for
  /// each run of a stream's events at consecutive positions), and stores each stream's
  /// number beside its version. The index, the stream versions and the data keys are written
  /// in key order, so that their pages are filled whole (written as the log grew, they are
  /// about half full). Records, positions, versions, IDs, saved states and data keys are
  /// unchanged.
  ///
  /// It works as ``compact(at:)`` does: on a copy inside the log's directory, which replaces
  /// `data.mdb` in one atomic rename. Killed at any moment, it leaves the log as it was or
  /// upgraded. The log must be closed everywhere. A log in the current format has its stream
  /// index, stream versions and data keys written again in key order, and is compacted. Earlier versions of this library refuse an upgraded log (its format is newer than
  /// theirs).
  ///
  /// It trusts the records and checks the rest against them: a stream whose versions or
  /// recorded version disagree with its records stops the upgrade with
  /// ``EventStoreError/Code/corruptRecord`` (check the log with ``verify(payloads:)``).
  ///
  /// - Parameter path: the log's directory.
  /// - Returns: the formats and sizes before and after.
  /// - Throws: as ``compact(at:)``, and ``EventStoreError/Code/corruptRecord`` as above. The
  ///   log is unchanged whenever it throws.
  @discardableResult
  public static func upgrade(at path: String) throws(EventStoreError) -> UpgradeReport {
    var found: (format: UInt32, streams: Int) = (StoreFormat.version, 0)
    let compaction = try rewrite(at: path, doing: "upgrading") {
      copy, mapSize throws(EventStoreError) in
      found = try numberStreams(in: copy, mapSize: mapSize)
    }
    return UpgradeReport(
      path: compaction.path, formatBefore: Int(found.format),
      formatAfter: Int(StoreFormat.version), streamsNumbered: found.streams,
      bytesBefore: compaction.bytesBefore, bytesAfter: compaction.bytesAfter)
  }

  /// Numbers the streams of the log in directory `path` (a private copy) and rewrites its
  /// stream index and stream versions by those numbers, in one transaction; returns the
  /// format the copy was in and how many streams it numbered.
  static func numberStreams(in path: String, mapSize: Int) throws(EventStoreError)
    -> (format: UInt32, streams: Int)
  {
    // The format as it was: opening for writing marks a format-1 log format 2.
    let reader = try Environment(path: path, options: Options(readOnly: true))
    let format = reader.format
    reader.closeEnvironment()
    let environment = try Environment(
      path: path, options: Options(durability: .full, initialMapSize: mapSize))
    defer { environment.closeEnvironment() }
    let dbs = environment.dbs
    var txn: OpaquePointer?
    try check(mdb_txn_begin(environment.env, nil, 0, &txn), "beginning the upgrade")
    do throws(EventStoreError) {
      var numbered = 0
      var upgraded = dbs
      if dbs.streamKeys == .names {
        let types = environment.names.withLock { $0.types }
        var plan = try StreamNumbering.read(txn, environment, types: types)
        try plan.checkVersions(txn, dbs)
        try plan.write(txn, dbs)
        numbered = plan.names.count
        try withValue(StoreFormat.key) { key throws(EventStoreError) in
          try withValue(StoreFormat.encode(version: StoreFormat.version)) {
            value throws(EventStoreError) in
            try check(clmdb_put(txn, dbs.meta, &key, &value, 0), "writing the format marker")
          }
        }
        // The commit marker moves to the main database (format 3).
        try withValue(CommitMarker.key) { key throws(EventStoreError) in
          let rc = clmdb_del(txn, dbs.meta, &key, nil)
          if rc != LMDBCode.notFound { try check(rc, "removing the old commit marker") }
        }
        upgraded.streamKeys = .numbers
      } else {
        // Already numbered: only filled whole, as the numbering writes them.
        try repack(txn, dbs.streamIndex, "the stream index")
        try repack(txn, dbs.streams, "the stream versions")
      }
      if let keys = dbs.keys { try repack(txn, keys, "the data keys") }
      try CommitMarker.write(txn, upgraded)
      let rc = clmdb_txn_commit(txn)
      txn = nil  // freed by commit, whatever it returned
      try check(rc, "committing the upgrade")
      return (format, numbered)
    } catch {
      if let txn { mdb_txn_abort(txn) }
      var error = error
      if error.path == nil { error.path = path }
      throw error
    }
  }

  /// Writes every entry of database `dbi` again in key order, appended, so that its pages
  /// are filled whole: keys created in ascending order (subjects numbered one after another)
  /// leave LMDB's pages about half full, since it splits a full page in the middle.
  private static func repack(_ txn: OpaquePointer?, _ dbi: MDB_dbi, _ what: String)
    throws(EventStoreError)
  {
    // Every key and value, one after the other in one buffer (an array each would take
    // several times the memory at millions of entries).
    var bytes: [UInt8] = []
    var ends: [(key: Int, value: Int)] = []
    var cursor: OpaquePointer?
    try check(mdb_cursor_open(txn, dbi, &cursor), "opening a cursor on \(what)")
    var key = MDB_val()
    var value = MDB_val()
    var rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
    while rc == LMDBCode.success {
      bytes.append(contentsOf: key.buffer)
      let keyEnd = bytes.count
      bytes.append(contentsOf: value.buffer)
      ends.append((keyEnd, bytes.count))
      rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
    }
    mdb_cursor_close(cursor)
    if rc != LMDBCode.notFound { try check(rc, "reading \(what)") }
    try check(mdb_drop(txn, dbi, 0), "emptying \(what)")
    let failure: EventStoreError? = bytes.withUnsafeMutableBytes { raw in
      var start = 0
      for end in ends {
        var key = MDB_val(mv_size: end.key - start, mv_data: raw.baseAddress.map { $0 + start })
        var value = MDB_val(
          mv_size: end.value - end.key, mv_data: raw.baseAddress.map { $0 + end.key })
        let rc = clmdb_put(txn, dbi, &key, &value, UInt32(MDB_APPEND))
        if rc != LMDBCode.success { return lmdbError(rc, "writing \(what)") }
        start = end.value
      }
      return nil
    }
    if let failure { throw failure }
  }
}

/// The streams of a log numbered in the order they were created, and the stream index by
/// those numbers, as read from the records.
private struct StreamNumbering {
  /// Each stream's name, the stream numbered `n` at index `n - 1`.
  var names: [String] = []
  /// Each stream's last version, likewise.
  var versions: [UInt64] = []
  /// Runs of a stream's events at consecutive positions: one index entry each.
  var entries: [(number: UInt32, first: UInt64, position: UInt64, count: UInt64)] = []

  /// Reads every record in position order.
  static func read(_ txn: OpaquePointer?, _ environment: Environment, types: NameTable)
    throws(EventStoreError) -> StreamNumbering
  {
    var plan = StreamNumbering()
    var numbers: [String: UInt32] = [:]
    var cursor: OpaquePointer?
    try check(
      mdb_cursor_open(txn, environment.dbs.events, &cursor), "opening a cursor on the events")
    defer { mdb_cursor_close(cursor) }
    var key = MDB_val()
    var value = MDB_val()
    var rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
    while rc == LMDBCode.success {
      guard let raw = key.bigEndianUInt64 else {
        throw EventStoreError(.corruptRecord, "an event key has \(key.mv_size) bytes, not 8")
      }
      let position = LogPosition(raw)
      let bytes = try environment.bounds.buffer(value, position: position, "the record")
      let record = try RecordView(position: position, bytes: bytes, types: types)
      let nameBytes = try record.streamNameBytes()
      let name = String(decoding: nameBytes, as: UTF8.self)
      let version = record.version.rawValue
      let number: UInt32
      if let known = numbers[name] {
        number = known
      } else {
        guard plan.names.count < Int(UInt32.max) else {
          throw EventStoreError(.storageFull, "the log has more streams than can be numbered")
        }
        plan.names.append(name)
        plan.versions.append(0)
        number = UInt32(plan.names.count)
        numbers[name] = number
      }
      let expected = plan.versions[Int(number) - 1] + 1
      guard version == expected else {
        throw EventStoreError(
          .corruptRecord,
          "the record is version \(version) of its stream where \(expected) was expected: verify the log",
          stream: StreamName(unchecked: name), version: StreamVersion(version), position: position)
      }
      plan.versions[Int(number) - 1] = version
      if let last = plan.entries.last, last.number == number,
        last.position + last.count == raw
      {
        plan.entries[plan.entries.count - 1].count += 1
      } else {
        plan.entries.append((number, version, raw, 1))
      }
      rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
    }
    if rc != LMDBCode.notFound { try check(rc, "reading the events") }
    return plan
  }

  /// Checks that the `streams` database records exactly these streams at these versions.
  func checkVersions(_ txn: OpaquePointer?, _ dbs: Databases) throws(EventStoreError) {
    var stat = MDB_stat()
    try check(clmdb_stat(txn, dbs.streams, &stat), "counting the streams")
    guard stat.ms_entries == names.count else {
      throw EventStoreError(
        .corruptRecord,
        "the log records versions for \(stat.ms_entries) streams, its events name \(names.count): verify the log"
      )
    }
    for (index, name) in names.enumerated() {
      let stream = StreamName(unchecked: name)
      let stored = try storedVersion(txn, dbs, stream)
      guard stored?.rawValue == versions[index] else {
        throw EventStoreError(
          .corruptRecord,
          "the recorded version \(stored.map { "\($0)" } ?? "none") is not its last event's (\(versions[index])): verify the log",
          stream: stream)
      }
    }
  }

  /// Replaces the stream index with one keyed by numbers, and stores each stream's number
  /// beside its version.
  mutating func write(_ txn: OpaquePointer?, _ dbs: Databases) throws(EventStoreError) {
    try check(mdb_drop(txn, dbs.streamIndex, 0), "emptying the stream index")
    // In key order, each entry goes at the end of the index: its pages are filled whole.
    entries.sort { ($0.number, $0.first) < ($1.number, $1.first) }
    var key: [UInt8] = []
    key.reserveCapacity(12)
    for entry in entries {
      key.removeAll(keepingCapacity: true)
      key.append(
        contentsOf: StreamKeys.numbers.prefix(StreamName(unchecked: ""), number: entry.number))
      withUnsafeBytes(of: entry.first.bigEndian) { key.append(contentsOf: $0) }
      let value = StreamIndexEntry(
        firstVersion: entry.first, firstPosition: entry.position, count: entry.count)
      try withValue(key) { key throws(EventStoreError) in
        try value.withValue(short: true) { value throws(EventStoreError) in
          try check(
            clmdb_put(txn, dbs.streamIndex, &key, &value, UInt32(MDB_APPEND)),
            "writing the stream index")
        }
      }
    }
    // The streams again, each with its number, in the database's (byte) order: appended,
    // their pages are filled whole too, where names created in ascending order had left them
    // half full.
    try check(mdb_drop(txn, dbs.streams, 0), "emptying the stream versions")
    let order = names.indices.sorted {
      names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8)
    }
    for index in order {
      let name = names[index]
      let record = StreamRecord(version: versions[index], number: UInt32(index + 1))
      try withValue(Array(name.utf8)) { key throws(EventStoreError) in
        try record.withValue { value throws(EventStoreError) in
          try check(
            clmdb_put(txn, dbs.streams, &key, &value, UInt32(MDB_APPEND)),
            "recording the number of \(name)")
        }
      }
    }
  }
}
