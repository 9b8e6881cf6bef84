/// Who issued a command and why: becomes the metadata of the events it records.
public struct CommandContext: Sendable, Hashable {
  /// Who issues the command (an account, the office, a process).
  public var actor: String?
  /// The ID shared by everything one request caused; a new one when `nil`.
  public var correlationID: EventID?
  /// The event or command that caused this one.
  public var causationID: EventID?
  /// Free key/value pairs recorded with each event.
  public var custom: [String: String]

  /// Every part may be left out; a `nil` correlation ID gets a new one when the events are recorded.
  public init(
    actor: String? = nil, correlationID: EventID? = nil, causationID: EventID? = nil,
    custom: [String: String] = [:]
  ) {
    self.actor = actor
    self.correlationID = correlationID
    self.causationID = causationID
    self.custom = custom
  }
}

/// What handling a command did.
public struct CommandOutcome<D: Decider>: Sendable {
  /// The events recorded (empty when the decider decided nothing needed to happen).
  public var events: [D.Event]
  /// The stream's state after them.
  public var state: D.State
  /// Where the events went; `nil` when there were none.
  public var append: AppendResult?
  /// The stream's version after the command (`nil`: the stream still does not exist).
  public var version: StreamVersion?
}

/// Runs commands against a ``Decider``: loads the stream, folds it, decides, and appends with
/// the loaded version as the expected version.
///
/// - On a version conflict (another writer appended in between) it loads again and decides
///   again, up to ``maximumAttempts`` times, then throws the last
///   ``EventStoreError/Code/wrongExpectedVersion``.
/// - A refused command throws the decider's own error, unchanged, and appends nothing.
/// - Each event gets an ID from the injected generator and metadata from the context and the
///   injected clock: time, actor, correlation ID (one per command unless given) and causation
///   ID.
/// - With a ``SnapshottingDecider`` and a ``StateStore``, loading starts from the stream's
///   latest snapshot, and a new snapshot is saved every ``snapshotInterval`` events.
public struct CommandHandler<D: Decider>: Sendable {
  /// The decider whose `decide` and `evolve` each command runs through.
  public let decider: D
  /// How recorded events are decoded (upcasters included).
  public let schema: EventSchema<D.Event>
  /// How many times a command is decided before a conflict is given up on.
  public var maximumAttempts: Int
  /// Save a snapshot once a stream has grown this many events past its last one.
  public var snapshotInterval: UInt64
  /// Seals the events' ``Personal`` fields; `nil` when the events hold no personal data
  /// (an event with a revealed personal value is then refused, never written in plaintext).
  public var protector: (any PersonalDataProtector)?

  let store: any EventStore
  private let states: (any StateStore)?
  private let clock: EventClock
  private let ids: EventIDGenerator
  private let snapshots: SnapshotCodec<D>?

  /// Creates a handler.
  ///
  /// - Parameters:
  ///   - states: where snapshots are kept; snapshots are used only with a
  ///     ``SnapshottingDecider`` (see the other initializer).
  public init(
    decider: D, store: any EventStore, schema: EventSchema<D.Event> = EventSchema(),
    clock: EventClock = .system, ids: EventIDGenerator? = nil, maximumAttempts: Int = 5
  ) {
    self.decider = decider
    self.store = store
    self.schema = schema
    self.clock = clock
    self.ids = ids ?? .timeOrdered(clock: clock)
    self.maximumAttempts = max(1, maximumAttempts)
    self.snapshotInterval = 0
    self.states = nil
    self.snapshots = nil
  }

