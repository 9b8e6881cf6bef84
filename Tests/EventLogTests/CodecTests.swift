import EventLog
import Foundation
import Testing

/// A typical event, in its current shape: `note` was added in schema version 1's second
/// release, at the end of the payload.
struct Registered: BinaryEvent, Codable, Equatable {
  static let eventType = "ParticipantRegistered"
  var participant: String
  var country: String
  var refugee: Bool
  var amount: Int
  var languages: [String]
  var note: String?

  func encode(to writer: inout BinaryWriter) {
    writer.write(participant)
    writer.write(country)
    writer.write(refugee)
    writer.write(amount)
    writer.write(languages)
    writer.write(note)
  }

  init(
    participant: String, country: String, refugee: Bool, amount: Int, languages: [String],
    note: String? = nil
  ) {
    self.participant = participant
    self.country = country
    self.refugee = refugee
    self.amount = amount
    self.languages = languages
    self.note = note
  }

  init(from reader: inout BinaryReader) throws {
    let participant = try reader.read(String.self)
    let country = try reader.read(String.self)
    let refugee = try reader.read(Bool.self)
    let amount = try reader.read(Int.self)
    let languages = try reader.read([String].self)
    let note = try reader.readIfPresent { try $0.read(String?.self) } ?? nil
    self.init(
      participant: participant, country: country, refugee: refugee, amount: amount,
      languages: languages, note: note)
  }
}

/// The same event as it was first written, before `note` existed.
struct RegisteredBeforeNote: BinaryEvent {
  static let eventType = "ParticipantRegistered"
  var participant: String
  var country: String
  var refugee: Bool
  var amount: Int
  var languages: [String]

  func encode(to writer: inout BinaryWriter) {
    writer.write(participant)
    writer.write(country)
    writer.write(refugee)
    writer.write(amount)
    writer.write(languages)
  }

  init(participant: String, country: String, refugee: Bool, amount: Int, languages: [String]) {
    self.participant = participant
    self.country = country
    self.refugee = refugee
    self.amount = amount
    self.languages = languages
  }

  init(from reader: inout BinaryReader) throws {
    fatalError("only written in these tests")
  }
}

/// An old event type, renamed and reshaped since: `SignedUp` v1 carried a full name and a
/// country; today it is `ParticipantRegistered`.
struct SignedUpV1: BinaryEvent {
  static let eventType = "SignedUp"
  var fullName: String
  var country: String

  func encode(to writer: inout BinaryWriter) {
    writer.write(fullName)
    writer.write(country)
  }

  init(fullName: String, country: String) {
    self.fullName = fullName
    self.country = country
  }

  init(from reader: inout BinaryReader) throws {
    fatalError("only written in these tests")
  }
}

/// An event that is only Codable, stored through the slower JSON path.
struct CommentRecorded: JSONEvent, Equatable {
  static let eventType = "CommentRecorded"
  var text: String
  var stars: Int?
}

