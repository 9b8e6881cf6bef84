import EventLog
import Testing

// The Schema Evolution article's hand-written samples, as written there: an event that gained
// an optional field, an upcaster for a renamed event, and a family's decoder table.
enum SchemaEvolutionSample {
  struct Registration: BinaryEvent, Codable, Equatable {
    static let eventType = "Registration"
    var participant: String
    var note: String? = nil  // added later

    func encode(to writer: inout BinaryWriter) {
      writer.write(participant)
      writer.write(note)
    }
  }

  struct Cancellation: BinaryEvent, Codable, Equatable {
    static let eventType = "Cancellation"
    var participant: String

    func encode(to writer: inout BinaryWriter) { writer.write(participant) }
    init(participant: String) { self.participant = participant }
    init(from reader: inout BinaryReader) throws {
      participant = try reader.read(String.self)
    }
  }

  // sample: schema-evolution-family
  enum RegistrationEvent: EventFamily, Equatable {
    case registered(Registration)
    case cancelled(Cancellation)

    static let decoders = PayloadDecoders<RegistrationEvent>(
      .binary(Registration.self, Self.registered),
      .binary(Cancellation.self, Self.cancelled))

    var eventType: String {
      switch self {
      case .registered: Registration.eventType
      case .cancelled: Cancellation.eventType
      }
    }

    func encodePayload(to writer: inout BinaryWriter) {
      switch self {
      case .registered(let event): event.encode(to: &writer)
      case .cancelled(let event): event.encode(to: &writer)
      }
    }
  }
  // end sample
}

extension SchemaEvolutionSample.Registration {
  // sample: schema-evolution-added-field
  init(from reader: inout BinaryReader) throws {
    let participant = try reader.read(String.self)
    let note = try reader.readIfPresent { try $0.read(String?.self) } ?? nil
    self.init(participant: participant, note: note)
  }
  // end sample
}

@Suite("The Schema Evolution article's samples")
struct SchemaEvolutionSampleTests {
  typealias Registration = SchemaEvolutionSample.Registration

  static func recorded(_ eventType: String, _ payload: [UInt8]) -> RecordedEvent {
    RecordedEvent(
      position: 1, stream: "registration-1", version: 1, id: .random(), eventType: eventType,
      schemaVersion: 1, encoding: .binary, payload: payload,
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
  }

  @Test("a payload written before the note existed reads with no note")
  func addedField() throws {
    var old = BinaryWriter()
    old.write("ana")
    let decoded = try Self.recorded("Registration", old.bytes).decode(as: Registration.self)
    #expect(decoded == Registration(participant: "ana", note: nil))
    var new = BinaryWriter()
    Registration(participant: "ana", note: "vegetarian").encode(to: &new)
    #expect(
      try Self.recorded("Registration", new.bytes).decode(as: Registration.self).note
        == "vegetarian")
  }

  @Test("a SignedUp record is read as today's Registration through the upcaster")
  func upcaster() throws {
    // sample: schema-evolution-upcaster
    var schema = EventSchema<Registration>()
    schema.registerUpcaster(eventType: "SignedUp", schemaVersion: 1) { reader in
      let fullName = try reader.read(String.self)
      return Registration(participant: fullName)
    }
    // end sample
    var old = BinaryWriter()
    old.write("Ana Gomez")
    #expect(
      try Self.recorded("SignedUp", old.bytes).decode(with: schema)
        == Registration(participant: "Ana Gomez"))
  }

  @Test("the family decodes each of its types through its table")
  func family() async throws {
    typealias RegistrationEvent = SchemaEvolutionSample.RegistrationEvent
    let events: [RegistrationEvent] = [
      .registered(Registration(participant: "ana")),
      .cancelled(SchemaEvolutionSample.Cancellation(participant: "ana")),
    ]
    let store = InMemoryEventStore()
    let metadata = EventMetadata(time: Timestamp(nanosecondsSince1970: 0))
    try await store.append(
      try events.map { try EventData($0, id: .random(), metadata: metadata) },
      to: "registration-1", expectedVersion: .noStream)
    let read = try await store.readStream("registration-1")
    #expect(try read.map { try $0.decode(as: RegistrationEvent.self) } == events)
    #expect(RegistrationEvent.eventTypes == ["Registration", "Cancellation"])
  }
}
