import EventLog
import EventLogTestSupport
import Synchronization
import Testing

/// A store that runs a hook once, just before the first append reaches the store it wraps:
/// the interleaving of another writer between a decision's reads and its append, injected
/// deterministically.
final class InterleavingStore: ForwardingStore {
  let inner: any EventStore
  private let hook: Mutex<(@Sendable (any EventStore) async throws -> Void)?>
  /// Every batch that reached the inner store, and whether it was refused with a conflict.
  let appends = Mutex<[(streams: [StreamName], conflict: EventStoreError?)]>([])

  init(
    _ inner: any EventStore, before hook: @escaping @Sendable (any EventStore) async throws -> Void
  ) {
    self.inner = inner
    self.hook = Mutex(hook)
  }

  func append(_ batch: [StreamAppend]) async throws -> [AppendResult] {
    if let hook = hook.withLock({ hook in
      defer { hook = nil }
      return hook
    }) {
      try await hook(inner)
    }
    do {
      let results = try await inner.append(batch)
      appends.withLock { $0.append((batch.map(\.stream), nil)) }
      return results
    } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
      appends.withLock { $0.append((batch.map(\.stream), error)) }
      throw error
    }
  }

}

/// Registers `participant` in `target` unless they are registered in `other`, which it
/// reads but does not write: one person, one workshop.
func registerInOneWorkshop(
  _ participant: String, in target: StreamName, unlessIn other: StreamName,
  _ decision: inout MultiStreamDecision
) async throws -> [WorkshopEvent] {
  let decider = WorkshopDecider()
  let elsewhere = try await decision.read(other, through: decider).state
  guard !elsewhere.participants.contains(participant) else {
    throw WorkshopFailure.alreadyRegistered(participant)
  }
  let state = try await decision.read(target, through: decider).state
  let events = try decider.decide(.register(participant), state: state)
  try decision.append(events, to: target)
  return events
}

@Suite("Commands over several streams")
struct MultiStreamHandlerTests {
  func data(_ events: [WorkshopEvent]) throws -> [EventData] {
    try events.map {
      try EventData(
        $0, id: .random(), metadata: EventMetadata(time: Timestamp(year: 2018, month: 6, day: 1)))
    }
  }

  /// Two workshops, "workshop-a" with ben registered and "workshop-b" empty.
  func openWorkshops(_ store: any EventStore) async throws {
    try await store.append(
      try data([.opened(capacity: 3), .registered(participant: "ben")]), to: "workshop-a",
      expectedVersion: .noStream)
    try await store.append(
      try data([.opened(capacity: 1)]), to: "workshop-b", expectedVersion: .noStream)
  }

