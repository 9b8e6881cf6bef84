import CLMDB
import CLMDBGuard
@_exported import EventLog
import Foundation

/// The embedded default event store: an append-only log in an LMDB environment (a directory
/// holding `data.mdb` and `lock.mdb`).
///
/// - Durability: by default every commit is flushed to disk (`fsync`) before an append
///   returns; see ``Durability`` for the faster modes and what they risk.
/// - Group commit: appends from concurrent tasks are committed together by one writer thread,
///   each in its own nested transaction, so many writers share one `fsync`. After a commit that
///   released several callers, the writer waits for them to append again (at most half a
///   commit's time) before committing, so that a busy service's callers keep sharing syncs.
/// - Processes: several processes may open the same log at once; LMDB serializes their
///   writers with a lock in `lock.mdb`, positions stay gapless, and ``follow(from:filter:pageSize:)``
///   sees another process's appends within ``Options/pollInterval``.
/// - Crash safety: a commit is atomic; after a crash (of the process, or with
///   ``Durability/full`` of the machine) the log holds exactly the appends that returned,
///   plus possibly the ones in flight, each whole or not at all.
/// - Growth: the map grows (doubles) when full, and the append that hit the limit is retried,
///   not lost.
/// - Reads run in read-only transactions that any task may use; they never block the writer.
///
/// Open one directory once per process (LMDB's rule) and ``close()`` it before reopening.
public final class LMDBEventStore: InlineProjectionHost, @unchecked Sendable {
  /// How hard each commit works to reach the disk.
  public enum Durability: Sendable, Hashable {
    /// Every commit is flushed to disk (data and metadata) before the append returns. Nothing
    /// acknowledged is lost, even if the machine loses power. The default.
    case full
    /// Data is flushed at each commit but the metadata page is not (`MDB_NOMETASYNC`). The log
    /// stays intact, but a crash of the operating system or machine may undo the last commit.
    /// A crash of the process alone loses nothing.
    case noMetaSync
    /// Nothing is flushed at commit (`MDB_NOSYNC`); the operating system writes back when it
    /// chooses. A crash of the operating system or machine may undo any number of recent
    /// commits (the log stays consistent if the file system keeps write order; otherwise it may
    /// be corrupted). A crash of the process alone loses nothing. For bulk imports and tests.
    case noSync

    var lmdbFlags: UInt32 {
      switch self {
      case .full: return 0
      case .noMetaSync: return UInt32(MDB_NOMETASYNC)
      case .noSync: return UInt32(MDB_NOSYNC)
      }
    }
  }

  /// How a store is opened.
  public struct Options: Sendable, Hashable {
    /// How hard each commit works to reach the disk. Default ``Durability/full``.
    public var durability: Durability
    /// The map size to start with, in bytes; the store doubles it whenever it fills. Default
    /// 64 MiB.
    public var initialMapSize: Int
    /// How many read transactions may be open at once across all processes. Default 126.
    public var maxReaders: UInt32
    /// How often a follower looks for appends made by other processes (appends in this process
    /// wake it at once). Default 20 ms.
    public var pollInterval: Duration

    /// Whether to open the log for reading only: nothing in its directory is created or
    /// written (not even LMDB's lock file, on read-only storage), and appends and state saves
    /// throw ``EventStoreError/Code/readOnly``. Use it for logs on read-only storage, or to
    /// query a log the user may only read. Default `false`.
    public var readOnly: Bool

    /// Whether commits write into the mapped file (LMDB's `MDB_WRITEMAP`) rather than through
    /// `write` calls. For filling a new log in bulk (an import): there each commit rewrites
    /// many of the pages the commit before wrote, which the operating system then writes back
    /// once rather than once a commit. While the store is open its file is as large as the
    /// map (the pages not written take no space on most file systems); ``close()`` cuts it
    /// back to the pages in use. Only for a log that no other process opens at the same
    /// time. Ignored when ``readOnly``. Default `false`.
    public var writeMap: Bool

    /// The storage format a new log is made in (``StoreFormat/version``); tests set an older
    /// one to make the logs earlier versions of this library wrote.
    var newLogFormat: UInt32 = StoreFormat.version

    /// Creates options.
    public init(
      durability: Durability = .full, initialMapSize: Int = 64 << 20, maxReaders: UInt32 = 126,
      pollInterval: Duration = .milliseconds(20), readOnly: Bool = false, writeMap: Bool = false
    ) {
      self.readOnly = readOnly
      self.writeMap = writeMap
      self.durability = durability
      self.initialMapSize = initialMapSize
      self.maxReaders = maxReaders
      self.pollInterval = pollInterval
    }
  }

