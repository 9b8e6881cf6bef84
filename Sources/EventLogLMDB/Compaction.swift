import CLMDB
import CLMDBGuard
import EventLog
import Foundation

/// What ``LMDBEventStore/compact(at:)`` did: the size of the log's `data.mdb` before and after.
public struct CompactionReport: Sendable, Hashable {
  /// The log's directory.
  public var path: String
  /// The size of `data.mdb` before compaction, in bytes.
  public var bytesBefore: Int
  /// The size of `data.mdb` after compaction, in bytes.
  public var bytesAfter: Int

  /// How many bytes compaction gave back (0 when the file did not shrink).
  public var bytesReclaimed: Int { max(0, bytesBefore - bytesAfter) }

  /// Creates a report.
  public init(path: String, bytesBefore: Int, bytesAfter: Int) {
    self.path = path
    self.bytesBefore = bytesBefore
    self.bytesAfter = bytesAfter
  }
}

extension EventStoreError.Code {
  /// The log is open (in this process or another), and the operation needs it closed
  /// everywhere, such as ``LMDBEventStore/compact(at:)``. Nothing was changed.
  public static let inUse = EventStoreError.Code("inUse")
}

extension LMDBEventStore {
  /// The directory inside a log where ``compact(at:)`` builds the compacted copy. One left
  /// behind by a compaction that was killed is ignored by opening and removed by the next
  /// compaction.
  static let compactionDirectoryName = "compacting.tmp"

  /// Rewrites the log in directory `path` without its free pages, so that `data.mdb` holds
  /// only the data in use: LMDB reuses the pages it frees but never gives them back or clears
  /// them, so the bytes of deleted or overwritten data (an overwritten state, a destroyed key)
  /// stay in the file until compaction.
  ///
  /// The log must be closed everywhere: compaction refuses a log that this process or another
  /// has open. While it runs, another process that opens the log waits until it is done.
  ///
  /// It copies the log's last commit with LMDB's compacting copy into
  /// `compacting.tmp/data.mdb` inside the log's directory, records the copy's own last
  /// transaction as the log's commit marker (a compacted copy numbers its transactions anew;
  /// see ``verify(payloads:)``), flushes the copy to disk, and renames it over `data.mdb` (an
  /// atomic step) before flushing the directory. Killed before the rename, it leaves the log as
  /// it was (and a `compacting.tmp` directory, which opening ignores and the next compaction
  /// removes); killed after it, the compacted log. Every event, stream, index and saved state
  /// reads back the same; positions, versions and recorded times are unchanged.
  ///
  /// It reads every page of the log: check a log that may be damaged with
  /// ``verify(payloads:)`` first.
  ///
  /// - Parameter path: the log's directory.
  /// - Returns: the size of `data.mdb` before and after.
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/inUse`` when the log is
  ///   open, ``EventStoreError/Code/storageFull`` when the disk has no room for the copy,
  ///   ``EventStoreError/Code/invalidArgument`` when there is no log at `path`,
  ///   ``EventStoreError/Code/foreignFile`` or ``EventStoreError/Code/corruptRecord`` when it
  ///   holds something else or a truncated file, ``EventStoreError/Code/readOnly`` when its
  ///   directory cannot be written. The log is unchanged whenever it throws, but for one
  ///   case: when flushing the directory after the rename fails (a failing disk), the log is
  ///   compacted, and a crash of the machine may bring back the file as it was.
  @discardableResult
  public static func compact(at path: String) throws(EventStoreError) -> CompactionReport {
    try rewrite(at: path, doing: "compacting", changing: nil)
  }

