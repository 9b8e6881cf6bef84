import EventLog
import Synchronization

/// Another store's log, read through, with projection states kept in memory only: a
/// ``ProjectionRunner`` over it rebuilds read models without writing anything into the log.
///
/// Appends are refused, so nothing done through it changes the log.
public final class ReadOnlyLog: EventStore, StateStore {
  private let base: any EventStore
  private let states = Mutex<[String: StoredState]>([:])

  /// Reads through to `base`.
  public init(_ base: any EventStore) {
    self.base = base
  }

  /// The keys saved so far, in memory.
  public var savedKeys: Set<String> { states.withLock { Set($0.keys) } }

  /// Refuses: this view of the log is read-only.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/invalidArgument``.
  public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
    throw EventStoreError(.invalidArgument, "this view of the log is read-only")
  }

  /// Reads the base store's stream.
  public func readStream(
    _ stream: StreamName, from version: StreamVersion?, direction: ReadDirection, limit: Int
  ) async throws -> [RecordedEvent] {
    try await base.readStream(stream, from: version, direction: direction, limit: limit)
  }

  /// Reads the base store's log.
  public func readLog(from position: LogPosition, limit: Int, filter: LogFilter)
    async throws -> LogPage
  {
    try await base.readLog(from: position, limit: limit, filter: filter)
  }

  /// Scans the base store's log.
  public func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter,
    _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    try await base.scanLog(from: position, limit: limit, filter: filter, body)
  }

  /// The base store's version of `stream`.
  public func currentVersion(of stream: StreamName) async throws -> StreamVersion? {
    try await base.currentVersion(of: stream)
  }

  /// The base store's head.
  public func headPosition() async throws -> LogPosition {
    try await base.headPosition()
  }

  /// Waits on the base store.
  public func waitForAppends(after position: LogPosition) async {
    await base.waitForAppends(after: position)
  }

  /// The state saved under `key` in memory, if any (never the base store's).
  public func loadState(_ key: String) async throws -> StoredState? {
    states.withLock { $0[key] }
  }

  /// Keeps `state` in memory.
  public func saveState(_ state: StoredState, for key: String) async throws {
    states.withLock { $0[key] = state }
  }

  /// Forgets the state kept under `key`.
  public func deleteState(_ key: String) async throws {
    _ = states.withLock { $0.removeValue(forKey: key) }
  }
}
