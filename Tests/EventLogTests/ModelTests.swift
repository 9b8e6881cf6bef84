import EventLog
import Foundation
import Testing

@Suite("Model")
struct ModelTests {
  @Test(
    arguments: [
      ("member-42", "member", "42"), ("member", "member", nil),
      ("registration-2018-7", "registration", "2018-7"), ("-x", "", "x"),
      ("réunion-été-3", "réunion", "été-3"), ("x-", "x", ""),
    ] as [(String, String, String?)])
  func streamCategory(name: String, category: String, id: String?) {
    let stream = StreamName(name)
    #expect(stream.category == category)
    #expect(stream.id == id)
  }

  @Test func invalidStreamNamesAreRefused() {
    for bad in ["", "a\u{0}b", String(repeating: "x", count: StreamName.maximumLength + 1)] {
      let error = #expect(throws: EventStoreError.self) { try StreamName(validating: bad) }
      #expect(error?.code == .invalidStreamName)
    }
    #expect(StreamName(category: "member", id: "7") == "member-7")
  }

  @Test func expectedVersionRules() {
    #expect(ExpectedVersion.any.isSatisfied(by: nil))
    #expect(ExpectedVersion.any.isSatisfied(by: 3))
    #expect(ExpectedVersion.noStream.isSatisfied(by: nil))
    #expect(!ExpectedVersion.noStream.isSatisfied(by: 1))
    #expect(!ExpectedVersion.streamExists.isSatisfied(by: nil))
    #expect(ExpectedVersion.streamExists.isSatisfied(by: 1))
    #expect(ExpectedVersion.exactly(2).isSatisfied(by: 2))
    #expect(!ExpectedVersion.exactly(2).isSatisfied(by: 3))
    #expect(ExpectedVersion.at(nil) == .noStream)
    #expect(ExpectedVersion.at(4) == .exactly(4))
  }

  @Test func timeOrderedIDsIncreaseAndAreVersion7() {
    let generator = EventIDGenerator.timeOrdered()
    let ids = (0..<5000).map { _ in generator.next() }
    #expect(ids.allSatisfy { $0.version == 7 })
    #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
    #expect(Set(ids).count == ids.count)
  }

  @Test func seededIDsAreReproducible() {
    let start = Timestamp(year: 2018, month: 6, day: 7)
    let a = EventIDGenerator.seeded(42, clock: .stepping(from: start))
    let b = EventIDGenerator.seeded(42, clock: .stepping(from: start))
    let c = EventIDGenerator.seeded(43, clock: .stepping(from: start))
    let first = (0..<100).map { _ in a.next() }
    #expect(first == (0..<100).map { _ in b.next() })
    #expect(first != (0..<100).map { _ in c.next() })
    #expect(zip(first, first.dropFirst()).allSatisfy { $0 < $1 })
  }

  @Test func eventIDTextRoundTrip() throws {
    let id = EventID.random()
    #expect(EventID(uuidString: id.description) == id)
    // The text form and its parsing agree with Foundation's `UUID`.
    for _ in 0..<200 {
      let uuid = UUID()
      #expect(EventID(uuid).description == uuid.uuidString.lowercased())
      #expect(EventID(uuidString: uuid.uuidString) == EventID(uuid))
      #expect(EventID(uuidString: uuid.uuidString.lowercased()) == EventID(uuid))
    }
    let texts = [
      "0190f3c2-7a1b-7c3d-8e4f-0123456789ab", "0190F3C2-7A1B-7C3D-8E4F-0123456789AB",
      "0190f3c2-7a1b-7c3d-8e4f-0123456789a", "0190f3c2-7a1b-7c3d-8e4f-0123456789abc",
      "0190f3c2x7a1b-7c3d-8e4f-0123456789ab", "0190f3c2-7a1b-7c3d-8e4f-0123456789ag",
      "0190f3c27a1b7c3d8e4f0123456789abcdef", "", "{0190f3c2-7a1b-7c3d-8e4f-0123456789ab}",
      "0190f3c2-7a1b-7c3d-8e4f-0123456789aé",
    ]
    for text in texts {
      #expect(EventID(uuidString: text) == UUID(uuidString: text).map(EventID.init), "\(text)")
    }
    #expect(EventID(id.uuid) == id)
    let json = try JSONEncoder().encode([id])
    #expect(try JSONDecoder().decode([EventID].self, from: json) == [id])
  }

  @Test func dataSubjectTextRoundTripsAndSplitsAtTheFirstColon() {
    let subjects = [
      DataSubject("participant", "irrc-2018/r-0042"), DataSubject("account", "a:b"),
      DataSubject("subscriber", "\u{301}accent-first"), DataSubject("participant", "Québec/ré-7"),
    ]
    for subject in subjects {
      #expect(DataSubject(subject.description) == subject, "\(subject)")
    }
    #expect(DataSubject("account:a:b")?.id == "a:b")
    for text in ["", ":", "account:", ":a-1", "account-a-1"] {
      #expect(DataSubject(text) == nil, "\(text)")
    }
  }