  /// Compacts the log at `path` as ``compact(at:)`` describes; with `change`, the compacted
  /// copy (its directory and a map size that holds it twice) is changed first and then
  /// compacted again, so that the pages the change freed are left out too. `action` names
  /// what is done in errors ("compacting", "upgrading"); an error in the change names the
  /// log's directory, not the copy's.
  static func rewrite(
    at path: String, doing action: String,
    changing change: ((String, Int) throws(EventStoreError) -> Void)?
  ) throws(EventStoreError) -> CompactionReport {
    let directory = URL(fileURLWithPath: path).standardizedFileURL.path
    let data = directory + "/data.mdb"
    try checkLogFile(directory, data)
    // Within this process: no store may have the log open while it is replaced, nor open it
    // meanwhile (closing any descriptor of lock.mdb would also drop LMDB's lock on it).
    guard Environment.claim(directory) else {
      throw EventStoreError(
        .inUse, "the log is open in this process: close it before \(action)", path: directory)
    }
    defer { Environment.release(directory) }
    let lock = try ExclusiveLogLock(directory, action)
    var replaced = false
    // A lock.mdb made for a directory that turned out to hold no log goes again.
    defer { lock.close(removingCreatedFile: !replaced) }

    let temporary = directory + "/" + compactionDirectoryName
    try removeLeftover(temporary)
    try makeDirectory(temporary)
    defer {
      // After a failure the log is untouched; only the copy goes.
      if !replaced { try? FileManager.default.removeItem(atPath: temporary) }
    }
    let before = try fileSize(data)
    var copy = temporary + "/data.mdb"
    try writeCompactedCopy(of: directory, to: copy)
    var copyDirectory = temporary
    if let change {
      do {
        try change(temporary, mapSize(forFileOf: 2 * (try fileSize(copy))))
      } catch {
        var error = error
        if error.path?.hasPrefix(temporary) ?? true { error.path = directory }
        throw error
      }
      let changed = temporary + "/changed"
      try makeDirectory(changed)
      copy = changed + "/data.mdb"
      try writeCompactedCopy(of: temporary, to: copy)
      copyDirectory = changed
    }
    try rewriteCommitMarker(in: copyDirectory, mapSize: mapSize(forFileOf: before))
    try flush(copy, "the compacted copy")
    let after = try fileSize(copy)

    // A process waiting to open the log while this one holds the lock would otherwise trust
    // lock.mdb's record of the old file's last transaction.
    lock.invalidateLockFile()
    guard rename(copy, data) == 0 else {
      let error = lmdbError(errno, "replacing data.mdb with the compacted copy", path: directory)
      resetLockFile(directory)
      throw error
    }
    replaced = true
    try? FileManager.default.removeItem(atPath: temporary)
    // The rename reaches the disk before any other process may append to the new file.
    do {
      try flush(directory, "the log directory after replacing data.mdb")
    } catch {
      resetLockFile(directory)
      throw error
    }
    // Opening the log here, while holding the lock, makes LMDB set lock.mdb up afresh for the
    // new file before any waiting process reads it. If that fails, the next process to open
    // the log alone sets it up.
    resetLockFile(directory)
    return CompactionReport(path: directory, bytesBefore: before, bytesAfter: after)
  }

  // MARK: - Steps

  /// Refuses a path without a log before anything is created.
  private static func checkLogFile(_ directory: String, _ data: String) throws(EventStoreError) {
    var status = stat()
    guard stat(directory, &status) == 0 else {
      throw EventStoreError(.invalidArgument, "there is no log here", path: directory)
    }
    guard status.st_mode & S_IFMT == S_IFDIR else {
      throw EventStoreError(
        .foreignFile, "an event log is a directory, and this is a file", path: directory)
    }
    guard lstat(data, &status) == 0 else {
      throw EventStoreError(.invalidArgument, "there is no log here (no data.mdb)", path: directory)
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw EventStoreError(
        .foreignFile, "data.mdb is not a regular file: this is not an event log", path: data)
    }
  }

  /// Removes what a compaction that was killed left behind.
  private static func removeLeftover(_ temporary: String) throws(EventStoreError) {
    var status = stat()
    guard lstat(temporary, &status) == 0 else { return }
    do {
      try FileManager.default.removeItem(atPath: temporary)
    } catch {
      throw EventStoreError(
        .storageFailure,
        "cannot remove what an earlier compaction left: \(error.localizedDescription)",
        path: temporary)
    }
  }