  /// The directory the log lives in.
  public var path: String { environment.path }
  /// The options the store was opened with.
  public let options: Options

  let environment: Environment
  let writer: Writer
  private let signal: AppendSignal

  /// Opens the log in directory `path`, creating it if needed.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/foreignFile`` when the
  ///   path is a file or holds something other than an event log,
  ///   ``EventStoreError/Code/unsupportedFormatVersion`` when the log was written by a newer
  ///   format, ``EventStoreError/Code/corruptRecord`` when its file is truncated,
  ///   ``EventStoreError/Code/invalidArgument`` when this process has it open already.
  ///
  /// Each event's recorded time is stamped at commit from `clock` (the system clock unless a
  /// test or a deterministic simulation injects another), never earlier than the event before.
  public init(path: String, options: Options = Options(), clock: EventClock = .system)
    throws(EventStoreError)
  {
    self.options = options
    let environment = try Environment(path: path, options: options)
    self.environment = environment
    var head = LogPosition.start
    do {
      head = try environment.read { txn in try Self.head(txn, environment.dbs) }
    } catch {
      throw error as? EventStoreError ?? EventStoreError(.storageFailure, "\(error)")
    }
    let signal = AppendSignal(head: head)
    self.signal = signal
    writer = Writer(environment: environment, clock: clock) { signal.publish(head: $0) }
  }

  deinit {
    writer.close()
    environment.closeEnvironment()
  }

  /// Commits what is queued, then closes the environment. Later calls throw
  /// ``EventStoreError/Code/closed``. Called by `deinit` if not before.
  public func close() {
    writer.close()
    environment.closeEnvironment()
  }

  /// The current size of the memory map in bytes (it grows when the log fills it).
  public var mapSize: Int { environment.currentMapSize }

  // MARK: - EventStore

