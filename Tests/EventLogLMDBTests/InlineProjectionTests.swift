import EventLog
import EventLogLMDB
import EventLogTestSupport
import Testing

@Suite("Inline projections")
struct InlineProjectionTests {
  func all(_ store: any EventStore) async throws -> [RecordedEvent] {
    try await store.readLog(from: .first, limit: 100_000).events
  }

  @Test(arguments: StoreKind.allCases)
  func aCallerReadsItsOwnWriteAtOnce(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      try await appendWorkshopLog(store, events: 300)
      let inline = InlineProjection(SeatCountsProjection())
      try await store.register(inline)
      #expect(
        inline.state == (try SeatCounts.fold(try await all(store))), "caught up on registering")
      let handler = CommandHandler(decider: WorkshopDecider(), store: store)
      try await handler.handle(.open(capacity: 10), on: "workshop-new")
      let outcome = try await handler.handle(.register("ana"), on: "workshop-new")
      // No waiting: the model changed inside the append.
      #expect(inline.state.registered["workshop-new"] == 1)
      #expect(inline.checkpoint == outcome.append?.lastPosition)
      let saved = try #require(try await store.loadState(SeatCountsProjection().stateKey))
      #expect(saved.position == inline.checkpoint.rawValue)
    }
  }

  @Test(arguments: StoreKind.allCases)
  func aRefusedAppendLeavesTheModelAlone(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      let inline = InlineProjection(SeatCountsProjection())
      try await store.register(inline)
      let handler = CommandHandler(decider: WorkshopDecider(), store: store)
      try await handler.handle(.open(capacity: 1), on: "workshop-1")
      try await handler.handle(.register("ana"), on: "workshop-1")
      let before = inline.state
      await #expect(throws: WorkshopFailure.full(capacity: 1)) {
        try await handler.handle(.register("ben"), on: "workshop-1")
      }
      let event = try EventData(
        WorkshopEvent.registered(participant: "zed"), id: .random(),
        metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
      await #expect(throws: EventStoreError.self) {
        try await store.append([event], to: "workshop-1", expectedVersion: .exactly(1))
      }
      #expect(inline.state == before)
      #expect(inline.checkpoint == 2)
    }
  }

  @Test(arguments: StoreKind.allCases)
  func concurrentAppendsAllReachTheModel(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      let inline = InlineProjection(SeatCountsProjection())
      try await store.register(inline)
      try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0..<8 {
          group.addTask {
            try await appendWorkshopLog(store, workshops: 3, events: 60, seed: UInt64(task))
          }
        }
        try await group.waitForAll()
      }
      #expect(inline.state == (try SeatCounts.fold(try await all(store))))
      #expect(inline.checkpoint == (try await store.headPosition()))
    }
  }

  @Test func theModelIsReloadedAfterReopening() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    var expected = SeatCounts()
    do {
      let store = try LMDBEventStore(path: path, options: .init(durability: .noSync))
      let inline = InlineProjection(SeatCountsProjection())
      try await store.register(inline)
      try await appendWorkshopLog(store, events: 200)
      expected = inline.state
      store.close()
    }
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let reloaded = InlineProjection(SeatCountsProjection())
    try await store.register(reloaded)
    #expect(reloaded.state == expected)
    #expect(reloaded.state == (try SeatCounts.fold(try await all(store))))
  }
}