  /// Creates a handler that keeps snapshots of long streams in `states`.
  public init(
    decider: D, store: any EventStore & StateStore, schema: EventSchema<D.Event> = EventSchema(),
    clock: EventClock = .system, ids: EventIDGenerator? = nil, maximumAttempts: Int = 5,
    snapshotInterval: UInt64 = 100
  ) where D: SnapshottingDecider {
    self.decider = decider
    self.store = store
    self.schema = schema
    self.clock = clock
    self.ids = ids ?? .timeOrdered(clock: clock)
    self.maximumAttempts = max(1, maximumAttempts)
    self.snapshotInterval = max(1, snapshotInterval)
    self.states = store
    self.snapshots = SnapshotCodec(version: decider.snapshotVersion)
  }

  /// A ``MultiStreamHandler`` on the same store, clock, IDs and maximum attempts, for a
  /// command whose rule spans several streams. It does not use this handler's decider,
  /// schema or snapshots: each stream is read through the decider the command names.
  public var multiStream: MultiStreamHandler {
    var handler = MultiStreamHandler(
      store: store, clock: clock, ids: ids, maximumAttempts: maximumAttempts)
    handler.protector = protector
    return handler
  }

  /// The state of `stream` and its version (`nil` when it does not exist).
  public func load(_ stream: StreamName) async throws -> (state: D.State, version: StreamVersion?) {
    let loaded = try await loadWithSnapshot(stream)
    return (loaded.state, loaded.version)
  }

  private func loadWithSnapshot(_ stream: StreamName) async throws
    -> (state: D.State, version: StreamVersion?, snapshotVersion: UInt64)
  {
    var state = decider.initialState
    var version: StreamVersion?
    var snapshotAt: UInt64 = 0
    if let snapshots, let states,
      let stored = try await states.loadState(SnapshotCodec<D>.key(for: stream)),
      let restored = snapshots.decode(stored.bytes)
    {
      state = restored
      version = StreamVersion(stored.position)
      snapshotAt = stored.position
    }
    while true {
      let page = try await store.readStream(
        stream, from: version?.next ?? .first, direction: .forwards, limit: 500)
      for recorded in page {
        state = decider.evolve(state, try recorded.decode(with: schema))
        version = recorded.version
      }
      if page.count < 500 { break }
    }
    return (state, version, snapshotAt)
  }

  /// Handles `command` on `stream`.
  ///
  /// - Throws: the decider's `Failure` unchanged when it refuses the command (nothing is
  ///   appended); ``EventStoreError`` when the store fails or conflicts persist.
  @discardableResult
  public func handle(
    _ command: D.Command, on stream: StreamName, context: CommandContext = CommandContext()
  ) async throws -> CommandOutcome<D> {
    let correlation = context.correlationID ?? ids.next()
    var lastConflict: EventStoreError?
    for _ in 0..<maximumAttempts {
      let (state, version, snapshotAt) = try await loadWithSnapshot(stream)
      let events = try decider.decide(command, state: state)
      guard !events.isEmpty else {
        return CommandOutcome(events: [], state: state, append: nil, version: version)
      }
      var withCorrelation = context
      withCorrelation.correlationID = correlation
      let data = try await eventData(events, context: withCorrelation)
      let result: AppendResult
      do {
        result = try await store.append(data, to: stream, expectedVersion: .at(version))
      } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
        lastConflict = error
        continue
      }
      let newState = decider.fold(events, from: state)
      try await saveSnapshotIfDue(newState, stream, result.lastVersion, since: snapshotAt)
      return CommandOutcome(
        events: events, state: newState, append: result, version: result.lastVersion)
    }
    throw lastConflict!
  }

  /// Encodes events with metadata from `context` (a new correlation ID when it has none) and
  /// the injected clock and ID generator.
  ///
  /// Personal fields are sealed by ``protector``, and the data keys it made are stored before
  /// this returns, so that no event is appended whose key was not kept.
  func eventData(_ events: [D.Event], context: CommandContext) async throws -> [EventData] {
    let time = clock.now()
    let correlation = context.correlationID ?? ids.next()
    let data = try events.map { event in
      try EventData(
        event, id: ids.next(),
        metadata: EventMetadata(
          time: time, correlationID: correlation, causationID: context.causationID,
          actor: context.actor, custom: context.custom),
        sealer: protector)
    }
    try await protector?.saveNewKeys()
    return data
  }

  private func saveSnapshotIfDue(
    _ state: D.State, _ stream: StreamName, _ version: StreamVersion, since snapshotAt: UInt64
  ) async throws {
    guard let snapshots, let states, version.rawValue - snapshotAt >= snapshotInterval else {
      return
    }
    try await states.saveState(
      StoredState(position: version.rawValue, bytes: snapshots.encode(state)),
      for: SnapshotCodec<D>.key(for: stream))
  }
}

