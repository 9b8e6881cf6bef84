import EventLog
import Testing

/// A second event type of the test family.
struct Withdrawn: BinaryEvent, Equatable {
  static let eventType = "RegistrationWithdrawn"
  var participant: String

  func encode(to writer: inout BinaryWriter) { writer.write(participant) }
  init(participant: String) { self.participant = participant }
  init(from reader: inout BinaryReader) throws {
    self.init(participant: try reader.read(String.self))
  }
}

/// A family of two types, decoded through its table.
enum Signup: EventFamily, Equatable {
  case registered(Registered)
  case withdrawn(Withdrawn)

  static let decoders = PayloadDecoders<Signup>(
    .binary(Registered.self, Self.registered), .binary(Withdrawn.self, Self.withdrawn))

  var eventType: String {
    switch self {
    case .registered: Registered.eventType
    case .withdrawn: Withdrawn.eventType
    }
  }

  func encodePayload(to writer: inout BinaryWriter) {
    switch self {
    case .registered(let event): event.encode(to: &writer)
    case .withdrawn(let event): event.encode(to: &writer)
    }
  }
}

@Suite("Event families and record decoders")
struct RecordDecoderTests {
  let ana = Registered(
    participant: "ana", country: "MX", refugee: true, amount: 5, languages: ["es"])

  @Test func aFamilyGetsItsTypesAndDecodingFromItsTable() throws {
    #expect(Signup.eventTypes == ["ParticipantRegistered", "RegistrationWithdrawn"])
    let stored = try data(Signup.withdrawn(Withdrawn(participant: "ana")))
    let decoded = try stored.payload.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      return try Signup(eventType: stored.eventType, schemaVersion: 1, payload: &reader)
    }
    #expect(decoded == .withdrawn(Withdrawn(participant: "ana")))
    #expect(Signup.payloadDecoder(for: "SignedUp") == nil)
    let error = #expect(throws: EventStoreError.self) {
      try stored.payload.withUnsafeBytes { raw in
        var reader = BinaryReader(raw)
        _ = try Signup(eventType: "SignedUp", schemaVersion: 1, payload: &reader)
      }
    }
    #expect(error?.code == .unknownEventType)
    #expect(error?.eventType == "SignedUp")
  }

  @Test func eitherEventTakesTheDecoderOfTheSideThatHasTheType() throws {
    typealias Either = EitherEvent<Registered, CommentRecorded>
    let payload = try data(CommentRecorded(text: "good", stars: 4)).payload
    let decoder = try #require(Either.payloadDecoder(for: CommentRecorded.eventType))
    let decoded = try payload.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      return try decoder(1, &reader)
    }
    #expect(decoded == .second(CommentRecorded(text: "good", stars: 4)))
    #expect(Either.payloadDecoder(for: Registered.eventType) != nil)
    #expect(Either.payloadDecoder(for: Withdrawn.eventType) == nil)
  }

  /// Appends `events` one stream each, in order, and decodes the whole log with one decoder.
  func decodeAll(
    _ events: [any RecordableEvent], with decoder: inout RecordDecoder<Signup>
  ) async throws -> [Signup] {
    let store = InMemoryEventStore()
    for (index, event) in events.enumerated() {
      try await store.append([try data(event)], to: "signup-\(index)", expectedVersion: .noStream)
    }
    var decoded: [Signup] = []
    _ = try await store.scanLog(from: .first, limit: 100, filter: .all) { record in
      let event = try decoder.decode(record)
      // The same answer as the one-off decoding through the schema.
      #expect(try record.decode(with: decoder.schema) == event)
      decoded.append(event)
    }
    return decoded
  }

  @Test func decodesEveryTypeAndUpcastsOldOnesByVersion() async throws {
    var schema = EventSchema<Signup>()
    schema.registerUpcaster(eventType: SignedUpV1.eventType, schemaVersion: 1) { reader in
      let name = try reader.read(String.self)
      let country = try reader.read(String.self)
      return .registered(
        Registered(participant: name, country: country, refugee: false, amount: 0, languages: []))
    }
    var decoder = RecordDecoder(schema)
    let decoded = try await decodeAll(
      [ana, Withdrawn(participant: "ana"), SignedUpV1(fullName: "Bo", country: "HT"), ana],
      with: &decoder)
    #expect(
      decoded == [
        .registered(ana), .withdrawn(Withdrawn(participant: "ana")),
        .registered(
          Registered(participant: "Bo", country: "HT", refugee: false, amount: 0, languages: [])),
        .registered(ana),
      ])
  }

  @Test func oneDecoderStaysRightAcrossStoresThatNumberTypesOtherwise() async throws {
    var decoder = RecordDecoder(EventSchema<Signup>())
    let withdrawn = Withdrawn(participant: "bo")
    // The first store numbers Registered 1; the second numbers Withdrawn 1.
    #expect(
      try await decodeAll([ana, withdrawn], with: &decoder) == [
        .registered(ana), .withdrawn(withdrawn),
      ])
    #expect(
      try await decodeAll([withdrawn, ana], with: &decoder) == [
        .withdrawn(withdrawn), .registered(ana),
      ])
  }

  @Test func failuresSayWhereAndWhat() async throws {
    let store = InMemoryEventStore()
    let time = EventMetadata(time: Timestamp(nanosecondsSince1970: 0))
    try await store.append([try data(ana)], to: "signup-1", expectedVersion: .noStream)
    try await store.append(
      [
        EventData(
          id: .random(), eventType: Registered.eventType, encoding: .binary, payload: [5, 65],
          metadata: time)
      ],
      to: "signup-2", expectedVersion: .noStream)
    try await store.append(
      [try data(CommentRecorded(text: "?"))], to: "signup-2", expectedVersion: .exactly(1))
    var decoder = RecordDecoder(EventSchema<Signup>())
    var errors: [EventStoreError] = []
    _ = try await store.scanLog(from: .first, limit: 10, filter: .all) { record in
      do { _ = try decoder.decode(record) } catch let error as EventStoreError {
        errors.append(error)
      }
    }
    #expect(errors.map(\.code) == [.corruptRecord, .unknownEventType])
    #expect(errors.map(\.position) == [2, 3])
    #expect(errors.map(\.stream) == ["signup-2", "signup-2"])
    #expect(errors.map(\.version) == [1, 2])
    #expect(errors.map(\.eventType) == [Registered.eventType, CommentRecorded.eventType])
  }
}
