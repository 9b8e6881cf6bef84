import EventLog
import EventLogTestSupport
import Synchronization
import Testing

@Suite("Workshop decider: given events, when a command, then events or an error")
struct WorkshopDeciderTests {
  let decider = WorkshopDecider()

  @Test func openingAClosedWorkshop() {
    #expect(decider.given([]).when(.open(capacity: 2)) == .success([.opened(capacity: 2)]))
  }

  @Test func openingTwiceIsRefused() {
    #expect(
      decider.given([.opened(capacity: 2)]).when(.open(capacity: 3)) == .failure(.alreadyOpen))
  }

  @Test func registeringWhileSeatsRemain() {
    #expect(
      decider.given([.opened(capacity: 2), .registered(participant: "ana")]).when(.register("ben"))
        == .success([.registered(participant: "ben")]))
  }

  @Test func registeringWhenFullIsRefused() {
    #expect(
      decider.given([.opened(capacity: 1), .registered(participant: "ana")]).when(.register("ben"))
        == .failure(.full(capacity: 1)))
  }

  @Test func aCancellationFreesASeat() {
    #expect(
      decider.given([
        .opened(capacity: 1), .registered(participant: "ana"), .cancelled(participant: "ana"),
      ]).when(.register("ben")) == .success([.registered(participant: "ben")]))
  }

  @Test func cancellingSomeoneNotRegisteredIsRefused() {
    #expect(
      decider.given([.opened(capacity: 1)]).when(.cancel("zoe")) == .failure(.notRegistered("zoe")))
  }
}

/// A store that lets another writer append right before the handler's first append attempts.
final class RacingStore: EventStore, StateStore {
  let base: InMemoryEventStore
  let interloper: @Sendable (InMemoryEventStore) async throws -> Void
  let raced = Mutex(0)
  let racesLeft: Mutex<Int>

  init(
    base: InMemoryEventStore, races: Int,
    interloper: @escaping @Sendable (InMemoryEventStore) async throws -> Void
  ) {
    self.base = base
    self.interloper = interloper
    racesLeft = Mutex(races)
  }

  func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
    let race = racesLeft.withLock { left -> Bool in
      defer { left -= 1 }
      return left > 0
    }
    if race {
      raced.withLock { $0 += 1 }
      do { try await interloper(base) } catch { Issue.record(error) }
    }
    return try await base.append(appends)
  }

  func readStream(
    _ stream: StreamName, from version: StreamVersion?, direction: ReadDirection, limit: Int
  ) async throws -> [RecordedEvent] {
    try await base.readStream(stream, from: version, direction: direction, limit: limit)
  }

  func readLog(from position: LogPosition, limit: Int, filter: LogFilter)
    async throws
    -> LogPage
  {
    try await base.readLog(from: position, limit: limit, filter: filter)
  }

  func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    try await base.scanLog(from: position, limit: limit, filter: filter, body)
  }

  func currentVersion(of stream: StreamName) async throws -> StreamVersion? {
    await base.currentVersion(of: stream)
  }

  func headPosition() async throws -> LogPosition { await base.headPosition() }

  func waitForAppends(after position: LogPosition) async {
    await base.waitForAppends(after: position)
  }

  func loadState(_ key: String) async throws -> StoredState? {
    await base.loadState(key)
  }

  func saveState(_ state: StoredState, for key: String) async throws {
    await base.saveState(state, for: key)
  }

  func deleteState(_ key: String) async throws { await base.deleteState(key) }
}

@Suite("Command handling")
struct CommandHandlerTests {
  let start = Timestamp(year: 2018, month: 6, day: 7, hour: 9)

  func handler(_ store: any EventStore) -> CommandHandler<WorkshopDecider> {
    CommandHandler(
      decider: WorkshopDecider(), store: store, clock: .fixed(start),
      ids: .seeded(1, clock: .fixed(start)))
  }