/// Encodes a decider's state for a snapshot: a 4-byte snapshot version, then the state.
struct SnapshotCodec<D: Decider>: Sendable {
  let version: UInt32
  let encodeState: @Sendable (D.State, inout BinaryWriter) -> Void
  let decodeState: @Sendable (inout BinaryReader) throws -> D.State

  init(version: UInt32) where D: SnapshottingDecider {
    self.version = version
    encodeState = { state, writer in state.encode(to: &writer) }
    decodeState = { reader in try D.State(from: &reader) }
  }

  static func key(for stream: StreamName) -> String { "snapshot/\(stream.rawValue)" }

  func encode(_ state: D.State) -> [UInt8] {
    var writer = BinaryWriter()
    writer.writeFixedWidth(version)
    encodeState(state, &writer)
    return writer.bytes
  }

  /// The state, or `nil` when the snapshot is of another version or does not decode (the
  /// stream is then folded from its first event).
  func decode(_ bytes: [UInt8]) -> D.State? {
    bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      guard (try? reader.readFixedWidth(UInt32.self)) == version else { return nil }
      return try? decodeState(&reader)
    }
  }
}

extension CommandHandler {
  /// Loads `stream` once and returns a session that handles many commands on it without
  /// reloading: for importers and recorders that issue long runs of commands to one stream.
  public func session(on stream: StreamName) async throws -> StreamSession<D> {
    let (state, version) = try await load(stream)
    return StreamSession(handler: self, stream: stream, state: state, version: version)
  }
}

/// Many commands on one stream, deciding against a state kept in memory between them.
///
/// Each command is decided against the session's state and appended with the session's
/// version as the expected version; when another writer appended in between, the session
/// reloads the stream and decides again (up to the handler's ``CommandHandler/maximumAttempts``).
public struct StreamSession<D: Decider>: Sendable {
  /// The handler whose decider, store, clock and IDs the session uses.
  public let handler: CommandHandler<D>
  /// The stream every command of the session is decided on, loaded once.
  public let stream: StreamName
  /// The stream's state after the last command.
  public private(set) var state: D.State
  /// The stream's version after the last command (`nil` while it does not exist).
  public private(set) var version: StreamVersion?

  /// Handles `command`: the decider's error is thrown unchanged and nothing is appended.
  @discardableResult
  public mutating func handle(_ command: D.Command, context: CommandContext = CommandContext())
    async throws -> [D.Event]
  {
    var lastConflict: EventStoreError?
    for _ in 0..<handler.maximumAttempts {
      let events = try handler.decider.decide(command, state: state)
      guard !events.isEmpty else { return [] }
      let data = try await handler.eventData(events, context: context)
      do {
        let result = try await handler.store.append(data, to: stream, expectedVersion: .at(version))
        state = handler.decider.fold(events, from: state)
        version = result.lastVersion
        return events
      } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
        lastConflict = error
        (state, version) = try await handler.load(stream)
      }
    }
    throw lastConflict!
  }
}

extension StreamSession {
  /// The same session (stream, state, version) going on with another handler, for instance one
  /// whose clock tells another day.
  public init(copying session: StreamSession, handler: CommandHandler<D>) {
    self.init(
      handler: handler, stream: session.stream, state: session.state, version: session.version)
  }
}
