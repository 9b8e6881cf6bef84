import EventLog
import EventLogLMDB
import EventLogTestSupport
import Testing

// The on-demand fold, `Projection.state(in:asOf:)`, against the runner and inline projections
// on the same logs: they share one way of selecting and applying events, so they must agree.

/// Every event a projection applied, with its context, in order: two folds have equal traces
/// only when they selected and applied the same events the same way.
struct FoldTrace: BinaryCodable, Sendable, Equatable {
  struct Entry: Sendable, Equatable {
    var context: EventContext
    var participant: String
  }

  var entries: [Entry] = []

  init() {}

  func encode(to writer: inout BinaryWriter) {
    writer.writeVariableLength(UInt64(entries.count))
    for entry in entries {
      writer.write(entry.context.position.rawValue)
      writer.write(entry.context.stream.rawValue)
      writer.write(entry.context.version.rawValue)
      writer.writeZigZag(entry.context.time.nanosecondsSince1970)
      writer.write(entry.participant)
    }
  }

  init(from reader: inout BinaryReader) throws {
    let count = try reader.readCount()
    for _ in 0..<count {
      let position = LogPosition(try reader.read(UInt64.self))
      let stream = StreamName(try reader.read(String.self))
      let version = StreamVersion(try reader.read(UInt64.self))
      let time = Timestamp(nanosecondsSince1970: try reader.readZigZag(Int64.self))
      let participant = try reader.read(String.self)
      entries.append(
        Entry(
          context: EventContext(position: position, stream: stream, version: version, time: time),
          participant: participant))
    }
  }
}

/// Cancellations and the old `SeatReleased` type (read through an upcaster), in the workshop
/// and hall categories only: selection by type, by upcaster and by category at once.
struct ReleasesTrace: Projection {
  var version: Int = 1
  var name: String { "releases-trace" }
  var categories: Set<String>? { ["workshop", "hall"] }
  var initialState: FoldTrace { FoldTrace() }

  var schema: EventSchema<Cancelled> {
    var schema = EventSchema<Cancelled>()
    schema.registerUpcaster(eventType: "SeatReleased", schemaVersion: 1) { reader in
      Cancelled(participant: try reader.read(String.self))
    }
    return schema
  }

  func apply(_ event: Cancelled, context: EventContext, to state: inout FoldTrace) {
    state.entries.append(FoldTrace.Entry(context: context, participant: event.participant))
  }
}

/// Cancellations in every category, counted (one event type of several).
struct CancellationTally: Projection {
  var version: Int = 1
  var name: String { "cancellation-tally" }
  var initialState: Int { 0 }

  func apply(_ event: Cancelled, context: EventContext, to state: inout Int) {
    state += 1
  }
}

extension StoreKind {
  /// A store of this kind whose recorded times come from `clock`.
  func withStore(
    clock: EventClock, _ body: (any InlineProjectionHost) async throws -> Void
  ) async throws {
    switch self {
    case .memory:
      try await body(InMemoryEventStore(clock: clock))
    case .lmdb:
      let directory = TemporaryDirectory()
      let store = try LMDBEventStore(
        path: directory.appending("log"), options: .init(durability: .noSync), clock: clock)
      try await body(store)
      store.close()
    }
  }
}

/// Appends a random log of about `events` events: workshop events in workshop streams,
/// cancellations in hall streams, the old `SeatReleased` type in workshop and hall streams,
/// and in noise streams `SeatReleased` and `ParticipantRegistered` records whose payloads no
/// decoder reads (a fold that selected them would throw). Batches of one to three events; the
/// clock moves 0 to 3 seconds before each append, so recorded times tie.
func appendFoldLog(
  _ store: any EventStore, clock: ManualClock, events: Int, seed: UInt64
) async throws {
  var random = SplitMix64(seed: seed)
  var written = 0
  var participant = 0
  func name() -> String {
    participant += 1
    return "p\(participant)"
  }
  func payload(_ text: String) -> [UInt8] {
    var writer = BinaryWriter()
    writer.write(text)
    return writer.bytes
  }
  func released(_ text: String) -> EventData {
    EventData(
      id: .random(), eventType: "SeatReleased", encoding: .binary, payload: payload(text),
      metadata: EventMetadata(time: clock.now))
  }
  func garbage(_ type: String) -> EventData {
    EventData(
      id: .random(), eventType: type, encoding: .binary, payload: [0xFF, 0xFF, 0xFF],
      metadata: EventMetadata(time: clock.now))
  }
  while written < events {
    clock.set(
      clock.now.advanced(byNanoseconds: Int64(random.next() % 4) * 1_000_000_000))
    var batch: [EventData] = []
    let stream: StreamName
    let size = Int(1 + random.next() % 3)
    switch random.next() % 4 {
    case 0:
      stream = StreamName("workshop-\(random.next() % 4)")
      for _ in 0..<size {
        let event: WorkshopEvent
        switch random.next() % 4 {
        case 0: event = .opened(capacity: 10)
        case 1: event = .cancelled(participant: name())
        default: event = .registered(participant: name())
        }
        batch.append(
          try EventData(event, id: .random(), metadata: EventMetadata(time: clock.now)))
      }
    case 1:
      stream = StreamName("hall-\(random.next() % 2)")
      for _ in 0..<size {
        batch.append(
          random.next() % 2 == 0
            ? released(name())
            : try EventData(
              Cancelled(participant: name()), id: .random(),
              metadata: EventMetadata(time: clock.now)))
      }
    case 2:
      stream = StreamName("workshop-\(random.next() % 4)")
      for _ in 0..<size { batch.append(released(name())) }
    default:
      stream = StreamName("noise-\(random.next() % 2)")
      for _ in 0..<size {
        batch.append(garbage(random.next() % 2 == 0 ? "SeatReleased" : "ParticipantRegistered"))
      }
    }
    try await store.append(batch, to: stream, expectedVersion: .any)
    written += batch.count
  }
}

