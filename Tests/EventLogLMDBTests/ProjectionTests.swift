import EventLog
import EventLogLMDB
import EventLogTestSupport
import Synchronization
import Testing

/// Both stores, each in its own place.
enum StoreKind: String, CaseIterable, Sendable {
  case memory, lmdb

  func withStore(_ body: (any InlineProjectionHost) async throws -> Void) async throws {
    switch self {
    case .memory:
      try await body(InMemoryEventStore())
    case .lmdb:
      let directory = TemporaryDirectory()
      let store = try LMDBEventStore(
        path: directory.appending("log"), options: .init(durability: .noSync))
      try await body(store)
      store.close()
    }
  }
}

@Suite("Projections")
struct ProjectionTests {
  @Test(arguments: StoreKind.allCases)
  func rebuildEqualsAnIndependentFold(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      try await appendWorkshopLog(store, events: 3000)
      let runner = ProjectionRunner(
        SeatCountsProjection(), store: store, options: .init(pageSize: 100))
      try await runner.rebuild()
      var all: [RecordedEvent] = []
      var next = LogPosition.first
      while true {
        let page = try await store.readLog(from: next, limit: 500)
        if page.events.isEmpty { break }
        all += page.events
        next = page.nextPosition
      }
      #expect(runner.state == (try SeatCounts.fold(all)))
      #expect(runner.checkpoint == (try await store.headPosition()))
      // The rebuild saved state and checkpoint together.
      let saved = try #require(try await store.loadState(SeatCountsProjection().stateKey))
      #expect(saved.position == runner.checkpoint.rawValue)
    }
  }

  @Test(arguments: StoreKind.allCases)
  func catchingUpFromAnyCheckpointEqualsARebuild(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      var random = SplitMix64(seed: 11)
      try await appendWorkshopLog(store, events: 600)
      for round in 0..<8 {
        // Stop part-way (a catch-up saved at some checkpoint), then resume in a new runner.
        let pageSize = Int(1 + random.next() % 50)
        let every = 1 + random.next() % 40
        // Also a runner that saves only when caught up (`saveEvery` at its largest).
        let first = ProjectionRunner(
          SeatCountsProjection(version: 100 + round), store: store,
          options: .init(pageSize: pageSize, saveEvery: round % 4 == 3 ? .max : every))
        let stop = Int(random.next() % 600)
        try await first.catchUp(progress: nil, until: LogPosition(UInt64(stop)))
        let resumed = ProjectionRunner(
          SeatCountsProjection(version: 100 + round), store: store,
          options: .init(pageSize: 37, saveEvery: round % 2 == 1 ? .max : 50_000))
        #expect(try await resumed.load() == (stop > 0))
        try await appendWorkshopLog(store, events: 20, seed: UInt64(round + 50))
        try await resumed.catchUp()
        let rebuilt = ProjectionRunner(SeatCountsProjection(), store: store)
        try await rebuilt.rebuild()
        #expect(resumed.state == rebuilt.state, "round \(round), stopped at \(stop)")
        #expect(resumed.checkpoint == rebuilt.checkpoint)
      }
    }
  }

  @Test(arguments: StoreKind.allCases)
  func otherTypesAreSkippedWithoutDecoding(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      try await appendWorkshopLog(store, events: 1000)
      // The noise events share the type name "ParticipantRegistered" with undecodable
      // payloads: a projection that decoded them would throw.
      let cancellations = ProjectionRunner(CancellationCount(), store: store)
      try await cancellations.rebuild()
      let expected = try await store.readLog(
        from: .first, limit: 10_000, filter: LogFilter(eventTypes: ["RegistrationCancelled"])
      ).events.count
      #expect(cancellations.state == expected)
      #expect(expected > 0)
    }
  }

  @Test(arguments: StoreKind.allCases)
  func followsTheLogLive(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      try await appendWorkshopLog(store, events: 200)
      let runner = ProjectionRunner(
        SeatCountsProjection(), store: store, options: .init(pageSize: 16))
      let running = Task { try await runner.run() }
      try await appendWorkshopLog(store, workshops: 2, events: 100, seed: 99)
      let head = try await store.headPosition()
      let deadline = ContinuousClock.now + .seconds(20)
      while runner.checkpoint < head, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
      }
      running.cancel()
      try await running.value
      let rebuilt = ProjectionRunner(SeatCountsProjection(version: 9), store: store)
      try await rebuilt.rebuild()
      #expect(runner.checkpoint == head)
      #expect(runner.state == rebuilt.state)
      // On cancellation the runner saved where it was.
      #expect(try await store.loadState(SeatCountsProjection().stateKey)?.position == head.rawValue)
    }
  }

  @Test(arguments: StoreKind.allCases)
  func aNewVersionIsBuiltBesideTheRunningOneAndSwitchedTo(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      try await appendWorkshopLog(store, events: 2000)
      let runner = ProjectionRunner(
        SeatCountsProjection(version: 1), store: store, options: .init(pageSize: 50))
      try await runner.rebuild()
      let served = runner.state
      #expect(served.applied > 0)
      let observed = Mutex<[SeatCounts]>([])
      try await runner.rebuildBeside(SeatCountsProjection(version: 2)) { _ in
        // While the new version builds, readers get the old, complete model.
        observed.withLock { $0.append(runner.state) }
      }
      let seen = observed.withLock { $0 }
      #expect(!seen.isEmpty)
      #expect(seen.allSatisfy { $0 == served })
      #expect(runner.projection.version == 2)
      #expect(runner.state == served)
      #expect(try await store.loadState(SeatCountsProjection(version: 1).stateKey) == nil)
      #expect(try await store.loadState(SeatCountsProjection(version: 2).stateKey) != nil)
    }
  }

  @Test func progressIsReported() async throws {
    let store = InMemoryEventStore()
    try await appendWorkshopLog(store, events: 5000)
    let reports = Mutex<[ProjectionProgress]>([])
    let runner = ProjectionRunner(
      SeatCountsProjection(), store: store, options: .init(pageSize: 64))
    try await runner.rebuild { progress in reports.withLock { $0.append(progress) } }
    let all = reports.withLock { $0 }
    let last = try #require(all.last)
    #expect(last.done == 5000)
    #expect(last.total == 5000)
    #expect(last.fraction == 1)
    #expect(last.eventsPerSecond > 0)
    #expect(zip(all, all.dropFirst()).allSatisfy { $0.done <= $1.done })
  }
}