  private static func makeDirectory(_ path: String) throws(EventStoreError) {
    guard mkdir(path, 0o755) == 0 else {
      throw lmdbError(errno, "creating the directory for the compacted copy", path: path)
    }
  }

  private static func fileSize(_ path: String) throws(EventStoreError) -> Int {
    var status = stat()
    guard stat(path, &status) == 0 else { throw lmdbError(errno, "reading its size", path: path) }
    return Int(status.st_size)
  }

  /// A map for the copy: room for the whole log and the few pages the marker's commit writes,
  /// in whole mebibytes, and never less than the default.
  private static func mapSize(forFileOf bytes: Int) -> Int {
    let mebibyte = 1 << 20
    let needed = (bytes / mebibyte + 2) * mebibyte
    return max(Options().initialMapSize, needed)
  }

  /// Copies the log's last commit, without free pages, into a new file `file`.
  private static func writeCompactedCopy(of directory: String, to file: String)
    throws(EventStoreError)
  {
    var env: OpaquePointer?
    try checkCode(mdb_env_create(&env), "creating an environment to copy the log", directory)
    defer { mdb_env_close(env) }
    try checkCode(mdb_env_set_maxdbs(env, 16), "setting the number of databases", directory)
    // No other process has the log open (the lock says so), so it is read without LMDB's
    // lock file, whose lock this process already holds.
    let rc = mdb_env_open(env, directory, UInt32(MDB_RDONLY | MDB_NOLOCK), 0o644)
    switch rc {
    case LMDBCode.success:
      break
    case LMDBCode.invalid, LMDBCode.versionMismatch:
      throw EventStoreError(
        .foreignFile, "data.mdb is not an LMDB file of a version this library reads",
        path: directory)
    default:
      throw lmdbError(rc, "opening the log to copy it", path: directory)
    }
    // A file cut short would make the copy read past its end (SIGBUS).
    var info = MDB_envinfo()
    var stat = MDB_stat()
    try checkCode(mdb_env_info(env, &info), "reading the environment's info", directory)
    try checkCode(mdb_env_stat(env, &stat), "reading the environment's page size", directory)
    let needed = (info.me_last_pgno + 1) * Int(stat.ms_psize)
    let size = try fileSize(directory + "/data.mdb")
    guard size >= needed else {
      throw EventStoreError(
        .corruptRecord,
        "data.mdb is \(size) bytes but its pages reach \(needed) bytes: the file was truncated",
        path: directory + "/data.mdb")
    }
    let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw lmdbError(errno, "creating the compacted copy", path: file) }
    var isOpen = true
    defer { if isOpen { Foundation.close(fd) } }
    let copied = mdb_env_copyfd2(env, fd, UInt32(MDB_CP_COMPACT))
    guard copied == LMDBCode.success else {
      throw lmdbError(copied, "writing the compacted copy", path: file)
    }
    guard fsync(fd) == 0 else { throw lmdbError(errno, "flushing the compacted copy", path: file) }
    isOpen = false
    guard Foundation.close(fd) == 0 else {
      throw lmdbError(errno, "closing the compacted copy", path: file)
    }
  }

  /// Records the copy's last transaction as its commit marker: the copy numbers its
  /// transactions from 1, and the marker it copied names the log's old last transaction.
  private static func rewriteCommitMarker(in temporary: String, mapSize: Int)
    throws(EventStoreError)
  {
    let environment = try Environment(
      path: temporary, options: Options(durability: .full, initialMapSize: mapSize))
    defer { environment.closeEnvironment() }
    var txn: OpaquePointer?
    try checkCode(
      mdb_txn_begin(environment.env, nil, 0, &txn), "beginning the compacted copy's transaction",
      temporary)
    do {
      try CommitMarker.write(txn, environment.dbs)
    } catch {
      mdb_txn_abort(txn)
      var error = error
      if error.path == nil { error.path = temporary }
      throw error
    }
    let rc = clmdb_txn_commit(txn)
    guard rc == LMDBCode.success else {
      throw lmdbError(rc, "committing the compacted copy's commit marker", path: temporary)
    }
  }

  /// Flushes a file or directory to disk.
  private static func flush(_ path: String, _ what: String) throws(EventStoreError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw lmdbError(errno, "opening \(what) to flush it", path: path) }
    defer { Foundation.close(fd) }
    guard fsync(fd) == 0 else { throw lmdbError(errno, "flushing \(what)", path: path) }
  }

  /// Opens and closes the log with LMDB: the first process to open a log sets its lock file
  /// up for the file's last transaction.
  private static func resetLockFile(_ directory: String) {
    var env: OpaquePointer?
    guard mdb_env_create(&env) == 0 else { return }
    defer { mdb_env_close(env) }
    guard mdb_env_set_maxdbs(env, 16) == 0 else { return }
    _ = mdb_env_open(env, directory, UInt32(MDB_NOTLS), 0o644)
  }
}