extension Timestamp {
  fileprivate func advanced(byNanoseconds nanoseconds: Int64) -> Timestamp {
    Timestamp(nanosecondsSince1970: nanosecondsSince1970 + nanoseconds)
  }
}

@Suite("The on-demand fold")
struct OnDemandFoldTests {
  /// The whole log, owned.
  func all(_ store: any EventStore) async throws -> [RecordedEvent] {
    var events: [RecordedEvent] = []
    var next = LogPosition.first
    while true {
      let page = try await store.readLog(from: next, limit: 500)
      if page.events.isEmpty { return events }
      events += page.events
      next = page.nextPosition
    }
  }

  /// A log in memory holding `events`, at the same positions, with the same recorded times.
  func copy(_ events: ArraySlice<RecordedEvent>) async throws -> InMemoryEventStore {
    let store = InMemoryEventStore()
    for event in events {
      try await store.append([event.data], to: event.stream, expectedVersion: .any)
    }
    #expect(await store.headPosition() == LogPosition(UInt64(events.count)))
    return store
  }

  /// Checks on the log in `store` that the on-demand fold agrees with the runner and with
  /// the inline projections `early` (registered on the empty log, so folded inside every
  /// append) and a late one registered now (caught up through the store's filter), as of
  /// now, as of positions and as of times.
  func expectAgreement<P: Projection>(
    _ projection: P, versions: (runner: Int, late: Int), early: InlineProjection<P>,
    in store: any InlineProjectionHost, random: inout SplitMix64,
    makeVersion: (Int) -> P
  ) async throws where P.State: Equatable {
    let head = try await store.headPosition()
    let now = try await projection.state(
      in: store, asOf: .now, pageSize: Int(1 + random.next() % 300))
    let runner = ProjectionRunner(
      makeVersion(versions.runner), store: store,
      options: .init(pageSize: Int(1 + random.next() % 300)))
    try await runner.rebuild()
    let late = InlineProjection(makeVersion(versions.late))
    try await store.register(late)
    #expect(now.position == head)
    #expect(runner.checkpoint == head)
    #expect(now.value == runner.state, "\(projection.name): on demand and the runner")
    #expect(early.checkpoint == head)
    #expect(early.state == now.value, "\(projection.name): inline, folded in the appends")
    #expect(late.checkpoint == head)
    #expect(late.state == now.value, "\(projection.name): inline, caught up on registering")

    // As of positions, the start and past the head included: the runner's rebuild of a copy
    // of the log up to there.
    let events = try await all(store)
    var positions: [UInt64] = [0, 1, head.rawValue, head.rawValue + 3]
    for _ in 0..<4 { positions.append(random.next() % (head.rawValue + 1)) }
    for raw in positions {
      let answer = try await projection.state(
        in: store, asOf: .position(LogPosition(raw)), pageSize: Int(1 + random.next() % 64))
      let prefix = try await copy(events.prefix(Int(min(raw, head.rawValue))))
      let rebuilt = ProjectionRunner(projection, store: prefix)
      try await rebuilt.rebuild()
      #expect(answer.position == LogPosition(min(raw, head.rawValue)))
      #expect(answer.position == rebuilt.checkpoint)
      #expect(answer.value == rebuilt.state, "\(projection.name) as of position \(raw)")
    }

    // As of times: exactly the events recorded before the moment, however the times tie.
    #expect(zip(events, events.dropFirst()).allSatisfy { $0.recordedTime <= $1.recordedTime })
    let first = try #require(events.first).recordedTime
    let last = try #require(events.last).recordedTime
    var moments = [
      first, first.advanced(byNanoseconds: -1), last, last.advanced(byNanoseconds: 1),
    ]
    for _ in 0..<6 {
      let event = events[Int(random.next() % UInt64(events.count))]
      moments.append(event.recordedTime.advanced(byNanoseconds: Int64(random.next() % 3) - 1))
    }
    for moment in moments {
      let before = events.prefix { $0.recordedTime < moment }.count
      let answer = try await projection.state(
        in: store, asOf: .time(moment), pageSize: Int(1 + random.next() % 64))
      let byPosition = try await projection.state(
        in: store, asOf: .position(LogPosition(UInt64(before))))
      #expect(answer.position == LogPosition(UInt64(before)), "as of \(moment)")
      #expect(answer == byPosition, "\(projection.name) as of \(moment)")
    }
  }