  @Test func aCommandAppendsItsEventsWithMetadata() async throws {
    let store = InMemoryEventStore()
    let handler = handler(store)
    let cause = EventID.random()
    let opened = try await handler.handle(
      .open(capacity: 2), on: "workshop-1",
      context: CommandContext(actor: "office", causationID: cause, custom: ["via": "test"]))
    #expect(opened.events == [.opened(capacity: 2)])
    #expect(opened.version == 1)
    let outcome = try await handler.handle(.register("ana"), on: "workshop-1")
    #expect(outcome.state.participants == ["ana"])
    let recorded = try await store.readStream("workshop-1")
    #expect(recorded.count == 2)
    #expect(
      try recorded.map { try $0.decode(as: WorkshopEvent.self) } == [
        .opened(capacity: 2), .registered(participant: "ana"),
      ])
    #expect(recorded[0].metadata.actor == "office")
    #expect(recorded[0].metadata.causationID == cause)
    #expect(recorded[0].metadata.custom == ["via": "test"])
    #expect(recorded[0].metadata.time == start)
    #expect(recorded[0].metadata.correlationID != nil)
    #expect(recorded[1].metadata.correlationID != recorded[0].metadata.correlationID)
    #expect(recorded.allSatisfy { $0.id.version == 7 })
  }

  @Test func aRefusedCommandSurfacesTheDomainErrorAndAppendsNothing() async throws {
    let store = InMemoryEventStore()
    let handler = handler(store)
    try await handler.handle(.open(capacity: 1), on: "workshop-1")
    try await handler.handle(.register("ana"), on: "workshop-1")
    await #expect(throws: WorkshopFailure.full(capacity: 1)) {
      try await handler.handle(.register("ben"), on: "workshop-1")
    }
    await #expect(throws: WorkshopFailure.notOpen) {
      try await handler.handle(.register("ben"), on: "workshop-2")
    }
    #expect(await store.headPosition() == 2)
  }

  @Test func aConflictIsRetriedAgainstTheNewState() async throws {
    let base = InMemoryEventStore()
    try await handler(base).handle(.open(capacity: 2), on: "workshop-1")
    let racing = RacingStore(base: base, races: 1) { store in
      try await CommandHandler(decider: WorkshopDecider(), store: store)
        .handle(.register("zoe"), on: "workshop-1")
    }
    let outcome = try await handler(racing).handle(.register("ana"), on: "workshop-1")
    #expect(racing.raced.withLock { $0 } == 1)
    #expect(outcome.state.participants == ["zoe", "ana"])
    #expect(outcome.version == 3)
  }

  @Test func aRetryDecidesAgainAndMayRefuse() async throws {
    let base = InMemoryEventStore()
    try await handler(base).handle(.open(capacity: 1), on: "workshop-1")
    let racing = RacingStore(base: base, races: 1) { store in
      try await CommandHandler(decider: WorkshopDecider(), store: store)
        .handle(.register("zoe"), on: "workshop-1")
    }
    await #expect(throws: WorkshopFailure.full(capacity: 1)) {
      try await handler(racing).handle(.register("ana"), on: "workshop-1")
    }
    #expect(await base.headPosition() == 2)
  }

  @Test func persistentConflictsAreBounded() async throws {
    let base = InMemoryEventStore()
    try await handler(base).handle(.open(capacity: 100), on: "workshop-1")
    let counter = Mutex(0)
    let racing = RacingStore(base: base, races: 1000) { store in
      let n = counter.withLock { value -> Int in
        value += 1
        return value
      }
      try await CommandHandler(decider: WorkshopDecider(), store: store)
        .handle(.register("racer-\(n)"), on: "workshop-1")
    }
    var handler = handler(racing)
    handler.maximumAttempts = 3
    let error = await #expect(throws: EventStoreError.self) {
      try await handler.handle(.register("ana"), on: "workshop-1")
    }
    #expect(error?.code == .wrongExpectedVersion)
    #expect(error?.stream == "workshop-1")
    #expect(racing.raced.withLock { $0 } == 3)
    let participants = try await CommandHandler(decider: WorkshopDecider(), store: base)
      .load("workshop-1").state.participants
    #expect(!participants.contains("ana"))
  }
}

@Suite("Snapshots")
struct SnapshotTests {
  func exercise(_ store: any EventStore & StateStore, decider: WorkshopDecider = WorkshopDecider())
    async throws -> CommandHandler<WorkshopDecider>
  {
    let handler = CommandHandler(decider: decider, store: store, snapshotInterval: 25)
    try await handler.handle(.open(capacity: 1000), on: "workshop-1")
    for n in 0..<240 {
      try await handler.handle(
        n % 3 == 2 ? .cancel("p\(n - 1)") : .register("p\(n)"), on: "workshop-1")
    }
    return handler
  }

  @Test func theSameStateWithAndWithoutSnapshots() async throws {
    let store = InMemoryEventStore()
    let withSnapshots = try await exercise(store)
    let snapshot = try #require(await store.loadState("snapshot/workshop-1"))
    #expect(snapshot.position >= 225)
    let plain = CommandHandler(decider: WorkshopDecider(), store: store)
    let a = try await withSnapshots.load("workshop-1")
    let b = try await plain.load("workshop-1")
    #expect(a.state == b.state)
    #expect(a.version == b.version)
    #expect(a.version == 241)
    // The fold from the events, independently of both handlers.
    let events = try await store.readStream("workshop-1").map {
      try $0.decode(as: WorkshopEvent.self)
    }
    #expect(WorkshopDecider().fold(events) == a.state)
  }

  @Test func aSnapshotOfAnotherVersionIsIgnored() async throws {
    let store = InMemoryEventStore()
    _ = try await exercise(store)
    // Plant a snapshot that would be wrong if it were used.
    let bogus = WorkshopState(capacity: 1, participants: ["nobody"])
    var writer = BinaryWriter()
    writer.writeFixedWidth(UInt32(1))
    bogus.encode(to: &writer)
    await store.saveState(
      StoredState(position: 241, bytes: writer.bytes), for: "snapshot/workshop-1")
    let v1 = try await CommandHandler(
      decider: WorkshopDecider(), store: store, snapshotInterval: 25
    ).load("workshop-1")
    #expect(v1.state == bogus, "version 1 trusts its snapshot")
    // Version 2 of the state's form (say, an event gained a field the state keeps) ignores it.
    let v2 = try await CommandHandler(
      decider: WorkshopDecider(snapshotVersion: 2), store: store, snapshotInterval: 25
    )
    .load("workshop-1")
    let plain = try await CommandHandler(decider: WorkshopDecider(), store: store).load(
      "workshop-1")
    #expect(v2.state == plain.state)
    #expect(v2.state != bogus)
  }
}