func data(_ event: some RecordableEvent, id: EventID = .random()) throws -> EventData {
  try EventData(event, id: id, metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
}

@Suite("Binary coding")
struct CodecTests {
  let sample = Registered(
    participant: "p-0042", country: "CO", refugee: true, amount: -1250,
    languages: ["es", "en"], note: "needs interpretation")

  @Test func binaryRoundTrip() throws {
    let encoded = try data(sample)
    #expect(encoded.encoding == .binary)
    #expect(encoded.eventType == "ParticipantRegistered")
    let recorded = RecordedEvent(
      position: 1, stream: "registration-1", version: 1, id: encoded.id,
      eventType: encoded.eventType, schemaVersion: 1, encoding: .binary,
      payload: encoded.payload, metadata: encoded.metadata)
    #expect(try recorded.decode(as: Registered.self) == sample)
  }

  @Test func primitivesRoundTrip() throws {
    var writer = BinaryWriter()
    let unsigned: [UInt64] = [0, 1, 127, 128, 300, 16_383, 16_384, .max]
    let signed: [Int64] = [0, -1, 1, -64, 64, .min, .max]
    for value in unsigned { writer.write(value) }
    for value in signed { writer.writeZigZag(value) }
    writer.writeFixedWidth(UInt32(0xDEAD_BEEF))
    writer.write(3.25)
    writer.write("Montréal — 🇨🇦")
    writer.write(Optional<String>.none)
    let id = EventID.random()
    writer.write(id)
    let bytes = writer.bytes
    try bytes.withUnsafeBytes { raw throws in
      var reader = BinaryReader(raw)
      for value in unsigned { #expect(try reader.read(UInt64.self) == value) }
      for value in signed { #expect(try reader.readZigZag(Int64.self) == value) }
      #expect(try reader.readFixedWidth(UInt32.self) == 0xDEAD_BEEF)
      #expect(try reader.read(Double.self) == 3.25)
      #expect(try reader.read(String.self) == "Montréal — 🇨🇦")
      #expect(try reader.read(String?.self) == nil)
      #expect(try reader.read(EventID.self) == id)
      #expect(reader.isAtEnd)
    }
  }

  @Test func smallIntegersTakeOneByte() {
    var writer = BinaryWriter()
    writer.writeVariableLength(UInt64(127))
    #expect(writer.bytes == [127])
    writer.removeAll()
    writer.writeVariableLength(UInt64(128))
    #expect(writer.bytes == [0x80, 0x01])
    writer.removeAll()
    writer.writeZigZag(-1)
    #expect(writer.bytes == [1])
  }

  @Test func truncatedPayloadThrowsWithOffset() throws {
    var writer = BinaryWriter()
    sample.encode(to: &writer)
    let cut = Array(writer.bytes.prefix(9))
    let error = cut.withUnsafeBytes { raw -> BinaryDecodingError? in
      var reader = BinaryReader(raw)
      do {
        _ = try Registered(from: &reader)
        return nil
      } catch {
        return error as? BinaryDecodingError
      }
    }
    let found = try #require(error)
    #expect(found.offset <= 9)
    #expect(found.description.contains("truncated"))
  }

  @Test func corruptCountDoesNotAllocate() throws {
    // A count far larger than the bytes left is refused before any allocation.
    var writer = BinaryWriter()
    writer.writeVariableLength(UInt64(1 << 40))
    let bytes = writer.bytes
    bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      #expect(throws: BinaryDecodingError.self) { try reader.read([String].self) }
    }
  }

  @Test func decodingErrorCarriesPositionStreamAndType() throws {
    let recorded = RecordedEvent(
      position: 77, stream: "registration-9", version: 3, id: .random(),
      eventType: Registered.eventType, schemaVersion: 1, encoding: .binary, payload: [5, 65],
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
    let error = #expect(throws: EventStoreError.self) {
      try recorded.decode(as: Registered.self)
    }
    #expect(error?.code == .corruptRecord)
    #expect(error?.position == 77)
    #expect(error?.stream == "registration-9")
    #expect(error?.version == 3)
    #expect(error?.eventType == "ParticipantRegistered")
    #expect(error?.description.contains("position 77") == true)
  }
}

@Suite("Schema evolution")
struct SchemaEvolutionTests {
  @Test func eventThatGainedAnOptionalFieldDecodesOldPayloads() throws {
    let old = RegisteredBeforeNote(
      participant: "p-1", country: "CA", refugee: false, amount: 10, languages: ["fr"])
    let stored = try data(old)
    let recorded = RecordedEvent(
      position: 1, stream: "registration-1", version: 1, id: stored.id,
      eventType: stored.eventType, schemaVersion: stored.schemaVersion, encoding: .binary,
      payload: stored.payload, metadata: stored.metadata)
    let decoded = try recorded.decode(as: Registered.self)
    #expect(
      decoded
        == Registered(
          participant: "p-1", country: "CA", refugee: false, amount: 10, languages: ["fr"],
          note: nil))
  }

  @Test func jsonEventThatGainedAnOptionalFieldDecodesOldPayloads() throws {
    let recorded = RecordedEvent(
      position: 1, stream: "evaluation-1", version: 1, id: .random(),
      eventType: CommentRecorded.eventType, schemaVersion: 1, encoding: .json,
      payload: Array(#"{"text":"Great workshops"}"#.utf8),
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
    #expect(
      try recorded.decode(as: CommentRecorded.self) == CommentRecorded(text: "Great workshops"))
  }

  @Test func renamedEventIsReadThroughItsUpcaster() throws {
    var schema = EventSchema<Registered>()
    schema.registerUpcaster(eventType: "SignedUp", schemaVersion: 1) { reader in
      let fullName = try reader.read(String.self)
      let country = try reader.read(String.self)
      return Registered(
        participant: fullName.lowercased().replacingOccurrences(of: " ", with: "-"),
        country: country, refugee: false, amount: 0, languages: [])
    }
    #expect(schema.eventTypes == ["ParticipantRegistered", "SignedUp"])
    let old = try data(SignedUpV1(fullName: "Ana Gomez", country: "MX"))
    let recorded = RecordedEvent(
      position: 5, stream: "registration-2", version: 1, id: old.id, eventType: "SignedUp",
      schemaVersion: 1, encoding: .binary, payload: old.payload, metadata: old.metadata)
    let decoded = try recorded.decode(with: schema)
    #expect(decoded.participant == "ana-gomez")
    #expect(decoded.country == "MX")
  }

  @Test func reshapedEventIsReadThroughTheUpcasterForItsSchemaVersion() throws {
    // Schema version 0 of ParticipantRegistered stored the amount before the country.
    var schema = EventSchema<Registered>()
    schema.registerUpcaster(eventType: Registered.eventType, schemaVersion: 0) { reader in
      let participant = try reader.read(String.self)
      let amount = try reader.read(Int.self)
      let country = try reader.read(String.self)
      return Registered(
        participant: participant, country: country, refugee: false, amount: amount,
        languages: [])
    }
    var writer = BinaryWriter()
    writer.write("p-7")
    writer.write(250)
    writer.write("HT")
    let recorded = RecordedEvent(
      position: 9, stream: "registration-3", version: 1, id: .random(),
      eventType: Registered.eventType, schemaVersion: 0, encoding: .binary,
      payload: writer.bytes, metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
    let decoded = try recorded.decode(with: schema)
    #expect(decoded.amount == 250)
    #expect(decoded.country == "HT")
    // Without the upcaster the reshaped payload does not decode into today's type.
    #expect(throws: EventStoreError.self) { try recorded.decode(as: Registered.self) }
  }

  @Test func unknownTypeIsATypedError() throws {
    let recorded = RecordedEvent(
      position: 3, stream: "registration-1", version: 2, id: .random(),
      eventType: "NoSuchEvent", schemaVersion: 1, encoding: .binary, payload: [],
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
    let error = #expect(throws: EventStoreError.self) {
      try recorded.decode(as: Registered.self)
    }
    #expect(error?.code == .unknownEventType)
    #expect(error?.eventType == "NoSuchEvent")
    #expect(error?.position == 3)
  }
}
