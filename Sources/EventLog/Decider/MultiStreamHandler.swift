/// Runs commands that decide with the states of several streams and append to any of them in
/// one atomic step.
///
/// A command is a closure that reads the streams it needs through a ``MultiStreamDecision``
/// (each folded through its own ``Decider``, or only its version asked), decides with the
/// deciders' pure `decide`, and records the events for each stream it writes. The handler then
/// appends every stream written, each at the version it was read at, together with a
/// condition (``StreamAppend/condition(_:expectedVersion:)``) for every stream read but not
/// written, in one ``EventStore/append(_:)``:
///
/// - when any stream read, written or not, changed between its read and the append, the
///   store refuses the whole batch with ``EventStoreError/Code/wrongExpectedVersion``, and
///   the handler runs the closure again from scratch, on fresh reads, up to
///   ``maximumAttempts`` times, then throws the last conflict;
/// - an error thrown by the closure (a decider's refusal) is thrown unchanged and nothing is
///   appended;
/// - when the closure appends no events, nothing is appended and no condition is checked;
/// - each event gets an ID from the injected generator and metadata from the context and the
///   injected clock, with one correlation ID for the whole command (the context's, or a new
///   one).
///
/// The streams are read one after the other, not in one snapshot of the log; the conditions
/// make the decision as good as one taken on a snapshot, since a batch whose reads are not all
/// still current is refused. The handler does not use snapshots (see ``CommandHandler``), and
/// the closure may run several times, so it must have no effect other than its reads and
/// appends.
///
/// ```swift
/// let outcome = try await MultiStreamHandler(store: store).handle { decision in
///   let workshop = try await decision.read("workshop-1", through: Capacity())
///   let events = try Capacity().decide(.register("ana"), state: workshop.state)
///   try decision.append(events, to: "workshop-1")
/// }
/// ```
public struct MultiStreamHandler: Sendable {
  /// The store read and appended to.
  public let store: any EventStore
  /// How many times a command is decided before a conflict is given up on (at least once).
  public var maximumAttempts: Int
  /// How many events a read of a stream asks the store for at a time (at least one).
  public var pageSize: Int = 500
  /// Seals the events' ``Personal`` fields (see ``CommandHandler/protector``).
  public var protector: (any PersonalDataProtector)?

  private let clock: EventClock
  private let ids: EventIDGenerator

  /// Creates a handler on `store`, stamping events with `clock` and IDs from `ids` (IDs
  /// ordered by `clock` when `nil`).
  public init(
    store: any EventStore, clock: EventClock = .system, ids: EventIDGenerator? = nil,
    maximumAttempts: Int = 5
  ) {
    self.store = store
    self.clock = clock
    self.ids = ids ?? .timeOrdered(clock: clock)
    self.maximumAttempts = max(1, maximumAttempts)
  }

  /// Decides a command with `decide` and appends what it decided, atomically, requiring every
  /// stream it read to be at the version it was read at.
  ///
  /// `decide` gets a fresh ``MultiStreamDecision`` on each attempt; what it returns is
  /// returned in the outcome of the attempt that was appended. It runs on the caller's actor
  /// (`isolation`), so it may use the caller's state without being `Sendable`.
  ///
  /// - Throws: whatever `decide` throws, unchanged (nothing is appended then);
  ///   ``EventStoreError`` when the store fails, when `decide` appends to a stream it did not
  ///   read (``EventStoreError/Code/invalidArgument``), or when conflicts persist past
  ///   ``maximumAttempts`` (``EventStoreError/Code/wrongExpectedVersion``, naming the last
  ///   stream that changed).
  @discardableResult
  public func handle<Value>(
    context: CommandContext = CommandContext(),
    isolation: isolated (any Actor)? = #isolation,
    _ decide: (inout MultiStreamDecision) async throws -> Value
  ) async throws -> MultiStreamOutcome<Value> {
    var context = context
    if context.correlationID == nil { context.correlationID = ids.next() }
    var lastConflict: EventStoreError?
    // A handler whose property was set to 0 or less still decides once.
    for attempt in 1...max(1, maximumAttempts) {
      var decision = MultiStreamDecision(
        store: store, context: context, clock: clock, ids: ids, pageSize: max(1, pageSize),
        sealer: protector)
      let value: Value
      do {
        value = try await decide(&decision)
      } catch let error as EventStoreError
        where error.code == .wrongExpectedVersion && decision.changedWhileDeciding
      {
        // A stream read twice changed in between: decide again. (Any other error of the
        // closure, a conflict of its own included, is the closure's to throw.)
        lastConflict = error
        continue
      }
      let appends = decision.appends()
      guard decision.hasEvents else {
        return MultiStreamOutcome(value: value, results: [], attempts: attempt)
      }
      // The data keys made while the events were encoded are kept before the events are.
      try await protector?.saveNewKeys()
      do {
        let results = try await store.append(appends)
        return MultiStreamOutcome(value: value, results: results, attempts: attempt)
      } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
        lastConflict = error
      }
    }
    // Every attempt ended in a conflict (there is at least one attempt).
    throw lastConflict ?? EventStoreError(.wrongExpectedVersion, "the command was not decided")
  }
}

/// What handling a multi-stream command did.
public struct MultiStreamOutcome<Value> {
  /// What the command's closure returned, on the attempt that was appended.
  public var value: Value
  /// One result for each stream read or written, in the order of the batch: first the
  /// streams written (in the order they were first appended to), then a condition for each
  /// stream only read (in the order they were read), whose result is an empty range (see
  /// ``AppendResult``). Empty when the command appended no events.
  public var results: [AppendResult]
  /// How many times the command was decided: 1 unless a conflict made it decide again.
  public var attempts: Int

