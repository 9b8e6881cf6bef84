import CLMDB
import CLMDBGuard
import EventLog
import Foundation
import Synchronization

/// LMDB's own result codes, as `Int32`.
enum LMDBCode {
  static let success: Int32 = 0
  static let notFound: Int32 = MDB_NOTFOUND
  static let mapFull: Int32 = MDB_MAP_FULL
  static let mapResized: Int32 = MDB_MAP_RESIZED
  static let invalid: Int32 = MDB_INVALID
  static let versionMismatch: Int32 = MDB_VERSION_MISMATCH
}

extension EventStoreError.Code {
  /// LMDB's map is full; the writer grows it and retries, so callers never see this code.
  static let mapFull = EventStoreError.Code("mapFull")
  /// Another process grew the map; the store adopts the new size and retries.
  static let mapResized = EventStoreError.Code("mapResized")
}

/// Turns an LMDB result code into an error that says what was being done.
func lmdbError(_ rc: Int32, _ what: String, path: String? = nil) -> EventStoreError {
  let text = String(cString: mdb_strerror(rc))
  switch rc {
  case LMDBCode.mapFull:
    return EventStoreError(.mapFull, "\(what): \(text)", path: path)
  case LMDBCode.mapResized:
    return EventStoreError(.mapResized, "\(what): \(text)", path: path)
  case CLMDB_ASSERTION, CLMDB_FAULT, MDB_CORRUPTED, MDB_PAGE_NOTFOUND:
    let detail =
      rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND ? text : String(cString: clmdb_guard_message())
    return EventStoreError(
      .corruptRecord, "\(what): a damaged page in data.mdb (\(detail)); run `verify`", path: path)
  case ENOSPC, EDQUOT:
    return EventStoreError(.storageFull, "\(what): the disk is full (\(text))", path: path)
  case EROFS, EACCES, EPERM:
    return EventStoreError(
      .readOnly, "\(what): \(text); open the log read-only to read it", path: path)
  case EIO where path.map(diskIsFull) ?? false:
    return EventStoreError(.storageFull, "\(what): the disk is full (\(text))", path: path)
  default:
    return EventStoreError(.storageFailure, "\(what): \(text) (LMDB code \(rc))", path: path)
  }
}

/// Whether the file system holding `path` has no room left for a page: LMDB reports a short
/// write as `EIO`, and this tells a full disk from a failing one.
func diskIsFull(at path: String) -> Bool {
  var info = statvfs()
  guard statvfs(path, &info) == 0 else { return false }
  return UInt64(info.f_bavail) * UInt64(info.f_frsize) < 1 << 20
}

/// Throws unless `rc` is success.
@inline(__always)
func check(_ rc: Int32, _ what: @autoclosure () -> String) throws(EventStoreError) {
  if rc != LMDBCode.success { throw lmdbError(rc, what()) }
}

/// A reader–writer lock: read transactions share it; resizing the map and closing the
/// environment, which LMDB allows only while this process has no transaction open, take it
/// alone.
final class ReadWriteLock: @unchecked Sendable {
  private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

  init() {
    lock.initialize(to: pthread_rwlock_t())
    pthread_rwlock_init(lock, nil)
  }

  deinit {
    pthread_rwlock_destroy(lock)
    lock.deallocate()
  }

  func withReadLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    pthread_rwlock_rdlock(lock)
    defer { pthread_rwlock_unlock(lock) }
    return try body()
  }

  func withWriteLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    pthread_rwlock_wrlock(lock)
    defer { pthread_rwlock_unlock(lock) }
    return try body()
  }
}

/// Big-endian 8-byte keys sort like the numbers they hold under LMDB's default byte order.
@inline(__always)
func withKey<T, E: Error>(_ value: UInt64, _ body: (inout MDB_val) throws(E) -> T) throws(E) -> T {
  var big = value.bigEndian
  let result: Result<T, E> = withUnsafeMutableBytes(of: &big) { raw in
    var key = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
    return Result { () throws(E) in try body(&key) }
  }
  return try result.get()
}

