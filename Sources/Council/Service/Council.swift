import EventLog
import EventLogPersonalData

/// The council's front door: runs each command through its aggregate's decider, and crosses
/// aggregates where a rule needs it (an approval that creates the administrative account,
/// an account that reserves its e-mail address, a fund approval within the budget) with a
/// ``MultiStreamHandler``: one atomic append to several streams, requiring every stream read
/// to be at the version it was read at.
///
/// Every method takes the ``Issuer``; deciders refuse what the issuer may not do with a
/// typed error, and a refused command appends nothing.
public struct Council: Sendable {
  /// The store every command reads its streams from and appends its events to.
  public let store: any EventStore & StateStore
  /// Tells the time for metadata.
  public let clock: EventClock
  /// Makes event IDs.
  public let ids: EventIDGenerator
  /// How many times a command is decided again after a conflict.
  public var maximumAttempts = 5
  /// Seals, opens and forgets people's data (see <doc:PersonalData>); `nil` when the store
  /// keeps no data keys, and then every command that records a person is refused.
  public let protector: (any PersonalDataProtector)?

  /// Creates the front door to the council recorded in `store`.
  ///
  /// - Parameter protector: what seals people's data. By default, a ``PersonalDataVault``
  ///   over the store's own keys: for an ``InMemoryEventStore``, with a master key made for
  ///   this process (the log does not outlive it either); for any other store that is a
  ///   ``DataKeyStore`` (the LMDB store), with ``MasterKey/default(environment:)``, obtained the
  ///   first time a person's data is sealed or opened.
  public init(
    store: any EventStore & StateStore, clock: EventClock = .system, ids: EventIDGenerator? = nil,
    protector: (any PersonalDataProtector)? = nil
  ) {
    self.store = store
    self.clock = clock
    self.ids = ids ?? .timeOrdered(clock: clock)
    self.protector = protector ?? Self.defaultProtector(for: store)
  }

  /// The protector ``init(store:clock:ids:protector:)`` gives `store` when it is given none.
  public static func defaultProtector(for store: any EventStore) -> (any PersonalDataProtector)? {
    if let memory = store as? InMemoryEventStore {
      return PersonalDataVault(keys: memory, masterKey: MasterKey.generate())
    }
    guard let keys = store as? any DataKeyStore else { return nil }
    return PersonalDataVault(keys: keys) { () throws(PersonalDataError) in try MasterKey.default() }
  }

  /// The same council, telling the time by `clock` (for recording what happened on a past day,
  /// as imports and simulations do).
  public func with(clock: EventClock) -> Council {
    var copy = Council(store: store, clock: clock, ids: ids, protector: protector)
    copy.maximumAttempts = maximumAttempts
    return copy
  }

  /// The day it is now, by the injected clock.
  public var today: Day { Day(clock.now()) }

  /// A command handler for `decider` on this council's store, clock and IDs.
  public func handler<D: Decider>(_ decider: D) -> CommandHandler<D> {
    var handler = CommandHandler(
      decider: decider, store: store, clock: clock, ids: ids, maximumAttempts: maximumAttempts)
    handler.protector = protector
    return handler
  }

  /// A multi-stream command handler on this council's store, clock and IDs.
  public var multiStreamHandler: MultiStreamHandler {
    var handler = MultiStreamHandler(
      store: store, clock: clock, ids: ids, maximumAttempts: maximumAttempts)
    handler.protector = protector
    return handler
  }

  /// Decides a command over several streams with `decide` and appends what it decided in one
  /// atomic step, recording the issuer as the actor; see ``MultiStreamHandler``.
  ///
  /// Every stream `decide` reads is required at the version it was read at, written or not;
  /// on a conflict `decide` runs again on fresh reads (up to ``maximumAttempts`` times).
  /// Errors thrown by `decide` (the deciders' refusals) are thrown unchanged.
  @discardableResult
  public func decide<Value>(
    by issuer: Issuer, isolation: isolated (any Actor)? = #isolation,
    _ decide: (inout MultiStreamDecision) async throws -> Value
  ) async throws -> MultiStreamOutcome<Value> {
    try await multiStreamHandler.handle(
      context: CommandContext(actor: issuer.recordedActor), isolation: isolation, decide)
  }

  /// Runs `command` on `stream` through `decider`, recording the issuer as the actor.
  @discardableResult
  public func run<D: Decider>(
    _ decider: D, _ command: D.Command, on stream: StreamName, by issuer: Issuer
  ) async throws -> CommandOutcome<D> {
    try await handler(decider).handle(
      command, on: stream, context: CommandContext(actor: issuer.recordedActor))
  }

  /// The state of `stream` folded through `decider`, and its version.
  public func load<D: Decider>(_ decider: D, _ stream: StreamName) async throws
    -> (state: D.State, version: StreamVersion?)
  {
    try await handler(decider).load(stream)
  }

  /// A member organization's current state.
  public func member(_ id: MemberID) async throws -> MemberState {
    try await load(MemberDecider(), Streams.member(id)).state
  }

  /// Encodes events for appending, with one correlation ID and the issuer as actor; their
  /// personal fields are sealed by ``protector``, whose new keys are stored before this
  /// returns.
  public func eventData<Event: RecordableEvent>(
    _ events: [Event], by issuer: Issuer, correlation: EventID
  ) async throws -> [EventData] {
    let time = clock.now()
    let data = try events.map { event in
      try EventData(
        event, id: ids.next(),
        metadata: EventMetadata(
          time: time, correlationID: correlation, actor: issuer.recordedActor),
        sealer: protector)
    }
    try await protector?.saveNewKeys()
    return data
  }

  /// Runs `attempt` until it does not fail with a version conflict, at most
  /// ``maximumAttempts`` times: for commands that load and append several streams.
  public func retryingConflicts<T>(_ attempt: () async throws -> T) async throws -> T {
    var attempts = max(1, maximumAttempts)
    while true {
      do {
        return try await attempt()
      } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
        attempts -= 1
        if attempts == 0 { throw error }
      }
    }
  }
}
