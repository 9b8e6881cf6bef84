// sample: declaring-events
import EventLogMacros  // the macros, and the EventLog core they re-export
// end sample
import Testing

// The Declaring Events article's samples, as written there, and what the article says of them.
// They are nested so as not to hide the council's events of the same names; the conformances
// the macros write are extensions at file scope, which see the nested `Address` through this
// alias.
private typealias Address = DeclaringEventsSample.Address

enum DeclaringEventsSample {
  // sample: declaring-events

  @BinaryCodable
  struct Address: Hashable, Codable {
    var city: String
    var region: String
  }

  @BinaryEvent
  struct ParticipantRegistered: Codable, Equatable {
    var participant: String
    var country: String
    var languages: [String]
    var address: Address? = nil  // added later: last, and optional
  }

  @BinaryEvent(version: 2)
  struct RegistrationCancelled: Codable, Equatable {
    static let eventType = "ParticipantCancelled"  // the name it was first recorded under
    var participant: String
    var reason: String
  }
  // end sample

  // sample: declaring-events-family
  @EventFamily
  enum RegistrationEvent: Equatable {
    case registered(ParticipantRegistered)
    case cancelled(RegistrationCancelled)
  }
  // end sample

  // sample: schema-evolution-macro-field
  @BinaryEvent
  struct CommentRecorded: Codable, Equatable {
    var text: String
    var author: String? = nil  // added later: last, and optional
  }
  // end sample
}

@Suite("The Declaring Events article's samples")
struct DeclaringEventsSampleTests {
  typealias ParticipantRegistered = DeclaringEventsSample.ParticipantRegistered
  typealias RegistrationCancelled = DeclaringEventsSample.RegistrationCancelled
  typealias RegistrationEvent = DeclaringEventsSample.RegistrationEvent

  static func decode<Event: RecordableEvent>(
    _: Event.Type, _ eventType: String, schemaVersion: UInt16 = 1, _ payload: [UInt8]
  ) throws -> Event {
    try RecordedEvent(
      position: 1, stream: "registration-1", version: 1, id: .random(), eventType: eventType,
      schemaVersion: schemaVersion, encoding: .binary, payload: payload,
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0))
    ).decode(as: Event.self)
  }

  @Test("@BinaryEvent writes the fields in declaration order with the writer's methods")
  func fieldsInOrder() throws {
    let event = ParticipantRegistered(
      participant: "p-1", country: "Colombia", languages: ["es", "fr"],
      address: .init(city: "Montréal", region: "Quebec"))
    var written = BinaryWriter()
    event.encode(to: &written)
    var expected = BinaryWriter()
    expected.write("p-1")
    expected.write("Colombia")
    expected.write(["es", "fr"])
    expected.write(1 as UInt8)  // the optional is there
    expected.write("Montréal")
    expected.write("Quebec")
    #expect(written.bytes == expected.bytes)
    #expect(
      try Self.decode(ParticipantRegistered.self, "ParticipantRegistered", written.bytes) == event)
  }

  @Test("a record written before the trailing optional field reads it as nil")
  func trailingField() throws {
    var old = BinaryWriter()
    old.write("p-1")
    old.write("Colombia")
    old.write(["es"])
    #expect(
      try Self.decode(ParticipantRegistered.self, "ParticipantRegistered", old.bytes)
        == ParticipantRegistered(participant: "p-1", country: "Colombia", languages: ["es"]))
    var comment = BinaryWriter()
    comment.write("Great workshops")
    #expect(
      try Self.decode(DeclaringEventsSample.CommentRecorded.self, "CommentRecorded", comment.bytes)
        == DeclaringEventsSample.CommentRecorded(text: "Great workshops", author: nil))
  }

  @Test("type names and schema versions, as the article says")
  func namesAndVersions() {
    #expect(ParticipantRegistered.eventType == "ParticipantRegistered")
    #expect(RegistrationCancelled.eventType == "ParticipantCancelled")
    #expect(ParticipantRegistered.schemaVersion(of: "ParticipantRegistered") == 1)
    #expect(RegistrationCancelled.schemaVersion(of: "ParticipantCancelled") == 2)
    #expect(RegistrationEvent.eventTypes == ["ParticipantRegistered", "ParticipantCancelled"])
    #expect(RegistrationEvent.schemaVersion(of: "ParticipantCancelled") == 2)
  }

  @Test("the family appends and reads back each of its events")
  func family() async throws {
    let events: [RegistrationEvent] = [
      .registered(ParticipantRegistered(participant: "p-1", country: "Chad", languages: ["fr"])),
      .cancelled(RegistrationCancelled(participant: "p-1", reason: "visa refused")),
    ]
    let store = InMemoryEventStore()
    let metadata = EventMetadata(time: Timestamp(nanosecondsSince1970: 0))
    try await store.append(
      try events.map { try EventData($0, id: .random(), metadata: metadata) },
      to: "registration-1", expectedVersion: .noStream)
    let read = try await store.readStream("registration-1")
    #expect(read.map(\.eventType) == ["ParticipantRegistered", "ParticipantCancelled"])
    #expect(read.map(\.schemaVersion) == [1, 2])
    #expect(try read.map { try $0.decode(as: RegistrationEvent.self) } == events)
  }
}
