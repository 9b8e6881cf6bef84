import Council
import EventLog
import Synchronization

// The queries answer "now" from read models kept in the log: each projection's state and
// checkpoint are saved together in the log's own state store (a database of the LMDB
// environment, a table of the PostgreSQL schema), loaded, caught up from the checkpoint, and
// saved again. A question asked twice costs loading the model; new events cost their fold; a
// new version of a projection (another state key) is rebuilt once. Questions about the past
// (`--as-of`) fold the log from its start, as before.

extension QueryOptions {
  /// The answer of `projection` as of the moment asked for, in `log`.
  ///
  /// For now (no `--as-of`), from the model kept in the log: loaded, caught up with the new
  /// events and saved; rebuilt from the first event when there is none, when its saved state
  /// does not decode, or with `--rebuild`. As of a day or position, folded from the start.
  func answer<P: Projection>(_ projection: P, in log: OpenLog) async throws -> Answer<P.State> {
    let moment = try await moment(in: log.store)
    guard moment == .now else { return try await projection.state(in: log.store, asOf: moment) }
    let runner = ProjectionRunner(
      projection, store: KeptStates(log.store), options: .init(pageSize: 4096, saveEvery: .max))
    var loaded = false
    if !rebuild {
      do {
        loaded = try await runner.load()
      } catch let error as EventStoreError where error.code == .corruptRecord {
        // A saved state that does not decode is only a cache: it is rebuilt and replaced.
        loaded = false
      }
    }
    if loaded {
      try await runner.catchUp()
    } else {
      try await runner.rebuild()
      await forgetEarlierVersions(of: projection, in: log.store)
    }
    return runner.read { Answer(value: $0, position: $1) }
  }

  /// Deletes the states that earlier versions of `projection` kept under the default keys
  /// (`projection/NAME@VERSION`): once the new version is built, they are dead weight in the
  /// log (a directory kept at 10 M events is hundreds of megabytes). A log that cannot be
  /// written keeps them.
  private func forgetEarlierVersions<P: Projection>(
    of projection: P, in store: any EventStore & StateStore
  ) async {
    guard projection.stateKey == "projection/\(projection.name)@\(projection.version)" else {
      return
    }
    for version in 0..<max(0, projection.version) {
      try? await store.deleteState("projection/\(projection.name)@\(version)")
    }
  }
}

extension QueryOptions {
  /// The directory's answer to `question` as `viewer` sees it, and the position it answers at.
  ///
  /// For now, when the log has not moved since the directory was kept, read in place from the
  /// kept bytes (``KeptDirectory``) rather than loaded whole; otherwise (or when they do not
  /// read) as ``answer(_:in:)`` gives it.
  func answer(_ question: DirectoryQuery, as viewer: Issuer, in log: OpenLog) async throws
    -> (DirectoryPage, LogPosition)
  {
    if let answer = try await kept({
      try await KeptDirectory.search(question, as: viewer, in: log.store)
    }) {
      return answer
    }
    let answer = try await answer(MemberDirectoryProjection(), in: log)
    return (answer.value.search(question, as: viewer), answer.position)
  }
}

extension QueryOptions {
  /// `member`'s history as of the moment asked for (`nil` when the log holds none), and the
  /// position it answers at.
  ///
  /// For now, from the kept histories read in place (``KeptMembership``), the new events
  /// folded over them; otherwise (or when they do not read) as ``answer(_:in:)`` gives it.
  func history(of member: MemberID, in log: OpenLog) async throws
    -> (history: MemberHistory?, position: LogPosition)
  {
    if let answer = try await kept({ try await KeptMembership.history(of: member, in: log.store) })
    {
      return answer
    }
    let answer = try await answer(MembershipHistoryProjection(), in: log)
    return (answer.value.members[member], answer.position)
  }

  /// Each year's membership movements as of the moment asked for, and the position they
  /// answer at; for now from the kept histories read in place, as ``history(of:in:)``.
  func years(in log: OpenLog) async throws
    -> (years: [Int: MembershipYear], position: LogPosition)
  {
    if let answer = try await kept({ try await KeptMembership.years(in: log.store) }) {
      return answer
    }
    let answer = try await answer(MembershipHistoryProjection(), in: log)
    return (answer.value.years, answer.position)
  }

  /// What `read` gives from a kept model read in place, for a question about now without
  /// `--rebuild`; `nil` otherwise, or when the kept model does not read (it is then rebuilt
  /// and replaced by the caller's ``answer(_:in:)``).
  private func kept<Answer>(_ read: () async throws -> Answer?) async throws -> Answer? {
    guard asOf == nil, !rebuild else { return nil }
    do {
      return try await read()
    } catch let error as EventStoreError where error.code == .corruptRecord {
      return nil
    }
  }
}

/// A log's state store used as a cache: states are loaded from the log and saved into it when
/// the log can be written; when it cannot (opened for reading only, on read-only storage, a
/// full disk), the state is kept in memory for this process and the question is still answered.
final class KeptStates: EventStore, StateStore {
  private let base: any EventStore & StateStore
  private let unsaved = Mutex<[String: StoredState]>([:])

  init(_ base: any EventStore & StateStore) { self.base = base }

  func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
    throw EventStoreError(.invalidArgument, "a query does not append")
  }

  func readStream(
    _ stream: StreamName, from version: StreamVersion?, direction: ReadDirection, limit: Int
  ) async throws -> [RecordedEvent] {
    try await base.readStream(stream, from: version, direction: direction, limit: limit)
  }

  func readLog(from position: LogPosition, limit: Int, filter: LogFilter) async throws -> LogPage {
    try await base.readLog(from: position, limit: limit, filter: filter)
  }

  func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    try await base.scanLog(from: position, limit: limit, filter: filter, body)
  }

  func currentVersion(of stream: StreamName) async throws -> StreamVersion? {
    try await base.currentVersion(of: stream)
  }

  func headPosition() async throws -> LogPosition { try await base.headPosition() }

  func waitForAppends(after position: LogPosition) async {
    await base.waitForAppends(after: position)
  }

  func loadState(_ key: String) async throws -> StoredState? {
    if let kept = unsaved.withLock({ $0[key] }) { return kept }
    return try await base.loadState(key)
  }

  func saveState(_ state: StoredState, for key: String) async throws {
    do {
      try await base.saveState(state, for: key)
      _ = unsaved.withLock { $0.removeValue(forKey: key) }
    } catch {
      unsaved.withLock { $0[key] = state }
    }
  }

  func deleteState(_ key: String) async throws {
    _ = unsaved.withLock { $0.removeValue(forKey: key) }
    try? await base.deleteState(key)
  }
}
