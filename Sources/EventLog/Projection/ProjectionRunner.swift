import Synchronization

/// How far a rebuild or catch-up has come, for a caller to show.
public struct ProjectionProgress: Sendable, Hashable {
  /// The positions covered so far (events read or skipped) since the run started.
  public var done: UInt64
  /// The positions to cover in all, up to the head when the run started.
  public var total: UInt64
  /// Positions covered per second so far.
  public var eventsPerSecond: Double
  /// The projection's checkpoint.
  public var checkpoint: LogPosition

  /// The share done, from 0 to 1.
  public var fraction: Double { total == 0 ? 1 : min(1, Double(done) / Double(total)) }
}

/// Keeps a ``Projection``'s read model up to date: rebuilds it, catches it up from its
/// checkpoint, follows the log live, and saves state and checkpoint together.
///
/// Readers call ``read(_:)`` (or ``state``) from any task; they always see a complete model
/// as of some checkpoint, never a half-applied page or an empty model during a rebuild.
///
/// - Exactly once: the state and its checkpoint are saved in one atomic write (see
///   ``StateStore``), and processing resumes after the saved checkpoint, so a crash at any
///   moment neither applies an event twice nor skips one.
/// - Memory: the log is read in pages of ``Options/pageSize`` through
///   ``EventStore/scanLog(from:limit:filter:_:)``, so a rebuild's memory is the read model's,
///   whatever the log's length (and two pages of decoded events).
/// - Two cores: a rebuild or a catch-up reads and decodes each page on another task while it
///   applies the page before, in order.
/// - Selection: the store skips the records the projection does not read on their headers
///   (``Projection/filter``); the events it reads are applied as an ``InlineProjection`` and
///   ``Projection/state(in:asOf:pageSize:)`` apply them, so a runner's model at its checkpoint
///   is the on-demand answer as of that position.
/// - Only one of ``catchUp(progress:until:)``, ``rebuild(progress:)`` and ``run(progress:)`` may
///   run at a time on one runner; ``rebuildBeside(_:progress:)`` may run beside them.
public final class ProjectionRunner<P: Projection>: Sendable {
  /// How a runner reads and saves.
  public struct Options: Sendable, Hashable {
    /// Events read per page.
    public var pageSize: Int
    /// Save state and checkpoint after this many positions processed (and whenever the
    /// runner has caught up).
    public var saveEvery: UInt64

    /// Creates options.
    public init(pageSize: Int = 1024, saveEvery: UInt64 = 50_000) {
      self.pageSize = max(1, pageSize)
      self.saveEvery = max(1, saveEvery)
    }
  }

  struct Working: Sendable {
    var projection: P
    var state: P.State
    var checkpoint: LogPosition
    var unsaved: UInt64 = 0
  }

  private struct Published: Sendable {
    var working: Working
    /// Bumped by a switch-over, so that work begun on the replaced model is discarded.
    var generation: UInt64 = 0
  }

  private let store: any EventStore & StateStore
  /// How the runner reads and saves.
  public let options: Options
  private let published: Mutex<Published>
  /// The size of the state last saved or loaded: the next save reserves about as much at
  /// once, rather than growing to it step by step (a state of hundreds of megabytes would
  /// otherwise be copied several times into fresh memory).
  private let lastStateSize = Atomic<Int>(0)

  /// Creates a runner whose model starts empty (at position 0); call ``load()`` to restore
  /// the saved state.
  public init(_ projection: P, store: any EventStore & StateStore, options: Options = Options()) {
    self.store = store
    self.options = options
    published = Mutex(
      Published(
        working: Working(projection: projection, state: projection.initialState, checkpoint: .start)
      ))
  }

  /// The projection being run (after a switch-over, the new version).
  public var projection: P { published.withLock { $0.working.projection } }

  /// The read model as of ``checkpoint``.
  public var state: P.State { published.withLock { $0.working.state } }

  /// The position of the last event folded into the read model.
  public var checkpoint: LogPosition { published.withLock { $0.working.checkpoint } }

  /// Calls `body` with the read model and the position it was computed at, consistently.
  public func read<T>(_ body: (P.State, LogPosition) throws -> T) rethrows -> T {
    let (state, checkpoint) = published.withLock { ($0.working.state, $0.working.checkpoint) }
    return try body(state, checkpoint)
  }

  /// Restores the saved state and checkpoint of the projection's version, if there are any.
  ///
  /// - Returns: whether a saved state was found.
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/corruptRecord`` when the
  ///   saved state does not decode.
  @discardableResult
  public func load() async throws -> Bool {
    let projection = self.projection
    guard let stored = try await store.loadState(projection.stateKey) else { return false }
    let state = try Self.decodeState(stored.bytes, key: projection.stateKey)
    lastStateSize.store(stored.bytes.count, ordering: .relaxed)
    published.withLock {
      $0.working = Working(
        projection: projection, state: state, checkpoint: LogPosition(stored.position))
    }
    return true
  }