  /// The result for `stream`, or `nil` when the batch did not name it.
  public func result(for stream: StreamName) -> AppendResult? {
    results.first { $0.stream == stream }
  }
}

extension MultiStreamOutcome: Sendable where Value: Sendable {}

/// One attempt at a multi-stream command: the streams read, at which versions, and the events
/// decided for each stream.
///
/// Every read records the stream's version; ``MultiStreamHandler`` requires it at append time,
/// whether or not the stream is written. Appending is allowed only to a stream read in the
/// same decision, so that every write has an expected version.
public struct MultiStreamDecision: Sendable {
  /// The command's context, with its correlation ID set.
  public let context: CommandContext

  private let store: any EventStore
  private let clock: EventClock
  private let ids: EventIDGenerator
  private let pageSize: Int
  private let sealer: (any PersonalDataSealer)?
  /// The streams read, in order, and the version each was read at (`nil`: it did not exist).
  private var reads: [(stream: StreamName, version: StreamVersion?)] = []
  /// The streams written, in order of their first append, and their events.
  private var writes: [(stream: StreamName, events: [EventData])] = []

  init(
    store: any EventStore, context: CommandContext, clock: EventClock, ids: EventIDGenerator,
    pageSize: Int, sealer: (any PersonalDataSealer)?
  ) {
    self.sealer = sealer
    self.store = store
    self.context = context
    self.clock = clock
    self.ids = ids
    self.pageSize = pageSize
  }

  /// The version `stream` was read at in this decision: `.some(nil)` when it was read and did
  /// not exist, `nil` when it was not read.
  func versionRead(of stream: StreamName) -> StreamVersion?? {
    reads.first { $0.stream == stream }.map(\.version)
  }

  /// Reads `stream` and folds it through `decider`, decoding with `schema`, and records the
  /// version it was read at.
  ///
  /// The same stream may be read again (through another decider, say); when it changed in
  /// between, this throws ``EventStoreError/Code/wrongExpectedVersion`` and the handler
  /// decides again. Reads the whole stream each time: no snapshots.
  /// - Returns: the stream's state and its version (`nil` when it does not exist).
  public mutating func read<D: Decider>(
    _ stream: StreamName, through decider: D, schema: EventSchema<D.Event> = EventSchema()
  ) async throws -> (state: D.State, version: StreamVersion?) {
    var state = decider.initialState
    var version: StreamVersion?
    while true {
      let page = try await store.readStream(
        stream, from: version?.next ?? .first, direction: .forwards, limit: pageSize)
      for recorded in page {
        state = decider.evolve(state, try recorded.decode(with: schema))
        version = recorded.version
      }
      if page.count < pageSize { break }
    }
    try record(stream, at: version)
    return (state, version)
  }

  /// Reads only the version of `stream` (`nil` when it does not exist), and records it: for a
  /// rule that needs to know whether a stream exists, or to append to a stream whose events
  /// the decision does not need.
  public mutating func version(of stream: StreamName) async throws -> StreamVersion? {
    let version = try await store.currentVersion(of: stream)
    try record(stream, at: version)
    return version
  }

  /// Records `events` for `stream`, after any recorded for it before in this decision.
  ///
  /// The events are encoded now, with a new ID each and metadata from the context and the
  /// clock; they are appended only when the whole decision is, at the version the stream was
  /// read at. Appending no events records nothing.
  /// - Throws: ``EventStoreError/Code/invalidArgument`` when `stream` was not read in this
  ///   decision; ``EventStoreError/Code/encodingFailed`` when an event does not encode.
  public mutating func append<Event: RecordableEvent>(_ events: [Event], to stream: StreamName)
    throws(EventStoreError)
  {
    guard versionRead(of: stream) != nil else {
      throw EventStoreError(
        .invalidArgument, "a decision appends only to streams it read", stream: stream)
    }
    guard !events.isEmpty else { return }
    let time = clock.now()
    let metadata = EventMetadata(
      time: time, correlationID: context.correlationID, causationID: context.causationID,
      actor: context.actor, custom: context.custom)
    var data: [EventData] = []
    data.reserveCapacity(events.count)
    for event in events {
      data.append(try EventData(event, id: ids.next(), metadata: metadata, sealer: sealer))
    }
    if let index = writes.firstIndex(where: { $0.stream == stream }) {
      writes[index].events += data
    } else {
      writes.append((stream, data))
    }
  }

  /// Whether a stream read twice was found at another version the second time.
  private(set) var changedWhileDeciding = false

  /// Whether any events were recorded.
  var hasEvents: Bool { !writes.isEmpty }

  /// The batch: each stream written at the version it was read at, then a condition for each
  /// stream read but not written.
  func appends() -> [StreamAppend] {
    var appends: [StreamAppend] = []
    appends.reserveCapacity(reads.count)
    for write in writes {
      let version = versionRead(of: write.stream) ?? nil
      appends.append(
        StreamAppend(stream: write.stream, expectedVersion: .at(version), events: write.events))
    }
    for read in reads where !writes.contains(where: { $0.stream == read.stream }) {
      appends.append(.condition(read.stream, expectedVersion: .at(read.version)))
    }
    return appends
  }

  private mutating func record(_ stream: StreamName, at version: StreamVersion?)
    throws(EventStoreError)
  {
    if let earlier = versionRead(of: stream) {
      guard earlier == version else {
        changedWhileDeciding = true
        throw .wrongExpectedVersion(stream, expected: .at(earlier), actual: version)
      }
      return
    }
    reads.append((stream, version))
  }
}