  /// Checks that the on-demand fold applied exactly the events an independent filter of the
  /// whole log selects, with their contexts.
  func expectIndependentFoldsAgree(in store: any EventStore) async throws {
    let events = try await all(store)
    let workshopEvents = select(events, types: Set(WorkshopEvent.eventTypes), categories: nil)
    let seatCounts = try await SeatCountsProjection().state(in: store, asOf: .now).value
    #expect(seatCounts == (try SeatCounts.fold(workshopEvents)))
    let releasesTrace = try await ReleasesTrace().state(in: store, asOf: .now).value
    let selected = select(
      events, types: ["RegistrationCancelled", "SeatReleased"], categories: ["workshop", "hall"])
    #expect(releasesTrace.entries.map(\.context.position) == selected.map(\.position))
    #expect(
      releasesTrace.entries.map(\.context.time) == selected.map(\.metadata.time),
      "the context carries the program's time")
    #expect(selected.contains { $0.eventType == "SeatReleased" })
    #expect(events.contains { $0.eventType == "SeatReleased" && $0.stream.category == "noise" })
  }

  /// The events of `types` in `categories` (every category when `nil`).
  func select(
    _ events: [RecordedEvent], types: Set<String>, categories: Set<String>?
  ) -> [RecordedEvent] {
    var selected: [RecordedEvent] = []
    for event in events where types.contains(event.eventType) {
      if let categories, !categories.contains(event.stream.category) { continue }
      selected.append(event)
    }
    return selected
  }

  @Test(arguments: StoreKind.allCases, [1, 2, 3] as [UInt64])
  func runnerInlineAndOnDemandAgree(_ kind: StoreKind, seed: UInt64) async throws {
    let clock = ManualClock(Timestamp(year: 2018, month: 5, day: 17, hour: 9))
    try await kind.withStore(clock: clock.clock) { store in
      var random = SplitMix64(seed: seed * 7919)
      let seats = InlineProjection(SeatCountsProjection(version: 1))
      let releases = InlineProjection(ReleasesTrace(version: 1))
      let tally = InlineProjection(CancellationTally(version: 1))
      try await store.register(seats)
      try await store.register(releases)
      try await store.register(tally)
      try await appendFoldLog(store, clock: clock, events: 200 + Int(seed) * 150, seed: seed)

      try await expectAgreement(
        SeatCountsProjection(), versions: (2, 3), early: seats, in: store, random: &random
      ) { SeatCountsProjection(version: $0) }
      try await expectAgreement(
        ReleasesTrace(), versions: (2, 3), early: releases, in: store, random: &random
      ) { ReleasesTrace(version: $0) }
      try await expectAgreement(
        CancellationTally(), versions: (2, 3), early: tally, in: store, random: &random
      ) { CancellationTally(version: $0) }

      try await expectIndependentFoldsAgree(in: store)
    }
  }

  @Test(arguments: StoreKind.allCases)
  func anEmptyLogAnswersTheInitialStateAtTheStart(_ kind: StoreKind) async throws {
    try await kind.withStore(clock: .system) { store in
      for moment in [AsOf.now, .position(5), .time(Timestamp(year: 2030, month: 1, day: 1))] {
        let answer = try await ReleasesTrace().state(in: store, asOf: moment)
        #expect(answer == Answer(value: FoldTrace(), position: .start))
      }
    }
  }

  @Test func aTimeBeforeTheFirstEventAnswersNothingYet() async throws {
    let clock = ManualClock(Timestamp(year: 2018, month: 5, day: 17))
    let store = InMemoryEventStore(clock: clock.clock)
    try await appendFoldLog(store, clock: clock, events: 40, seed: 5)
    let answer = try await CancellationTally().state(
      in: store, asOf: .time(Timestamp(year: 2018, month: 5, day: 17)))
    #expect(answer == Answer(value: 0, position: .start))
  }

  @Test func aPageSizeBelowOneIsRefused() async throws {
    let store = InMemoryEventStore()
    try await appendWorkshopLog(store, events: 10)
    let error = await #expect(throws: EventStoreError.self) {
      try await SeatCountsProjection().state(in: store, asOf: .now, pageSize: 0)
    }
    #expect(error?.code == .invalidArgument)
  }
}