/// Lends `bytes` to LMDB as a value without copying them (LMDB never writes through an input
/// value's pointer).
@inline(__always)
func withValue<T, E: Error>(_ bytes: [UInt8], _ body: (inout MDB_val) throws(E) -> T) throws(E) -> T
{
  let result: Result<T, E> = bytes.withUnsafeBytes { raw in
    var value = MDB_val(
      mv_size: raw.count, mv_data: UnsafeMutableRawPointer(mutating: raw.baseAddress))
    return Result { () throws(E) in try body(&value) }
  }
  return try result.get()
}

extension MDB_val {
  /// The value's bytes after probing them under the fault guard (for values read one at a
  /// time; scans check against the map instead, see ``MapBounds``).
  ///
  /// - Throws: ``EventStoreError/Code/corruptRecord`` when they reach past the file.
  func probedBuffer(_ what: @autoclosure () -> String, position: LogPosition? = nil)
    throws(EventStoreError) -> UnsafeRawBufferPointer
  {
    guard mv_size == 0 || clmdb_probe(mv_data, mv_size) == 0 else {
      throw EventStoreError(
        .corruptRecord, "\(what()) reaches past the end of data.mdb: a damaged page or size",
        position: position)
    }
    return buffer
  }

  /// The value's bytes, borrowed from the map: valid until the transaction ends.
  var buffer: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: mv_data, count: mv_size)
  }

  /// The value read as a big-endian 8-byte number, if it is 8 bytes long.
  var bigEndianUInt64: UInt64? {
    guard mv_size == 8 else { return nil }
    return UInt64(bigEndian: buffer.loadUnaligned(as: UInt64.self))
  }

  /// The value read as a little-endian 8-byte number, if it is 8 bytes long.
  var littleEndianUInt64: UInt64? {
    guard mv_size == 8 else { return nil }
    return UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self))
  }
}

/// How a log's stream index names a stream (the part of each key before the version).
enum StreamKeys: Sendable, Hashable {
  /// By the stream's name, its UTF-8 bytes and a 0 byte: storage formats 1 and 2.
  case names
  /// By the stream's number, 4 bytes big-endian: storage format 3. Streams are numbered from 1
  /// in the order they are created, and each keeps its number beside its version in the
  /// `streams` database (``StreamRecord``).
  case numbers

  /// The key prefix of a stream's entries: its name and a 0 byte, or its number.
  func prefix(_ stream: StreamName, number: UInt32?) -> [UInt8] {
    var bytes: [UInt8] = []
    appendPrefix(of: stream, number: number, to: &bytes)
    return bytes
  }

  /// Appends the key prefix of a stream's entries to `key`.
  func appendPrefix(of stream: StreamName, number: UInt32?, to key: inout [UInt8]) {
    switch self {
    case .names:
      key.append(contentsOf: stream.rawValue.utf8)
      key.append(0)
    case .numbers:
      withUnsafeBytes(of: (number ?? 0).bigEndian) { key.append(contentsOf: $0) }
    }
  }

  /// The size of a stream's value in the `streams` database.
  var streamRecordSize: Int { self == .names ? 8 : 12 }
}

/// A stream's entry in the `streams` database: its version (8 bytes, little-endian) and, in
/// storage format 3, its number (4 bytes, little-endian).
struct StreamRecord: Hashable {
  var version: UInt64
  var number: UInt32?

  /// Calls `body` with the stored value (8 bytes, or 12 with a number), made on the stack.
  func withValue<T, E: Error>(_ body: (inout MDB_val) throws(E) -> T) throws(E) -> T {
    var fields = (version.littleEndian, (number ?? 0).littleEndian)
    let size = number == nil ? 8 : 12
    let result: Result<T, E> = withUnsafeMutableBytes(of: &fields) { raw in
      var value = MDB_val(mv_size: size, mv_data: raw.baseAddress)
      return Result { () throws(E) in try body(&value) }
    }
    return try result.get()
  }