/// Throws unless `rc` is success, naming `path`.
private func checkCode(_ rc: Int32, _ what: String, _ path: String) throws(EventStoreError) {
  if rc != LMDBCode.success { throw lmdbError(rc, what, path: path) }
}

/// The lock LMDB's processes share on the first byte of `lock.mdb`, taken exclusively: LMDB
/// holds it shared for as long as a process has the log open, and takes it exclusively when
/// it is the first to open the log. Holding it shows that no other process has the log open,
/// and makes any process that opens the log meanwhile wait.
///
/// Locks of this kind belong to the process, and closing any descriptor of the file gives up
/// all of them: never take it while this process has the log open.
private struct ExclusiveLogLock {
  let fd: Int32
  let path: String
  /// Whether there was no lock.mdb, and this lock made it.
  let created: Bool

  init(_ directory: String, _ action: String) throws(EventStoreError) {
    path = directory + "/lock.mdb"
    var fd = open(path, O_RDWR | O_CLOEXEC)
    var created = false
    if fd < 0 && errno == ENOENT {
      fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      created = fd >= 0
      // Another process opening the log made it meanwhile.
      if fd < 0 && errno == EEXIST { fd = open(path, O_RDWR | O_CLOEXEC) }
    }
    guard fd >= 0 else {
      let code = errno
      if code == EROFS || code == EACCES || code == EPERM {
        throw EventStoreError(
          .readOnly,
          "cannot write lock.mdb (\(String(cString: strerror(code)))): a log that cannot be written cannot be \(action == "compacting" ? "compacted" : "upgraded")",
          path: directory)
      }
      throw lmdbError(code, "opening lock.mdb", path: directory)
    }
    var lock = flock()
    lock.l_type = Int16(F_WRLCK)
    lock.l_whence = Int16(SEEK_SET)
    lock.l_start = 0
    lock.l_len = 1
    var rc: Int32
    repeat {
      rc = fcntl(fd, F_SETLK, &lock)
    } while rc != 0 && errno == EINTR
    if rc != 0 {
      let code = errno
      if created { unlink(path) }
      Foundation.close(fd)
      if code == EAGAIN || code == EACCES {
        throw EventStoreError(
          .inUse, "another process has the log open: close it before \(action)",
          path: directory)
      }
      throw lmdbError(code, "locking lock.mdb", path: directory)
    }
    self.fd = fd
    self.created = created
  }

  /// Clears the magic number at the start of `lock.mdb`, so that a process that opens the log
  /// after this one lets go, without setting the file up afresh, fails instead of trusting it.
  func invalidateLockFile() {
    var status = stat()
    guard fstat(fd, &status) == 0, status.st_size >= 4 else { return }
    var zero: UInt32 = 0
    _ = pwrite(fd, &zero, 4, 0)
  }

  /// Gives the lock up, first removing lock.mdb if this lock made it and `removingCreatedFile`.
  func close(removingCreatedFile: Bool) {
    if created && removingCreatedFile { unlink(path) }
    Foundation.close(fd)
  }
}
