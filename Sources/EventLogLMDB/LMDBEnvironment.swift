import CLMDB
import CLMDBGuard
import EventLog
import Foundation
import Synchronization

/// The named databases of an event log environment.
struct Databases {
  /// LMDB's main database: the named databases' records, and in storage format 3 the commit
  /// marker (``CommitMarker``).
  var main: MDB_dbi = 0
  /// Format metadata: `format` → magic and format version; up to storage format 2, the commit
  /// marker too.
  var meta: MDB_dbi = 0
  /// Position (8 bytes, big-endian) → record (``RecordFormat``).
  var events: MDB_dbi = 0
  /// Stream name → current version (8 bytes, little-endian), then in format 3 the stream's
  /// number (4 bytes, little-endian; see ``StreamKeys``).
  var streams: MDB_dbi = 0
  /// One entry per appended batch: the stream (see ``StreamKeys``), the batch's first version
  /// (8 bytes, big-endian) → its first position (8 bytes, big-endian), then its count (8 bytes,
  /// big-endian) unless it is 1 (format 3 only: format 2 always writes the count).
  var streamIndex: MDB_dbi = 0
  /// How the stream index names a stream: by its name (formats 1 and 2) or its number (3).
  var streamKeys: StreamKeys = .numbers
  /// Event ID (16 bytes) → position (8 bytes, big-endian).
  var ids: MDB_dbi = 0
  /// Type number (4 bytes, big-endian) → event type name.
  var types: MDB_dbi = 0
  /// Category number (4 bytes, big-endian) → category name.
  var categories: MDB_dbi = 0
  /// Key → derived state: position (8 bytes, little-endian) then the state's bytes.
  var states: MDB_dbi = 0
  /// The data keys of personal data (``LMDBEventStore``'s ``DataKeyStore``): subject
  /// (`kind:id`, UTF-8), 0, key number (8 bytes, big-endian) → the wrapped key; key number 0
  /// with an empty value is a forgotten subject's tombstone. `nil` in a log opened read-only
  /// that was written before the database existed.
  var keys: MDB_dbi?
}

/// The on-disk format marker stored under `format` in the `meta` database.
enum StoreFormat {
  static let magic = Array("CouncilLog.EventLog".utf8)
  /// The format version this library writes and reads. Bump it when the layout of any
  /// database changes; stores refuse a newer one.
  ///
  /// Format 3 (this library): the stream index names each stream by a number given in the
  /// order streams are created (kept beside its version in `streams`), not by its name, and
  /// an entry for one event leaves its count out (``StreamKeys``). Format 2: records carry a
  /// recorded time and a checksum (``RecordFormat``). Format 1 logs open, and are marked
  /// format 2 when first opened for writing; their old records stay readable as they are.
  /// Logs in formats 1 and 2 keep their stream index by names, read and written as it is,
  /// until ``LMDBEventStore/upgrade(at:)`` rewrites it.
  static let version: UInt32 = 3
  /// The last format whose stream index is keyed by stream names.
  static let lastFormatWithNamedStreams: UInt32 = 2
  static let key = Array("format".utf8)

  static func encode(version: UInt32) -> [UInt8] {
    var bytes = magic
    withUnsafeBytes(of: version.littleEndian) { bytes.append(contentsOf: $0) }
    return bytes
  }

  /// The version in a stored marker, or `nil` when the marker is not this library's.
  static func decode(_ buffer: UnsafeRawBufferPointer) -> UInt32? {
    guard buffer.count == magic.count + 4, buffer.prefix(magic.count).elementsEqual(magic) else {
      return nil
    }
    return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: magic.count, as: UInt32.self))
  }
}

/// The commit marker stored under `commit`: the ID of the write transaction that last changed
/// the log (8 bytes, little-endian). A reader's snapshot has the same transaction ID; when they
/// differ, LMDB's header pages were damaged (for example a changed transaction number that made
/// LMDB pick an older or a foreign snapshot).
///
/// Storage format 3 keeps it in LMDB's main database, whose root page every commit writes
/// anyway (it holds the roots of the databases the commit changed); earlier formats keep it in
/// `meta`, a page that each commit then wrote for the marker alone.
enum CommitMarker {
  static let key = Array("commit".utf8)