  /// The text of random instants across the whole range reads back as the same instant (the
  /// parser is written apart from the writer), and has the form's fixed shape.
  @Test func randomTimestampsRoundTripThroughTheirText() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for round in 0..<5000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      // Whole range, then near the epoch, then whole seconds and whole days.
      var value = Int64(bitPattern: state)
      if round % 4 == 1 { value %= 10_000_000_000_000 }
      if round % 4 == 2 { value -= value % 1_000_000_000 }
      if round % 4 == 3 { value -= value % 86_400_000_000_000 }
      let time = Timestamp(nanosecondsSince1970: value)
      let text = time.description
      #expect(Timestamp(rfc3339: text) == time, "\(value): \(text)")
      var appended: [UInt8] = [0x41]
      time.appendText(to: &appended)
      #expect(appended == [0x41] + Array(text.utf8))
      #expect(text.utf8.count == 30 && text.hasSuffix("Z") && text.dropFirst(19).first == ".")
    }
  }

  @Test func timestampTextIsExactAndRoundTrips() throws {
    let time = Timestamp(
      year: 2018, month: 5, day: 18, hour: 23, minute: 59, second: 58, nanosecond: 123_456_789)
    #expect(time.description == "2018-05-18T23:59:58.123456789Z")
    #expect(Timestamp(rfc3339: time.description) == time)
    #expect(
      Timestamp(rfc3339: "2018-05-18T23:59:58Z")?.nanosecondsSince1970 == 1_526_687_998_000_000_000)
    #expect(
      Timestamp(rfc3339: "2018-05-18T23:59:58.5Z")?.nanosecondsSince1970
        == 1_526_687_998_500_000_000)
    #expect(Timestamp(rfc3339: "1969-12-31T23:59:59.999999999Z")?.nanosecondsSince1970 == -1)
    #expect(Timestamp(nanosecondsSince1970: -1).description == "1969-12-31T23:59:59.999999999Z")
    // The first and last instants a timestamp holds, and the epoch.
    let earliest = Timestamp(nanosecondsSince1970: .min)
    let latest = Timestamp(nanosecondsSince1970: .max)
    #expect(earliest.description == "1677-09-21T00:12:43.145224192Z")
    #expect(latest.description == "2262-04-11T23:47:16.854775807Z")
    #expect(Timestamp(nanosecondsSince1970: 0).description == "1970-01-01T00:00:00.000000000Z")
    for edge in [earliest, latest] { #expect(Timestamp(rfc3339: edge.description) == edge) }
    for bad in ["2018-13-01T00:00:00Z", "2018-05-18 23:59:58Z", "2018-05-18T23:59:58", "nope"] {
      #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
    }
    let metadata = EventMetadata(time: time, actor: "office", custom: ["k": "v"])
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let decoded = try JSONDecoder().decode(EventMetadata.self, from: encoder.encode(metadata))
    #expect(decoded == metadata)
  }

  @Test func timestampAgreesWithFoundation() {
    var random = SplitMix64(seed: 7)
    for _ in 0..<1000 {
      let seconds = Int64(random.next() % 8_000_000_000) - 2_000_000_000
      let time = Timestamp(nanosecondsSince1970: seconds * 1_000_000_000)
      let formatter = ISO8601DateFormatter()
      let expected = formatter.string(from: time.date)
      #expect(time.description.replacingOccurrences(of: ".000000000", with: "") == expected)
    }
  }

  @Test func steppingClockIsDeterministic() {
    let clock = EventClock.stepping(from: Timestamp(nanosecondsSince1970: 100), byNanoseconds: 5)
    #expect((0..<3).map { _ in clock.now().nanosecondsSince1970 } == [100, 105, 110])
  }

  @Test func errorsAreMatchableAndDescriptive() async throws {
    let store = InMemoryEventStore()
    let event = EventData(
      id: .random(), eventType: "T", encoding: .binary, payload: [],
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
    try await store.append([event], to: "member-1", expectedVersion: .noStream)
    do {
      try await store.append([event], to: "member-1", expectedVersion: .exactly(5))
      Issue.record("the append should have been refused")
    } catch EventStoreError.Code.wrongExpectedVersion {
      // matched through the code's pattern
    }
    do {
      try await store.append(
        [
          EventData(
            id: .random(), eventType: "T", encoding: .binary, payload: [], metadata: event.metadata)
        ],
        to: "member-1", expectedVersion: .noStream)
      Issue.record("the append should have been refused")
    } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
      #expect(error.stream == "member-1")
      #expect(error.expectedVersion == .noStream)
      #expect(error.actualVersion == 1)
      #expect(
        error.description
          == "wrongExpectedVersion: the stream is not at the expected version (stream member-1, expected no stream, actual version 1)"
      )
    }
  }
}