  /// Folds every event after the checkpoint up to the head (or up to `limit`, roughly: a page
  /// may go past it), saving along the way and at the end.
  ///
  /// - Returns: the new checkpoint.
  @discardableResult
  public func catchUp(
    progress: (@Sendable (ProjectionProgress) -> Void)? = nil, until limit: LogPosition? = nil
  ) async throws -> LogPosition {
    let (start, generation) = published.withLock { ($0.working, $0.generation) }
    var working = start
    var head = try await store.headPosition()
    if let limit { head = min(head, limit) }
    let meter = ProgressMeter(from: working.checkpoint, to: head, report: progress)
    while working.checkpoint < head {
      // Up to the next save, pages read on one task while the one before is applied.
      let before = working.checkpoint
      let toSave =
        options.saveEvery > working.unsaved ? options.saveEvery - working.unsaved : 1
      // (`saveEvery` may be as large as `UInt64.max`: never before the end.)
      let (sum, overflow) = before.rawValue.addingReportingOverflow(toSave)
      let target = LogPosition(overflow ? head.rawValue : min(head.rawValue, sum))
      try await advance(&working, until: target, meter: meter)
      let advanced = working.checkpoint.rawValue - before.rawValue
      if working.unsaved >= options.saveEvery || working.checkpoint >= head || advanced == 0 {
        try await save(&working)
        guard publish(working, generation: generation) else { return checkpoint }
      }
      if advanced == 0 { break }
    }
    if working.unsaved > 0 {
      try await save(&working)
      _ = publish(working, generation: generation)
    }
    meter.finish(working.checkpoint)
    return working.checkpoint
  }

  /// Folds the whole log from its first event into a new model, replacing the current one
  /// only when done (readers see the old model until then), and saves it.
  public func rebuild(progress: (@Sendable (ProjectionProgress) -> Void)? = nil) async throws {
    let fresh = try await build(projection, progress: progress)
    published.withLock {
      $0.working = fresh
      $0.generation += 1
    }
  }

  /// Builds `newVersion` of the projection from the first event beside the running model,
  /// which keeps serving readers, and switches over once the new one has caught up with the
  /// log; then deletes the old version's saved state.
  public func rebuildBeside(
    _ newVersion: P, progress: (@Sendable (ProjectionProgress) -> Void)? = nil
  ) async throws {
    let built = try await build(newVersion, progress: progress)
    let old = published.withLock { published -> P in
      let old = published.working.projection
      published.working = built
      published.generation += 1
      return old
    }
    if old.stateKey != newVersion.stateKey {
      try await store.deleteState(old.stateKey)
    }
  }

  /// Catches up, then follows the log live, applying each new event and saving at least every
  /// ``Options/saveEvery`` positions and whenever it has caught up. Returns when the task is
  /// cancelled, after saving.
  public func run(progress: (@Sendable (ProjectionProgress) -> Void)? = nil) async throws {
    try await catchUp(progress: progress)
    while !Task.isCancelled {
      let (current, generation) = published.withLock { ($0.working, $0.generation) }
      var working = current
      let advanced = try await advance(&working)
      if advanced == 0 {
        await store.waitForAppends(after: working.checkpoint)
        continue
      }
      let caughtUp = try await store.headPosition() <= working.checkpoint
      if caughtUp || working.unsaved >= options.saveEvery {
        try await save(&working)
      }
      _ = publish(working, generation: generation)
    }
    var working = published.withLock { $0.working }
    if working.unsaved > 0 { try await save(&working) }
  }

  // MARK: - Internals

  private func build(_ projection: P, progress: (@Sendable (ProjectionProgress) -> Void)?)
    async throws -> Working
  {
    var working = Working(
      projection: projection, state: projection.initialState, checkpoint: .start)
    var head = try await store.headPosition()
    let meter = ProgressMeter(from: .start, to: head, report: progress)
    while true {
      try await advance(&working, until: head, meter: meter)
      // Appends may have come during the build: go on until the head stands still.
      let now = try await store.headPosition()
      if now <= working.checkpoint || now == head { break }
      head = now
    }
    try await save(&working)
    meter.finish(working.checkpoint)
    return working
  }