  /// The database that holds the marker in a log of `dbs`'s format.
  static func database(_ dbs: Databases) -> MDB_dbi {
    dbs.streamKeys == .numbers ? dbs.main : dbs.meta
  }

  /// Records `txn`'s ID as the last commit.
  static func write(_ txn: OpaquePointer?, _ dbs: Databases) throws(EventStoreError) {
    var id = UInt64(mdb_txn_id(txn)).littleEndian
    var key = Self.key
    let rc = key.withUnsafeMutableBytes { k in
      withUnsafeMutableBytes(of: &id) { v in
        var keyVal = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
        var valueVal = MDB_val(mv_size: v.count, mv_data: v.baseAddress)
        return clmdb_put(txn, database(dbs), &keyVal, &valueVal, 0)
      }
    }
    try check(rc, "writing the commit marker")
  }

  /// The last commit's ID as recorded in the snapshot `txn` reads, `nil` for a log written
  /// before the marker existed.
  static func read(_ txn: OpaquePointer?, _ dbs: Databases) throws(EventStoreError) -> UInt64? {
    var key = Self.key
    var value = MDB_val()
    let rc = key.withUnsafeMutableBytes { k in
      var keyVal = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
      return clmdb_get(txn, database(dbs), &keyVal, &value)
    }
    if rc == LMDBCode.notFound { return nil }
    try check(rc, "reading the commit marker")
    guard let id = value.littleEndianUInt64 else {
      throw EventStoreError(.corruptRecord, "the commit marker is \(value.mv_size) bytes, not 8")
    }
    return id
  }
}

/// The interned names, as this process last read them.
struct Names {
  var types = NameTable()
  var categories = NameTable()
}

/// One open LMDB environment and its databases. Opened once per directory per process.
final class Environment: @unchecked Sendable {
  let path: String
  private(set) var env: OpaquePointer?
  private(set) var dbs = Databases()
  let lock = ReadWriteLock()
  let names = Mutex(Names())
  /// The mapped file's extent, to check every value before it is read.
  let bounds: MapBounds
  private let mapSize: Mutex<Int>
  private var claimedPath = false

  private static let openPaths = Mutex<Set<String>>([])

  /// Whether the environment was opened read-only.
  let readOnly: Bool
  /// Whether commits write into the map (`MDB_WRITEMAP`): the file is then as large as the
  /// map until closed, when it is cut back to the pages in use.
  let writeMap: Bool
  /// The format a new log is made in: the current one, but for tests of older logs.
  private let newLogFormat: UInt32
  /// The log's storage format, as marked when it was opened.
  private(set) var format: UInt32 = StoreFormat.version

  init(path: String, options: LMDBEventStore.Options) throws(EventStoreError) {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    self.path = url.path
    self.newLogFormat = options.newLogFormat
    self.readOnly = options.readOnly
    self.writeMap = options.writeMap && !options.readOnly
    self.bounds = MapBounds()
    mapSize = Mutex(options.initialMapSize)
    let created = try Self.checkDirectory(self.path, readOnly: options.readOnly)
    let claimed = Self.openPaths.withLock { $0.insert(self.path).inserted }
    claimedPath = claimed
    guard claimed else {
      throw EventStoreError(
        .invalidArgument,
        "the log is already open in this process; LMDB forbids opening it twice", path: self.path)
    }
    do {
      try open(options)
    } catch var error {
      // LMDB reports a write cut short by a full disk as an I/O error.
      if error.code == .storageFailure, diskIsFull(at: self.path) {
        error.code = .storageFull
        error.message += " (the disk is full)"
      }
      closeEnvironment()
      // A log that could not be created (a full disk, say) leaves nothing behind.
      if created { try? FileManager.default.removeItem(atPath: self.path) }
      throw error
    }
  }