  init(version: UInt64, number: UInt32?) {
    self.version = version
    self.number = number
  }

  /// The entry stored as `value` in a log whose stream index is keyed by `keys`, or `nil` when
  /// the value is not of that layout's size.
  init?(_ value: UnsafeRawBufferPointer, keys: StreamKeys) {
    guard value.count == keys.streamRecordSize else { return nil }
    version = UInt64(littleEndian: value.loadUnaligned(as: UInt64.self))
    number =
      keys == .numbers
      ? UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) : nil
  }
}

/// One stream-index entry: a batch of a stream's events, versions `firstVersion` to
/// `firstVersion + count - 1` at positions `firstPosition` onwards. Its key is the stream's
/// prefix (``StreamKeys/prefix(_:number:)``) and the first version, big-endian; its value the
/// first position and the count, big-endian (8 bytes each), or in format 3 the first position
/// alone when the count is 1.
struct StreamIndexEntry {
  var firstVersion: UInt64
  var firstPosition: UInt64
  var count: UInt64

  /// Calls `body` with the stored value, made on the stack: 16 bytes, or 8 for one event when
  /// `short` ones are allowed.
  func withValue<T, E: Error>(short: Bool, _ body: (inout MDB_val) throws(E) -> T) throws(E)
    -> T
  {
    var fields = (firstPosition.bigEndian, count.bigEndian)
    let size = count == 1 && short ? 8 : 16
    let result: Result<T, E> = withUnsafeMutableBytes(of: &fields) { raw in
      var value = MDB_val(mv_size: size, mv_data: raw.baseAddress)
      return Result { () throws(E) in try body(&value) }
    }
    return try result.get()
  }

