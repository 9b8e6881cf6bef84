import EventLog
import EventLogTestSupport
import Testing

// The samples of the `BinaryEvent` doc comment, of the Binary Format article, and of the
// Deciders and Projections article, as they are written there: the regions between
// `// sample: NAME` and `// end sample` are what the articles quote (DocSampleCoverageTests
// checks that they still do).

/// From the `BinaryEvent` doc comment.
enum BinaryEventSample {
  struct MemberApplied: BinaryEvent, Codable, Equatable {
    static let eventType = "MemberApplied"
    var name: String
    var region: String

    func encode(to writer: inout BinaryWriter) {
      writer.write(name)
      writer.write(region)
    }
  }
}

// In an extension, so that the struct keeps its memberwise initializer.
extension BinaryEventSample.MemberApplied {
  init(from reader: inout BinaryReader) throws {
    let name = try reader.read(String.self)
    let region = try reader.read(String.self)
    self.init(name: name, region: region)
  }
}

// sample: binary-format-hand-coded
struct ParticipantRegistered: BinaryEvent, Codable {
  static let eventType = "ParticipantRegistered"
  var participant: String
  var country: String
  var languages: [String]

  func encode(to writer: inout BinaryWriter) {
    writer.write(participant)
    writer.write(country)
    writer.write(languages)
  }
}

// In an extension, so that the struct keeps its memberwise initializer.
extension ParticipantRegistered {
  init(from reader: inout BinaryReader) throws {
    let participant = try reader.read(String.self)
    let country = try reader.read(String.self)
    let languages = try reader.read([String].self)
    self.init(participant: participant, country: country, languages: languages)
  }
}
// end sample

/// From the Deciders and Projections article (asking a projection as of a moment).
// sample: as-of
struct RegistrationCount: Projection {
  var name: String { "registration-count" }
  var initialState: Int { 0 }

  func apply(_ event: WorkshopEvent, context: EventContext, to count: inout Int) {
    if case .registered = event { count += 1 }
  }
}
// end sample

@Suite("The documentation's samples")
struct DocSampleTests {
  @Test("the BinaryEvent doc comment's event is appended, followed and decoded")
  func overview() async throws {
    typealias MemberApplied = BinaryEventSample.MemberApplied
    // As in the EventLog overview:
    let store = InMemoryEventStore()
    let event = try EventData(
      MemberApplied(name: "FCJ Refugee Centre", region: "Ontario"),
      id: .random(), metadata: EventMetadata(time: EventClock.system.now()))
    try await store.append([event], to: "member-42", expectedVersion: .noStream)
    var positions: [LogPosition] = []
    for try await recorded in store.follow(from: .first) {
      positions.append(recorded.position)
      break
    }
    #expect(positions == [1])
    let stored = try await store.readStream("member-42")
    #expect(
      try stored.first?.decode(as: MemberApplied.self)
        == MemberApplied(name: "FCJ Refugee Centre", region: "Ontario"))
  }

  @Test("the as-of sample answers now, again at the same position, and before a moment")
  func asOf() async throws {
    let clock = ManualClock(Timestamp(year: 2018, month: 6, day: 8))
    let store = InMemoryEventStore(clock: clock.clock)
    func register(_ name: String) async throws {
      try await store.append(
        [
          try EventData(
            WorkshopEvent.registered(participant: name), id: .random(),
            metadata: EventMetadata(time: clock.now))
        ], to: "workshop-1", expectedVersion: .any)
    }
    try await register("ana")
    clock.set(Timestamp(year: 2018, month: 6, day: 11, hour: 9))
    try await register("ben")
    // sample: as-of
    let now = try await RegistrationCount().state(in: store, asOf: .now)
    print(now.value, "registrations as of position", now.position)
    // end sample
    try await register("eva")
    // sample: as-of
    let again = try await RegistrationCount().state(in: store, asOf: .position(now.position))
    // again == now, whatever was appended in between
    let beforeMonday = try await RegistrationCount().state(
      in: store, asOf: .time(Timestamp(year: 2018, month: 6, day: 11)))
    // end sample
    #expect(now == Answer(value: 2, position: 2))
    #expect(again == now)
    #expect(beforeMonday == Answer(value: 1, position: 1))
  }

  @Test("the Binary Format sample round-trips through its binary form")
  func binaryFormat() throws {
    let event = ParticipantRegistered(
      participant: "p-1", country: "Colombia", languages: ["es", "fr"])
    var writer = BinaryWriter()
    event.encode(to: &writer)
    let decoded = try writer.bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      return try ParticipantRegistered(from: &reader)
    }
    #expect(decoded.participant == "p-1")
    #expect(decoded.country == "Colombia")
    #expect(decoded.languages == ["es", "fr"])
  }

  @Test("the sample of Decisions over several streams, in Deciders and Projections")
  func decisionsOverSeveralStreams() async throws {
    let store = InMemoryEventStore()
    let metadata = EventMetadata(time: EventClock.system.now())
    for stream: StreamName in ["workshop-a", "workshop-b"] {
      try await store.append(
        [try EventData(WorkshopEvent.opened(capacity: 2), id: .random(), metadata: metadata)],
        to: stream, expectedVersion: .noStream)
    }
    // sample: multi-stream-decision
    let handler = MultiStreamHandler(store: store)
    try await handler.handle(context: CommandContext(actor: "office")) { decision in
      // Read, not written: required unchanged at the append.
      let other = try await decision.read("workshop-a", through: WorkshopDecider()).state
      guard !other.participants.contains("ana") else {
        throw WorkshopFailure.alreadyRegistered("ana")
      }
      // Read and written: appended at the version it was read at.
      let target = try await decision.read("workshop-b", through: WorkshopDecider()).state
      try decision.append(
        try WorkshopDecider().decide(.register("ana"), state: target), to: "workshop-b")
    }
    // end sample
    #expect(await store.currentVersion(of: "workshop-b") == 2)
    #expect(await store.currentVersion(of: "workshop-a") == 1)
  }
}