  deinit {
    closeEnvironment()
  }

  /// Checks that `path` can hold a log, creating the directory when allowed; returns whether
  /// it created it.
  private static func checkDirectory(_ path: String, readOnly: Bool) throws(EventStoreError)
    -> Bool
  {
    var created = false
    var isDirectory: ObjCBool = false
    let manager = FileManager.default
    if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw EventStoreError(
          .foreignFile, "an event log is a directory, and this is a file", path: path)
      }
    } else if readOnly {
      throw EventStoreError(.invalidArgument, "there is no log here", path: path)
    } else {
      do {
        try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
        created = true
      } catch {
        throw EventStoreError(
          .storageFailure, "cannot create the log directory: \(error.localizedDescription)",
          path: path)
      }
    }
    let data = path + "/data.mdb"
    var isDataDirectory: ObjCBool = false
    if manager.fileExists(atPath: data, isDirectory: &isDataDirectory) {
      guard !isDataDirectory.boolValue else {
        throw EventStoreError(
          .foreignFile, "data.mdb is a directory, not an LMDB file: this is not an event log",
          path: data)
      }
      if let attributes = try? manager.attributesOfItem(atPath: data),
        let size = attributes[.size] as? Int, size < 2 * 4096
      {
        throw EventStoreError(
          .corruptRecord,
          "data.mdb is \(size) bytes, shorter than its two header pages: truncated", path: data)
      }
    } else if readOnly {
      throw EventStoreError(.invalidArgument, "there is no log here (no data.mdb)", path: path)
    }
    return created
  }

  /// Reserves the lock file's blocks before LMDB maps it: LMDB only extends the file, and on a
  /// full disk its first write to the map would then be a bus error instead of an error code.
  private func reserveLockFile(readers: UInt32) throws(EventStoreError) {
    let lockPath = path + "/lock.mdb"
    // LMDB's reader table: a 64-byte slot per reader after a header of three slots.
    let needed = (Int(readers) + 3) * 64
    let size = ((needed + 4095) / 4096) * 4096
    let fd = Foundation.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw lmdbError(errno, "creating lock.mdb", path: path)
    }
    defer { Foundation.close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw lmdbError(errno, "reading lock.mdb", path: path) }
    if Int(info.st_size) >= size { return }
    let rc = posix_fallocate(fd, 0, off_t(size))
    if rc != 0 {
      throw lmdbError(rc, "reserving \(size) bytes for lock.mdb", path: path)
    }
  }

  private func open(_ options: LMDBEventStore.Options) throws(EventStoreError) {
    if !options.readOnly { try reserveLockFile(readers: options.maxReaders) }
    var flags = UInt32(MDB_NOTLS) | options.durability.lmdbFlags
    if options.readOnly { flags |= UInt32(MDB_RDONLY) }
    if writeMap { flags |= UInt32(MDB_WRITEMAP) }
    var rc = try openEnvironment(options, flags: flags)
    if rc == EACCES && options.readOnly {
      // A user who may only read the log cannot open LMDB's lock file for writing: read
      // without it. (Readers then do not announce themselves, so a writer in another process
      // could reuse pages under a long read; `verify` would report what that tears.)
      closeEnvironment(keepingClaim: true)
      rc = try openEnvironment(options, flags: flags | UInt32(MDB_NOLOCK))
    }
    switch rc {
    case LMDBCode.success:
      break
    case LMDBCode.invalid, LMDBCode.versionMismatch:
      throw EventStoreError(
        .foreignFile, "data.mdb is not an LMDB file of a version this library reads", path: path)
    default:
      throw lmdbError(rc, "opening the environment", path: path)
    }
    if writeMap {
      // Before any write into the map (opening writes through `write` calls only).
      var info = MDB_envinfo()
      try check(mdb_env_info(env, &info), "reading the map size")
      try reserve(info.me_mapsize, "opening the log to write in place")
    }
    try checkNotTruncated()
    bounds.refresh(env)
    try openDatabases()
  }

  /// Creates the LMDB environment and opens it with `flags`; returns `mdb_env_open`'s code.
  private func openEnvironment(_ options: LMDBEventStore.Options, flags: UInt32)
    throws(EventStoreError) -> Int32
  {
    var env: OpaquePointer?
    try check(mdb_env_create(&env), "creating the environment")
    self.env = env
    clmdb_guard_install(env)
    try check(mdb_env_set_maxdbs(env, 16), "setting the number of databases")
    try check(mdb_env_set_maxreaders(env, options.maxReaders), "setting the number of readers")
    try check(mdb_env_set_mapsize(env, options.initialMapSize), "setting the map size")
    return mdb_env_open(env, path, flags, 0o644)
  }

  /// A file cut short would make LMDB read past its end (SIGBUS); refuse it instead.
  private func checkNotTruncated() throws(EventStoreError) {
    var info = MDB_envinfo()
    var stat = MDB_stat()
    try check(mdb_env_info(env, &info), "reading the environment's info")
    try check(mdb_env_stat(env, &stat), "reading the environment's page size")
    let needed = (info.me_last_pgno + 1) * Int(stat.ms_psize)
    let data = path + "/data.mdb"
    let size = (try? FileManager.default.attributesOfItem(atPath: data)[.size] as? Int) ?? 0
    if size < needed {
      throw EventStoreError(
        .corruptRecord,
        "data.mdb is \(size) bytes but its pages reach \(needed) bytes: the file was truncated",
        path: data)
    }
    mapSize.withLock { $0 = max($0, info.me_mapsize) }
  }

  private func openDatabases() throws(EventStoreError) {
    var txn: OpaquePointer?
    try check(
      mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn),
      "beginning the opening transaction")
    do throws(EventStoreError) {
      var main: MDB_dbi = 0
      try check(clmdb_dbi_open(txn, nil, 0, &main), "opening the main database")
      dbs.main = main
      var stat = MDB_stat()
      try check(clmdb_stat(txn, main, &stat), "reading the main database")
      let fresh = stat.ms_entries == 0
      if fresh && readOnly {
        throw EventStoreError(
          .invalidArgument, "the log is empty and was opened read-only: there is nothing to read",
          path: path)
      }
      let create = fresh ? UInt32(MDB_CREATE) : 0
      func open(_ name: String) throws(EventStoreError) -> MDB_dbi {
        var dbi: MDB_dbi = 0
        let rc = clmdb_dbi_open(txn, name, create, &dbi)
        // MDB_INCOMPATIBLE: the name is a key of the main database, not a database.
        if rc == LMDBCode.notFound || rc == LMDBCode.invalid || rc == MDB_INCOMPATIBLE {
          throw EventStoreError(
            .foreignFile, "the LMDB file has no \(name) database: it is not an event log",
            path: path)
        }
        try check(rc, "opening the \(name) database")
        return dbi
      }
      dbs.meta = try open("meta")
      var stored: UInt32 = 0
      if !fresh { stored = try checkFormat(txn) }
      // A new log is made in the current format. A log in format 1 is marked format 2 when
      // opened for writing: its records keep their format-1 layout (still read), new records
      // are written in the current one. Its stream index stays keyed by names (format 2)
      // until it is upgraded.
      let marked = fresh ? newLogFormat : max(stored, StoreFormat.lastFormatWithNamedStreams)
      dbs.streamKeys =
        (fresh ? marked : stored) > StoreFormat.lastFormatWithNamedStreams
        ? .numbers : .names
      format = readOnly && !fresh ? stored : marked
      if !readOnly && stored < marked {
        var value = StoreFormat.encode(version: marked)
        var key = StoreFormat.key
        try catching {
          try key.withUnsafeMutableBytes { k in
            try value.withUnsafeMutableBytes { v in
              var keyVal = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
              var valueVal = MDB_val(mv_size: v.count, mv_data: v.baseAddress)
              try check(
                clmdb_put(txn, dbs.meta, &keyVal, &valueVal, 0), "writing the format marker")
            }
          }
        }
      }
      dbs.events = try open("events")
      dbs.streams = try open("streams")
      dbs.streamIndex = try open("stream-index")
      dbs.ids = try open("ids")
      dbs.types = try open("types")
      dbs.categories = try open("categories")
      dbs.states = try open("states")
      // Added after format 2: made when a log is first opened for writing.
      var keys: MDB_dbi = 0
      let keysRC = clmdb_dbi_open(txn, "keys", readOnly ? 0 : UInt32(MDB_CREATE), &keys)
      if keysRC == LMDBCode.notFound && readOnly {
        dbs.keys = nil
      } else {
        try check(keysRC, "opening the keys database")
        dbs.keys = keys
      }
      var loaded = Names()
      try loadNames(txn, into: &loaded)
      if !readOnly && stored < marked { try CommitMarker.write(txn, dbs) }
      let rc = clmdb_txn_commit(txn)
      txn = nil  // freed by commit, whatever it returned
      try check(rc, "committing the opening transaction")
      names.withLock { $0 = loaded }
    } catch {
      if let txn { mdb_txn_abort(txn) }
      throw error
    }
  }

  private func checkFormat(_ txn: OpaquePointer?) throws(EventStoreError) -> UInt32 {
    var key = StoreFormat.key
    let version: UInt32? = key.withUnsafeMutableBytes { k in
      var keyVal = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
      var value = MDB_val()
      guard clmdb_get(txn, dbs.meta, &keyVal, &value) == 0 else { return nil }
      guard let bytes = try? value.probedBuffer("the format marker") else { return nil }
      return StoreFormat.decode(bytes)
    }
    guard let version else {
      throw EventStoreError(
        .foreignFile, "the LMDB file has no CouncilLog format marker: it is not an event log",
        path: path)
    }
    guard version <= StoreFormat.version else {
      throw EventStoreError(
        .unsupportedFormatVersion,
        "the log is in storage format \(version); this library reads format \(StoreFormat.version) and older",
        path: path)
    }
    return version
  }

  /// Reads the interned names that `names` does not have yet (another process may have added
  /// some).
  func loadNames(_ txn: OpaquePointer?, into names: inout Names) throws(EventStoreError) {
    try load(txn, dbs.types, into: &names.types, "event type")
    try load(txn, dbs.categories, into: &names.categories, "category")
  }

  private func load(
    _ txn: OpaquePointer?, _ dbi: MDB_dbi, into table: inout NameTable, _ what: String
  )
    throws(EventStoreError)
  {
    var cursor: OpaquePointer?
    try check(mdb_cursor_open(txn, dbi, &cursor), "opening a cursor on the \(what) names")
    defer { mdb_cursor_close(cursor) }
    var next = UInt32(table.names.count + 1).bigEndian
    try catching {
      try withUnsafeMutableBytes(of: &next) { raw in
        var key = MDB_val(mv_size: 4, mv_data: raw.baseAddress)
        var value = MDB_val()
        var rc = clmdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
        while rc == 0 {
          guard key.mv_size == 4 else {
            throw EventStoreError(
              .corruptRecord, "a \(what) name has a key of \(key.mv_size) bytes", path: path)
          }
          let number = UInt32(bigEndian: key.buffer.loadUnaligned(as: UInt32.self))
          let name = String(
            decoding: try bounds.buffer(value, "a \(what) name"), as: UTF8.self)
          guard table.restore(name, number: number) else {
            throw EventStoreError(
              .corruptRecord, "\(what) number \(number) is out of sequence", path: path)
          }
          rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
        if rc != LMDBCode.notFound { throw lmdbError(rc, "reading the \(what) names") }
      }
    }
  }

  /// Runs `body` in a read-only transaction, usable from any thread (`MDB_NOTLS`).
  func read<T>(_ body: (OpaquePointer?) throws -> T) throws -> T {
    while true {
      let outcome: Result<T, any Error>? = try lock.withReadLock { () throws(EventStoreError) in
        guard let env else { throw EventStoreError(.closed, "the store is closed", path: path) }
        var txn: OpaquePointer?
        let rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        if rc == LMDBCode.mapResized { return nil }
        try check(rc, "beginning a read transaction")
        defer { mdb_txn_abort(txn) }
        return Result { try body(txn) }
      }
      if let outcome { return try outcome.get() }
      try adoptMapSize()
    }
  }

  /// Another process grew the map: take its size.
  func adoptMapSize() throws(EventStoreError) {
    try lock.withWriteLock { () throws(EventStoreError) in
      try check(mdb_env_set_mapsize(env, 0), "adopting the map size grown by another process")
      bounds.refresh(env)
      var info = MDB_envinfo()
      mdb_env_info(env, &info)
      mapSize.withLock { $0 = info.me_mapsize }
    }
  }

  /// Doubles the map (LMDB reported it full). Waits for this process's readers to finish.
  func growMap() throws(EventStoreError) {
    try lock.withWriteLock { () throws(EventStoreError) in
      var info = MDB_envinfo()
      mdb_env_info(env, &info)
      let bigger = max(info.me_mapsize, mapSize.withLock { $0 }) * 2
      // Reserved before the map covers it: a failed reservation leaves the map as it was.
      if writeMap { try reserve(bigger, "growing the map to \(bigger) bytes") }
      try check(mdb_env_set_mapsize(env, bigger), "growing the map to \(bigger) bytes")
      bounds.refresh(env)
      mapSize.withLock { $0 = bigger }
    }
  }

  /// The current map size in bytes.
  var currentMapSize: Int { mapSize.withLock { $0 } }

  /// Gives the data file real blocks for its first `size` bytes, when commits write into the
  /// map: a page written through the map into a hole of the file on a full disk would kill
  /// the process (`SIGBUS`), where a reservation that fails is an error (`storageFull`).
  private func reserve(_ size: Int, _ what: String) throws(EventStoreError) {
    var fd: Int32 = -1
    try check(mdb_env_get_fd(env, &fd), what)
    let rc = posix_fallocate(fd, 0, off_t(size))
    guard rc == 0 else {
      throw lmdbError(rc, "\(what): reserving \(size) bytes for data.mdb", path: path)
    }
  }

  /// Closes the environment once no transaction of this process is open.
  func closeEnvironment(keepingClaim: Bool = false) {
    lock.withWriteLock {
      if let env {
        bounds.detach()
        let used = writeMap ? Self.usedBytes(env) : nil
        mdb_env_close(env)
        self.env = nil
        // The file was grown to the map's size: cut it back to the pages in use, as a log
        // written through `write` calls has it. (If this fails the file is only larger.)
        if let used { _ = truncate(path + "/data.mdb", off_t(used)) }
      }
    }
    if claimedPath && !keepingClaim {
      claimedPath = false
      _ = Self.openPaths.withLock { $0.remove(path) }
    }
  }
}

extension Environment {
  /// The bytes of the data file that hold pages in use: up to the last page the last commit
  /// used. `nil` when LMDB cannot say.
  static func usedBytes(_ env: OpaquePointer) -> Int? {
    var info = MDB_envinfo()
    var stat = MDB_stat()
    guard mdb_env_info(env, &info) == 0, mdb_env_stat(env, &stat) == 0, stat.ms_psize > 0 else {
      return nil
    }
    return (info.me_last_pgno + 1) * Int(stat.ms_psize)
  }

  /// Claims directory `path` (standardized) for this process, as opening it does; returns
  /// false when it is open or claimed already. Compaction holds the claim while it works.
  static func claim(_ path: String) -> Bool {
    openPaths.withLock { $0.insert(path).inserted }
  }

  /// Gives up a claim taken with ``claim(_:)``.
  static func release(_ path: String) {
    _ = openPaths.withLock { $0.remove(path) }
  }
}