  /// Reads one page after the checkpoint and folds it in (``ProjectionFold``: the selection
  /// and application inline projections and the on-demand fold share). Returns how many
  /// positions it covered (0 when there was nothing new).
  ///
  /// The state is moved out of `working` while the page is folded, so that a model nobody
  /// else holds is updated in place instead of copied (copy-on-write) once a page. When this
  /// throws, `working.state` is left partly folded: every caller discards `working` then.
  private func advance(_ working: inout Working) async throws -> UInt64 {
    var fold = ProjectionFold(working.projection)
    var state = fold.projection.initialState
    swap(&state, &working.state)
    defer { swap(&state, &working.state) }
    let from = working.checkpoint.next
    let next = try await fold.foldPage(
      of: store, from: from, limit: options.pageSize, into: &state)
    let covered = next.rawValue - from.rawValue
    working.checkpoint = LogPosition(next.rawValue - 1)
    working.unsaved += covered
    return covered
  }

  /// Reads and folds pages after the checkpoint until one covers `head` (or nothing is new),
  /// each page read and decoded on another task while the page before it is applied: a
  /// rebuild keeps two cores busy. Stops, like ``advance(_:)``, with `working.state` partly
  /// folded when it throws.
  private func advance(_ working: inout Working, until head: LogPosition, meter: ProgressMeter)
    async throws
  {
    guard working.checkpoint < head else { return }
    let projection = working.projection
    let store = self.store
    let pageSize = options.pageSize
    func decode(from position: LogPosition) -> Task<DecodedPage<P.Event>, any Error> {
      Task {
        var fold = ProjectionFold(projection)
        return try await fold.decodePage(of: store, from: position, limit: pageSize)
      }
    }
    var pending = decode(from: working.checkpoint.next)
    defer { pending.cancel() }
    let fold = ProjectionFold(projection)
    var state = projection.initialState
    swap(&state, &working.state)
    defer { swap(&state, &working.state) }
    while true {
      let page = try await pending.value
      let covered = page.next.rawValue - page.from.rawValue
      if covered == 0 { return }
      let checkpoint = LogPosition(page.next.rawValue - 1)
      let more = checkpoint < head
      if more { pending = decode(from: page.next) }
      fold.apply(page, to: &state)
      working.checkpoint = checkpoint
      working.unsaved += covered
      meter.update(checkpoint)
      if !more { return }
    }
  }

  private func save(_ working: inout Working) async throws {
    let last = lastStateSize.load(ordering: .relaxed)
    var writer = BinaryWriter(capacity: max(4096, last + last / 16))
    working.state.encode(to: &writer)
    lastStateSize.store(writer.count, ordering: .relaxed)
    try await store.saveState(
      StoredState(position: working.checkpoint.rawValue, bytes: writer.bytes),
      for: working.projection.stateKey)
    working.unsaved = 0
  }

  /// Makes `working` what readers see, unless a switch-over replaced the model meanwhile.
  private func publish(_ working: Working, generation: UInt64) -> Bool {
    published.withLock { published in
      guard published.generation == generation else { return false }
      published.working = working
      return true
    }
  }

  static func decodeState(_ bytes: [UInt8], key: String) throws -> P.State {
    try bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      do {
        return try P.State(from: &reader)
      } catch {
        throw EventStoreError(
          .corruptRecord, "the saved state \(key) does not decode: \(error)")
      }
    }
  }
}

/// Reports progress at most ten times a second.
final class ProgressMeter: Sendable {
  private let start: LogPosition
  private let head: LogPosition
  private let report: (@Sendable (ProjectionProgress) -> Void)?
  private let began = ContinuousClock.now
  private let lastReport = Mutex(ContinuousClock.now - .seconds(1))

  init(
    from start: LogPosition, to head: LogPosition, report: (@Sendable (ProjectionProgress) -> Void)?
  ) {
    self.start = start
    self.head = head
    self.report = report
  }

  func update(_ checkpoint: LogPosition) {
    guard report != nil else { return }
    let now = ContinuousClock.now
    let due = lastReport.withLock { last -> Bool in
      guard now - last >= .milliseconds(100) else { return false }
      last = now
      return true
    }
    if due { send(checkpoint, now) }
  }

  func finish(_ checkpoint: LogPosition) {
    if report != nil { send(checkpoint, ContinuousClock.now) }
  }

  private func send(_ checkpoint: LogPosition, _ now: ContinuousClock.Instant) {
    let done = checkpoint.rawValue - min(checkpoint.rawValue, start.rawValue)
    let elapsed = now - began
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    report?(
      ProjectionProgress(
        done: done, total: head.rawValue - min(head.rawValue, start.rawValue),
        eventsPerSecond: seconds > 0 ? Double(done) / seconds : 0, checkpoint: checkpoint))
  }
}