  @Test(arguments: StoreKind.allCases)
  func aStreamReadButNotWrittenIsRequiredAsACondition(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      try await openWorkshops(store)
      let clock = EventClock.fixed(Timestamp(year: 2018, month: 6, day: 7))
      let handler = MultiStreamHandler(store: store, clock: clock)
      let outcome = try await handler.handle(context: CommandContext(actor: "office")) {
        decision in
        try await registerInOneWorkshop("ana", in: "workshop-b", unlessIn: "workshop-a", &decision)
      }
      #expect(outcome.value == [.registered(participant: "ana")])
      #expect(outcome.attempts == 1)
      #expect(outcome.results.map(\.stream) == ["workshop-b", "workshop-a"])
      let written = try #require(outcome.result(for: "workshop-b"))
      #expect(written.eventCount == 1)
      #expect(written.lastVersion == 2)
      let condition = try #require(outcome.result(for: "workshop-a"))
      #expect(condition.eventCount == 0, "nothing written to the stream only read")
      #expect(condition.lastVersion == 2, "the version it was required at")
      #expect(try await store.currentVersion(of: "workshop-a") == 2)
      let recorded = try await store.readStream("workshop-b")
      #expect(recorded.last?.metadata.actor == "office")
      #expect(recorded.last?.metadata.time == clock.now())
      #expect(recorded.last?.metadata.correlationID != nil)
    }
  }

  @Test(arguments: StoreKind.allCases)
  func aChangeToAStreamOnlyReadRefusesTheAppendAndTheCommandIsDecidedAgain(_ kind: StoreKind)
    async throws
  {
    try await kind.withStore { store in
      try await openWorkshops(store)
      // Between the decision's reads and its append, someone registers ana in workshop-a.
      let interleaved = InterleavingStore(store) { inner in
        try await inner.append(
          try data([.registered(participant: "ana")]), to: "workshop-a",
          expectedVersion: .exactly(2))
      }
      let handler = MultiStreamHandler(store: interleaved)
      await #expect(throws: WorkshopFailure.alreadyRegistered("ana")) {
        try await handler.handle { decision in
          try await registerInOneWorkshop(
            "ana", in: "workshop-b", unlessIn: "workshop-a", &decision)
        }
      }
      // The first append was refused by the condition on workshop-a; the second decision saw
      // ana there and refused; workshop-b is untouched.
      let appends = interleaved.appends.withLock { $0 }
      #expect(appends.count == 1)
      #expect(appends.first?.streams == ["workshop-b", "workshop-a"])
      #expect(appends.first?.conflict?.stream == "workshop-a")
      #expect(appends.first?.conflict?.expectedVersion == .exactly(2))
      #expect(appends.first?.conflict?.actualVersion == 3)
      #expect(try await store.currentVersion(of: "workshop-b") == 1)
    }
  }

  @Test(arguments: StoreKind.allCases)
  func aHarmlessChangeInBetweenCostsOneMoreAttempt(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      try await openWorkshops(store)
      let interleaved = InterleavingStore(store) { inner in
        try await inner.append(
          try data([.registered(participant: "cy")]), to: "workshop-a", expectedVersion: .any)
      }
      let outcome = try await MultiStreamHandler(store: interleaved).handle { decision in
        try await registerInOneWorkshop("ana", in: "workshop-b", unlessIn: "workshop-a", &decision)
      }
      #expect(outcome.attempts == 2)
      #expect(outcome.result(for: "workshop-a")?.lastVersion == 3, "required as it was re-read")
      #expect(try await store.currentVersion(of: "workshop-b") == 2)
    }
  }

  @Test func conflictsThatPersistAreGivenUpOnAfterTheMaximumAttempts() async throws {
    let store = InMemoryEventStore()
    try await openWorkshops(store)
    let handler = MultiStreamHandler(store: store, maximumAttempts: 3)
    let attempts = Mutex(0)
    let error = await #expect(throws: EventStoreError.self) {
      try await handler.handle { decision in
        attempts.withLock { $0 += 1 }
        let events = try await registerInOneWorkshop(
          "ana", in: "workshop-b", unlessIn: "workshop-a", &decision)
        // Another writer changes workshop-a every time, after the read.
        try await store.append(
          try data([.registered(participant: "x")]), to: "workshop-a", expectedVersion: .any)
        return events
      }
    }
    #expect(error?.code == .wrongExpectedVersion)
    #expect(error?.stream == "workshop-a")
    #expect(attempts.withLock { $0 } == 3)
    #expect(await store.currentVersion(of: "workshop-b") == 1)
  }

  @Test func rulesAreEnforcedAndNothingIsAppendedOnARefusal() async throws {
    let store = InMemoryEventStore()
    try await openWorkshops(store)
    let handler = MultiStreamHandler(store: store)
    let head = await store.headPosition()
    // A refusal from the decider, unchanged.
    await #expect(throws: WorkshopFailure.alreadyRegistered("ben")) {
      try await handler.handle { decision in
        try await registerInOneWorkshop("ben", in: "workshop-b", unlessIn: "workshop-a", &decision)
      }
    }
    // Appending to a stream not read is refused: every write needs its version.
    let unread = await #expect(throws: EventStoreError.self) {
      try await handler.handle { decision in
        try decision.append([WorkshopEvent.registered(participant: "ana")], to: "workshop-b")
      }
    }
    #expect(unread?.code == .invalidArgument)
    #expect(unread?.stream == "workshop-b")
    // Deciding nothing appends nothing and checks nothing.
    let idle = try await handler.handle { decision in
      try await decision.version(of: "workshop-a")
    }
    #expect(idle.value == 2)
    #expect(idle.results.isEmpty)
    #expect(await store.headPosition() == head)
  }

  @Test func aCommandHandlerLendsItsStoreClockAndIDsToMultiStreamCommands() async throws {
    let store = InMemoryEventStore()
    try await openWorkshops(store)
    let clock = EventClock.fixed(Timestamp(year: 2018, month: 6, day: 9))
    let single = CommandHandler(
      decider: WorkshopDecider(), store: store, clock: clock, ids: .seeded(3, clock: clock),
      maximumAttempts: 2)
    let handler = single.multiStream
    #expect(handler.maximumAttempts == 2)
    try await handler.handle { decision in
      try await registerInOneWorkshop("ana", in: "workshop-b", unlessIn: "workshop-a", &decision)
    }
    #expect(try await single.load("workshop-b").state.participants == ["ana"])
    #expect(try await store.readStream("workshop-b").last?.metadata.time == clock.now())
  }

  @Test func aConflictOfTheClosuresOwnIsThrownNotRetried() async throws {
    let store = InMemoryEventStore()
    try await openWorkshops(store)
    let attempts = Mutex(0)
    let error = await #expect(throws: EventStoreError.self) {
      try await MultiStreamHandler(store: store).handle { decision in
        attempts.withLock { $0 += 1 }
        _ = try await decision.version(of: "workshop-a")
        try await store.append(
          try data([.registered(participant: "x")]), to: "workshop-a", expectedVersion: .noStream)
      }
    }
    #expect(error?.code == .wrongExpectedVersion)
    #expect(attempts.withLock { $0 } == 1)
  }

  @Test func aStreamReadTwiceMustNotChangeInBetween() async throws {
    let store = InMemoryEventStore()
    try await openWorkshops(store)
    let attempts = Mutex(0)
    let outcome = try await MultiStreamHandler(store: store).handle { decision in
      let first = attempts.withLock { count in
        count += 1
        return count == 1
      }
      _ = try await decision.version(of: "workshop-a")
      if first {
        try await store.append(
          try data([.registered(participant: "x")]), to: "workshop-a", expectedVersion: .any)
      }
      let state = try await decision.read("workshop-a", through: WorkshopDecider()).state
      try decision.append(
        try WorkshopDecider().decide(.register("ana"), state: state), to: "workshop-a")
    }
    #expect(outcome.attempts == 2)
    #expect(await store.currentVersion(of: "workshop-a") == 4)
  }
}

@MainActor
@Suite("Commands over several streams, from an actor")
struct MultiStreamHandlerIsolationTests {
  @Test func theClosureRunsOnTheCallersActorAndMayUseItsState() async throws {
    let store = InMemoryEventStore()
    try await store.append(
      [
        try EventData(
          WorkshopEvent.opened(capacity: 1), id: .random(),
          metadata: EventMetadata(time: Timestamp(year: 2018, month: 6, day: 1)))
      ], to: "workshop-a", expectedVersion: .noStream)
    var local: [String] = []
    try await MultiStreamHandler(store: store).handle { decision in
      let state = try await decision.read("workshop-a", through: WorkshopDecider()).state
      local.append("read \(state.participants.count)")
      try decision.append(
        try WorkshopDecider().decide(.register("ana"), state: state), to: "workshop-a")
    }
    #expect(local == ["read 0"])
  }
}