  /// The entry stored under `key` with `value`, if the key is one of the stream whose key
  /// prefix is `prefix`; throws when the value is neither 8 nor 16 bytes.
  init?(key: MDB_val, value: MDB_val, prefix: [UInt8], stream: StreamName)
    throws(EventStoreError)
  {
    let key = key.buffer
    guard key.count == prefix.count + 8, key.prefix(prefix.count).elementsEqual(prefix) else {
      return nil
    }
    let value = value.buffer
    guard value.count == 16 || value.count == 8 else {
      throw EventStoreError(
        .corruptRecord, "a stream index entry is \(value.count) bytes, not 8 or 16",
        stream: stream)
    }
    firstVersion = UInt64(
      bigEndian: key.loadUnaligned(fromByteOffset: prefix.count, as: UInt64.self))
    firstPosition = UInt64(bigEndian: value.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
    count =
      value.count == 8
      ? 1 : UInt64(bigEndian: value.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
  }

  init(firstVersion: UInt64, firstPosition: UInt64, count: UInt64) {
    self.firstVersion = firstVersion
    self.firstPosition = firstPosition
    self.count = count
  }

  /// Whether the entry holds `version`.
  func holds(_ version: UInt64) -> Bool {
    version >= firstVersion && version - firstVersion < count
  }

  /// The position of `version`, which the entry holds.
  func position(of version: UInt64) -> UInt64 { firstPosition + (version - firstVersion) }
}

/// A cursor on the stream index, reading one stream's entries.
struct StreamIndexCursor {
  let cursor: OpaquePointer?
  let stream: StreamName
  let prefix: [UInt8]
  private var key = MDB_val()
  private var value = MDB_val()

  init(cursor: OpaquePointer?, stream: StreamName, prefix: [UInt8]) {
    self.cursor = cursor
    self.stream = stream
    self.prefix = prefix
  }

  /// Moves to the first entry at or after `version` of the stream (or the next key in the
  /// index); returns false at the end of the index.
  mutating func seek(atOrAfter version: UInt64) throws(EventStoreError) -> Bool {
    var start = prefix
    withUnsafeBytes(of: version.bigEndian) { start.append(contentsOf: $0) }
    let rc = start.withUnsafeMutableBytes { raw in
      key = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
      return clmdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
    }
    if rc == LMDBCode.notFound { return false }
    try check(rc, "reading stream \(stream)")
    return true
  }

  /// Moves the cursor; returns false when there is no entry there.
  mutating func move(_ op: MDB_cursor_op) throws(EventStoreError) -> Bool {
    let rc = clmdb_cursor_get(cursor, &key, &value, op)
    if rc == LMDBCode.notFound { return false }
    try check(rc, "reading stream \(stream)")
    return true
  }

  /// The entry under the cursor, if it is one of the stream's.
  func entry() throws(EventStoreError) -> StreamIndexEntry? {
    try StreamIndexEntry(key: key, value: value, prefix: prefix, stream: stream)
  }
}

/// Runs `body`, passing on an ``EventStoreError`` and wrapping any other error in one.
func catching<T>(_ body: () throws -> T) throws(EventStoreError) -> T {
  do {
    return try body()
  } catch let error as EventStoreError {
    throw error
  } catch {
    throw EventStoreError(.storageFailure, "\(error)")
  }
}

/// Calls `body` with each record of the events database from `position` on, in order, until
/// it returns `false` or the records end. The bytes are borrowed from the map.
///
/// The cursor is read in guarded batches of 256 entries (one guard for the batch).
func forEachRecord(
  _ txn: OpaquePointer?, _ dbi: MDB_dbi, bounds: MapBounds, from position: LogPosition,
  _ body: (LogPosition, UnsafeRawBufferPointer) throws -> Bool
) throws {
  var cursor: OpaquePointer?
  try check(mdb_cursor_open(txn, dbi, &cursor), "opening a cursor on the events")
  defer { mdb_cursor_close(cursor) }
  let capacity = 256
  try withUnsafeTemporaryAllocation(of: MDB_val.self, capacity: 2 * capacity) { entries in
    guard let base = entries.baseAddress else { return }
    let keys = base
    let values = base + capacity
    try withKey(max(position, .first).rawValue) { start in
      var key = start
      var op = MDB_SET_RANGE
      var last = max(position, .first).rawValue - 1
      while true {
        var count = 0
        let rc = clmdb_cursor_batch(cursor, op, &key, keys, values, capacity, &count)
        for index in 0..<count {
          guard let at = keys[index].bigEndianUInt64 else {
            throw EventStoreError(
              .corruptRecord, "an event key has \(keys[index].mv_size) bytes, not 8",
              position: LogPosition(last + 1))
          }
          let record = try bounds.buffer(values[index], position: LogPosition(at), "the record")
          guard try body(LogPosition(at), record) else { return }
          last = at
        }
        if rc == LMDBCode.notFound { return }
        if rc != LMDBCode.success {
          var error = lmdbError(rc, "scanning the log after position \(last)")
          error.position = LogPosition(last + 1)
          throw error
        }
        op = MDB_NEXT
      }
    }
  }
}

/// Checks that a value LMDB hands out can be read before it is read: a damaged size or page
/// number would otherwise point past the file's end, and reading there is a bus error.
///
/// A value inside the part of the map that the file covers is read as it is (two compares).
/// Any other value (in a write transaction's dirty pages, or anywhere after a damaged size) is
/// probed: its first and last bytes and one byte of every page between are touched under the
/// fault guard of `CLMDBGuard`.
final class MapBounds: Sendable {
  private let start = Atomic<UInt>(0)
  /// The end of the mapping (the map size).
  private let mapEnd = Atomic<UInt>(0)
  /// The end of the file, as last seen.
  private let fileEnd = Atomic<UInt>(0)
  private let descriptor = Atomic<Int32>(-1)

  init() {}

  /// Where the data file's mapping begins: 0 until ``refresh(_:)`` found it.
  var mapStart: UInt { start.load(ordering: .relaxed) }

  /// Finds where the data file is mapped (after opening, and after the map moved).
  func refresh(_ env: OpaquePointer?) {
    var fd: Int32 = -1
    guard let env, mdb_env_get_fd(env, &fd) == 0 else { return }
    descriptor.store(fd, ordering: .relaxed)
    var status = stat()
    guard fstat(fd, &status) == 0,
      let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
    else { return }
    // A line: start-end perms offset dev inode path. The map is the mapping of the data
    // file's inode at offset 0.
    for line in maps.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 6, UInt64(fields[4]) == UInt64(status.st_ino), fields[2] == "00000000"
      else { continue }
      let range = fields[0].split(separator: "-")
      guard range.count == 2, let low = UInt(range[0], radix: 16),
        let high = UInt(range[1], radix: 16)
      else { continue }
      start.store(low, ordering: .relaxed)
      mapEnd.store(high, ordering: .relaxed)
      fileEnd.store(min(high, low + UInt(max(0, status.st_size))), ordering: .relaxed)
      return
    }
  }

  /// Forgets the map (the environment is closing).
  func detach() {
    start.store(0, ordering: .relaxed)
    mapEnd.store(0, ordering: .relaxed)
    fileEnd.store(0, ordering: .relaxed)
    descriptor.store(-1, ordering: .relaxed)
  }

  /// The bytes of a value read once (a saved state), after checking them against the file's
  /// size as it is now (one `fstat`), not as last seen: a file cut short since is found here,
  /// without touching every page of a value of hundreds of megabytes.
  ///
  /// - Throws: ``EventStoreError/Code/corruptRecord`` when they reach past the file's end.
  func currentBuffer(_ value: MDB_val, _ what: @autoclosure () -> String)
    throws(EventStoreError) -> UnsafeRawBufferPointer
  {
    let low = start.load(ordering: .relaxed)
    var status = stat()
    let fd = descriptor.load(ordering: .relaxed)
    if low != 0, fd >= 0, fstat(fd, &status) == 0 {
      let high = mapEnd.load(ordering: .relaxed)
      fileEnd.store(min(high, low + UInt(max(0, status.st_size))), ordering: .relaxed)
    }
    return try buffer(value, what())
  }

  /// The value's bytes, after checking that they can be read.
  ///
  /// - Throws: ``EventStoreError/Code/corruptRecord`` naming `position` when they cannot.
  @inline(__always)
  func buffer(_ value: MDB_val, position: LogPosition? = nil, _ what: @autoclosure () -> String)
    throws(EventStoreError) -> UnsafeRawBufferPointer
  {
    let from = UInt(bitPattern: value.mv_data)
    let (to, overflow) = from.addingReportingOverflow(UInt(value.mv_size))
    if !overflow && from >= start.load(ordering: .relaxed) && to <= fileEnd.load(ordering: .relaxed)
    {
      return value.buffer
    }
    return try slowBuffer(value, from: from, to: overflow ? UInt.max : to, position, what())
  }

  private func slowBuffer(
    _ value: MDB_val, from: UInt, to: UInt, _ position: LogPosition?, _ what: String
  ) throws(EventStoreError) -> UnsafeRawBufferPointer {
    let low = start.load(ordering: .relaxed)
    let high = mapEnd.load(ordering: .relaxed)
    if from >= low && from < high {
      // In the map: past the end of the file as last seen. The file may have grown.
      var status = stat()
      let fd = descriptor.load(ordering: .relaxed)
      if fd >= 0, fstat(fd, &status) == 0 {
        let end = min(high, low + UInt(max(0, status.st_size)))
        fileEnd.store(end, ordering: .relaxed)
        if to <= end { return value.buffer }
      }
    } else if value.mv_size == 0 || clmdb_probe(value.mv_data, value.mv_size) == 0 {
      return value.buffer
    }
    throw EventStoreError(
      .corruptRecord,
      "\(what) of \(value.mv_size) bytes reaches past the end of data.mdb: a damaged page or size",
      position: position)
  }
}
