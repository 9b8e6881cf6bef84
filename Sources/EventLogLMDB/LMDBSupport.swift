import CLMDB
import EventLog
import Foundation

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
  default:
    return EventStoreError(.storageFailure, "\(what): \(text) (LMDB code \(rc))", path: path)
  }
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

/// The stream-index key: the stream name's UTF-8 bytes, a 0 byte, the version big-endian.
func streamIndexKey(_ stream: StreamName, version: UInt64) -> [UInt8] {
  var key = Array(stream.rawValue.utf8)
  key.reserveCapacity(key.count + 9)
  key.append(0)
  withUnsafeBytes(of: version.bigEndian) { key.append(contentsOf: $0) }
  return key
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
func forEachRecord(
  _ txn: OpaquePointer?, _ dbi: MDB_dbi, from position: LogPosition,
  _ body: (LogPosition, UnsafeRawBufferPointer) throws -> Bool
) throws {
  var cursor: OpaquePointer?
  try check(mdb_cursor_open(txn, dbi, &cursor), "opening a cursor on the events")
  defer { mdb_cursor_close(cursor) }
  try withKey(max(position, .first).rawValue) { start in
    var key = start
    var value = MDB_val()
    var rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
    while rc == 0 {
      guard let at = key.bigEndianUInt64 else {
        throw EventStoreError(.corruptRecord, "an event key has \(key.mv_size) bytes, not 8")
      }
      guard try body(LogPosition(at), value.buffer) else { return }
      rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
    }
    if rc != LMDBCode.notFound { throw lmdbError(rc, "scanning the log") }
  }
}