  /// Appends to several streams in one atomic step; see ``EventStore/append(_:)``.
  public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
    let repeats = try appends.validate()
    try checkWritable()
    return try await writer.submit(.append(appends, repeats: repeats)).get()
  }

  /// Loads the projection's saved model, catches it up, and from then on updates it inside
  /// every append's write transaction; see ``InlineProjectionHost/register(_:)``.
  public func register<P: Projection>(_ inline: InlineProjection<P>) async throws {
    try await inline.prepare(self)
    writer.addInline(inline)
  }

  /// The state saved under `key`; see ``StateStore/loadState(_:)``.
  public func loadState(_ key: String) async throws -> StoredState? {
    try typed {
      try environment.read { txn in
        try storedState(txn, environment.dbs, environment.bounds, key)
      }
    }
  }

  /// Lends the state saved under `key` where the map holds it, inside one read transaction,
  /// without copying it; see ``StateStore/withState(_:_:)``.
  public func withState<Result>(
    _ key: String, _ body: (_ position: UInt64, _ bytes: UnsafeRawBufferPointer) throws -> Result
  ) async throws -> Result? {
    // Not `typed`: the body's own errors pass through unchanged.
    try environment.read { txn in
      guard
        let (position, bytes) = try storedStateBuffer(
          txn, environment.dbs, environment.bounds, key)
      else {
        return nil
      }
      return try body(position, bytes)
    }
  }

  /// Saves a state and its position in one write; see ``StateStore/saveState(_:for:)``.
  public func saveState(_ state: StoredState, for key: String) async throws {
    try checkWritable()
    _ = try await writer.submit(.state(key: key, state)).get()
  }

  /// Removes a state; see ``StateStore/deleteState(_:)``.
  public func deleteState(_ key: String) async throws {
    try checkWritable()
    _ = try await writer.submit(.state(key: key, nil)).get()
  }

  /// Reads one stream in pages; see ``EventStore/readStream(_:from:direction:limit:)``.
  public func readStream(
    _ stream: StreamName, from version: StreamVersion?, direction: ReadDirection, limit: Int
  ) async throws -> [RecordedEvent] {
    try checkLimit(limit)
    return try typed {
      try environment.read { txn in
        try readStream(txn, stream, from: version, direction: direction, limit: limit)
      }
    }
  }

  private func readStream(
    _ txn: OpaquePointer?, _ stream: StreamName, from version: StreamVersion?,
    direction: ReadDirection, limit: Int
  ) throws -> [RecordedEvent] {
    let dbs = environment.dbs
    var number: UInt32?
    if dbs.streamKeys == .numbers {
      // A stream that was never appended to has no number, and no events.
      guard let known = try storedStream(txn, dbs, stream)?.number else { return [] }
      number = known
    }
    let prefix = dbs.streamKeys.prefix(stream, number: number)
    var cursor: OpaquePointer?
    try check(
      mdb_cursor_open(txn, dbs.streamIndex, &cursor), "opening a cursor on the stream index")
    defer { mdb_cursor_close(cursor) }
    let forwards = direction == .forwards
    let wanted = forwards ? max(1, version?.rawValue ?? 1) : (version?.rawValue ?? UInt64.max)
    var positions: [UInt64] = []
    var index = StreamIndexCursor(cursor: cursor, stream: stream, prefix: prefix)
    // The entry holding `wanted` starts at it (found by SET_RANGE) or before it (the one
    // before). Reading backwards from past the end starts at the stream's last entry.
    var current: StreamIndexEntry?
    let found = try index.seek(atOrAfter: wanted)
    if found, let exact = try index.entry(), exact.firstVersion == wanted {
      current = exact
    } else if try index.move(found ? MDB_PREV : MDB_LAST), let before = try index.entry(),
      before.holds(wanted) || (!forwards && wanted >= before.firstVersion)
    {
      current = before
    }
    // A damaged entry must not send the reader past the log: every batch is checked against
    // the head before its positions are used.
    let head = try Self.head(txn, dbs).rawValue
    func checked(_ entry: StreamIndexEntry) throws(EventStoreError) -> StreamIndexEntry {
      guard entry.count >= 1, entry.firstPosition >= 1, entry.firstPosition <= head,
        entry.count <= head - entry.firstPosition + 1
      else {
        throw EventStoreError(
          .corruptRecord,
          "the stream index lists \(entry.count) events from position \(entry.firstPosition), past the head \(head)",
          stream: stream, version: StreamVersion(entry.firstVersion))
      }
      return entry
    }
    if let found = current { current = try checked(found) }
    if var batch = current {
      var next = forwards ? wanted : min(wanted, batch.firstVersion + batch.count - 1)
      while positions.count < limit {
        positions.append(batch.position(of: next))
        if forwards {
          if batch.holds(next + 1) {
            next += 1
            continue
          }
          guard try index.move(MDB_NEXT), let following = try index.entry() else { break }
          batch = try checked(following)
          next = following.firstVersion
        } else {
          if next > batch.firstVersion {
            next -= 1
            continue
          }
          guard try index.move(MDB_PREV), let preceding = try index.entry() else { break }
          batch = try checked(preceding)
          next = preceding.firstVersion + preceding.count - 1
        }
      }
    }
    return try positions.map { position in
      try withRecord(txn, at: LogPosition(position)) { try $0.recordedEvent() }
    }
  }

  /// Calls `body` with the record at `position`, refreshing the interned names if the record
  /// names a type this process has not seen (another process added it).
  private func withRecord<T>(
    _ txn: OpaquePointer?, at position: LogPosition, _ body: (RecordView) throws -> T
  ) throws -> T {
    try withKey(position.rawValue) { key in
      var value = MDB_val()
      let rc = clmdb_get(txn, environment.dbs.events, &key, &value)
      if rc == LMDBCode.notFound {
        throw EventStoreError(
          .corruptRecord, "the stream index points at a missing event", position: position)
      }
      try check(rc, "reading the event at position \(position)")
      let record = try environment.bounds.buffer(value, position: position, "the record")
      return try body(try view(txn, position, record, names: currentNames(txn, record)))
    }
  }

  private func currentNames(_ txn: OpaquePointer?, _ record: UnsafeRawBufferPointer) throws -> Names
  {
    var names = environment.names.withLock { $0 }
    if record.count >= RecordFormat.version1HeaderSize {
      let type = UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
      if !names.types.contains(number: type) { names = try refreshNames(txn) }
    }
    return names
  }

  private func refreshNames(_ txn: OpaquePointer?) throws -> Names {
    var names = environment.names.withLock { $0 }
    try environment.loadNames(txn, into: &names)
    environment.names.withLock { shared in
      if names.types.names.count >= shared.types.names.count
        && names.categories.names.count >= shared.categories.names.count
      {
        shared = names
      }
    }
    return names
  }

  private func view(
    _ txn: OpaquePointer?, _ position: LogPosition, _ bytes: UnsafeRawBufferPointer, names: Names
  ) throws -> RecordView {
    try RecordView(position: position, bytes: bytes, types: names.types)
  }

  /// Reads the log in pages; see ``EventStore/readLog(from:limit:filter:)``.
  public func readLog(from position: LogPosition, limit: Int, filter: LogFilter)
    async throws -> LogPage
  {
    var events: [RecordedEvent] = []
    let next = try typed {
      try scan(from: position, limit: limit, filter: filter) {
        events.append(try $0.recordedEvent())
      }
    }
    return LogPage(events: events, nextPosition: next)
  }

  /// Calls `body` with records borrowed from the map, without copying; see
  /// ``EventStore/scanLog(from:limit:filter:_:)``.
  public func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    try scan(from: position, limit: limit, filter: filter, body)
  }

  private func scan(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) throws -> LogPosition {
    try checkLimit(limit)
    return try environment.read { txn in
      var names = environment.names.withLock { $0 }
      // Names another process added since are loaded when a record needs them.
      var compiled = CompiledFilter(filter, types: names.types, categories: names.categories)
      var next = max(position, .first).rawValue
      var delivered = 0
      try forEachRecord(txn, environment.dbs.events, bounds: environment.bounds, from: position) {
        at, record in
        guard delivered < limit else { return false }
        if record.count >= RecordFormat.version1HeaderSize {
          let type = UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
          let category = UInt32(
            littleEndian: record.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
          if !names.types.contains(number: type) || !names.categories.contains(number: category) {
            names = try refreshNames(txn)
            compiled = CompiledFilter(filter, types: names.types, categories: names.categories)
          }
        }
        if compiled.matches(record) {
          delivered += 1
          try body(try RecordView(position: at, bytes: record, types: names.types))
        }
        next = at.rawValue + 1
        return true
      }
      return LogPosition(next)
    }
  }

  /// The stream's current version; see ``EventStore/currentVersion(of:)``.
  public func currentVersion(of stream: StreamName) async throws -> StreamVersion? {
    try typed { try environment.read { txn in try storedVersion(txn, environment.dbs, stream) } }
  }

  /// The log's head; see ``EventStore/headPosition()``.
  public func headPosition() async throws -> LogPosition {
    try typed { try environment.read { txn in try Self.head(txn, environment.dbs) } }
  }

  private static func head(_ txn: OpaquePointer?, _ dbs: Databases) throws(EventStoreError)
    -> LogPosition
  {
    try WriteTransaction(txn: txn, dbs: dbs, names: Names()).head()
  }

  /// Returns once this process appends past `position`, or after ``Options/pollInterval`` (so
  /// that followers see other processes' appends), or on cancellation.
  public func waitForAppends(after position: LogPosition) async {
    await signal.wait(after: position, timeout: options.pollInterval)
  }

  func checkWritable() throws(EventStoreError) {
    if options.readOnly {
      throw EventStoreError(.readOnly, "the log was opened read-only", path: path)
    }
  }

  private func typed<T>(_ body: () throws -> T) throws(EventStoreError) -> T {
    do {
      return try body()
    } catch let error as EventStoreError {
      throw error
    } catch {
      throw EventStoreError(.storageFailure, "\(error)", path: path)
    }
  }
}

extension LMDBEventStore {
  /// Rewrites the format marker of the log at `path` (which must not be open): for tests of
  /// how a newer format is refused.
  static func writeFormatVersion(_ version: UInt32, at path: String) throws(EventStoreError) {
    let environment = try Environment(path: path, options: Options())
    defer { environment.closeEnvironment() }
    guard let env = environment.env else { return }
    var txn: OpaquePointer?
    try check(mdb_txn_begin(env, nil, 0, &txn), "beginning a write transaction")
    var key = StoreFormat.key
    var value = StoreFormat.encode(version: version)
    let rc = key.withUnsafeMutableBytes { k in
      value.withUnsafeMutableBytes { v in
        var keyVal = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
        var valueVal = MDB_val(mv_size: v.count, mv_data: v.baseAddress)
        return clmdb_put(txn, environment.dbs.meta, &keyVal, &valueVal, 0)
      }
    }
    guard rc == 0 else {
      mdb_txn_abort(txn)
      throw lmdbError(rc, "writing the format marker")
    }
    try check(clmdb_txn_commit(txn), "committing the format marker")
  }
}
