import CouncilSamples
import EventLogLMDB
import EventLogMacros
import EventLogTestSupport
import Foundation
import Testing

@testable import Council
@testable import EventLog

// Types the macros write `writeJSON(to:)` for, each with something `Encodable` does its own
// way: keys out of order (capitals sort first), optionals, a constant, a backticked name,
// nesting, collections, a float (handed to `Encodable`), and a struct whose `Encodable` form
// is its own.
@BinaryCodable
struct JSONSampleAddress: Hashable, Codable {
  var zip: String
  // swift-format-ignore: AlwaysUseLowerCamelCase
  var City: String
  var region: String? = nil
}

@BinaryCodable
struct JSONSampleOwnForm: Hashable, Codable {
  var text: String

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode("own:" + text)
  }

  init(text: String) { self.text = text }

  init(from decoder: any Decoder) throws {
    text = try decoder.singleValueContainer().decode(String.self)
  }
}

@BinaryEvent
struct JSONSampleEvent: Hashable, Encodable {
  let kind = "sample"
  var `default`: String
  var count: Int
  var flags: [Bool]
  var address: JSONSampleAddress
  var addresses: [JSONSampleAddress] = []
  var lastAddress: JSONSampleAddress? = nil
  var ratio: Double = 0.5
  var tags: [String: Int] = [:]
  var own: JSONSampleOwnForm = JSONSampleOwnForm(text: "x")
  var note: String? = nil
  var nested: [[Int?]] = []
  var person: Personal<String>? = nil
  var people: [Personal<String>] = []
}

@BinaryEvent
struct JSONSampleEmpty: Hashable, Codable {}

// Raw identifiers: keys with characters JSON escapes (a quote always, a slash when slashes are
// escaped), which the generated writer must escape rather than write as they stand.
@BinaryCodable
struct JSONSampleRawKeys: Hashable, Codable {
  var `per/day`: Int
  var `say "hi"`: String
  var plain: Bool
}

/// What the generated reader reads, beside `JSONDecoder`.
@BinaryCodable
struct JSONSampleRecord: Hashable, Codable {
  var name: String
  var count: Int
  var defaulted: Int = 5
  var note: String? = nil
  var addresses: [JSONSampleAddress] = []
  var tags: [String: Int?] = [:]
  var ratio: Double = 0
  var own: JSONSampleOwnForm = JSONSampleOwnForm(text: "x")
  var person: Personal<String>? = nil
  var people: [Personal<String>] = []
  var flags: Set<String> = []
}

/// The JSON the coding macros generate (`JSONWritable`) must be exactly what `JSONEncoder`
/// writes with `.sortedKeys` for the same value, and the council's events must be written
/// without going through `Encodable` at all.
@Suite("JSON written by the coding macros")
struct GeneratedJSONTests {
  /// `JSONEncoder`'s text for `value`.
  func foundation<Value: Encodable>(_ value: Value, escapingSlashes: Bool) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      escapingSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  /// The generated writer's text for `value`, and how many parts it handed to `Encodable`.
  func generated<Value: JSONWritable>(_ value: Value, escapingSlashes: Bool) throws -> (
    text: String, fallbacks: Int
  ) {
    var writer = JSONWriter(escapesSlashes: escapingSlashes)
    try value.writeJSON(to: &writer)
    return (String(decoding: writer.bytes, as: UTF8.self), writer.encodableFallbacks)
  }

  static let texts = [
    "", "plain", "with/slash", "with \"quotes\"", "back\\slash", "accentué ✓ 🎉", "tab\there",
    "nul\u{0}", "del\u{7F}", "line\nbreak\r\u{8}\u{C}\u{1F}",
  ]

  func samples() -> [JSONSampleEvent] {
    var samples: [JSONSampleEvent] = []
    for (index, text) in Self.texts.enumerated() {
      let subject = DataSubject("member", text.isEmpty ? "1" : "m/\(index)")
      var event = JSONSampleEvent(
        default: text, count: index * 7_919 - 30, flags: [true, false],
        address: JSONSampleAddress(zip: text, City: "Montréal", region: nil))
      if index.isMultiple(of: 2) {
        event.addresses = [
          JSONSampleAddress(zip: "H2X", City: text, region: "Québec"),
          JSONSampleAddress(zip: "", City: "", region: nil),
        ]
        event.lastAddress = event.addresses.first
        event.note = text
        event.tags = ["b": 1, "a/1": 2, "A": -3, text: index]
        event.nested = [[1, nil], [], [nil]]
        event.person = Personal(subject: subject, content: .revealed(text))
        event.ratio = Double(index) / 3
      }
      event.people = [
        Personal(
          subject: subject, content: .sealed(Array((0..<(index * 5)).map { UInt8($0 * 37 & 0xFF) }))
        ),
        Personal(subject: subject, content: .erased),
        Personal(subject: nil, content: .revealed(text)),
        Personal(subject: nil, content: .sealed([0xFB, 0xFF, 0xBF])),
      ]
      event.own = JSONSampleOwnForm(text: text)
      samples.append(event)
    }
    return samples
  }

  @Test("the generated writer writes what JSONEncoder writes", arguments: [true, false])
  func generatedWriterMatchesFoundation(escapingSlashes: Bool) throws {
    for sample in samples() {
      let (text, fallbacks) = try generated(sample, escapingSlashes: escapingSlashes)
      #expect(text == (try foundation(sample, escapingSlashes: escapingSlashes)))
      // The float and the struct with its own form go through `Encodable`; nothing else.
      #expect(fallbacks == 2)
      #expect(
        try SortedJSONEncoder(escapesSlashes: escapingSlashes).encode(sample)
          == Array((try foundation(sample, escapingSlashes: escapingSlashes)).utf8))
    }
    let empty = try generated(JSONSampleEmpty(), escapingSlashes: escapingSlashes)
    #expect(empty.text == (try foundation(JSONSampleEmpty(), escapingSlashes: escapingSlashes)))
    #expect(empty.text == "{}")
  }

  @Test(
    "keys that need an escape are escaped as JSONEncoder escapes them", arguments: [true, false])
  func keysThatNeedAnEscape(escapingSlashes: Bool) throws {
    let value = JSONSampleRawKeys(`per/day`: 3, `say "hi"`: "a/b", plain: true)
    let (text, fallbacks) = try generated(value, escapingSlashes: escapingSlashes)
    #expect(fallbacks == 0)
    #expect(text == (try foundation(value, escapingSlashes: escapingSlashes)))
    #expect(text.contains(escapingSlashes ? #""per\/day""# : #""per/day""#))
  }

  @Test("the JSON Coding article's sample writes what JSONEncoder writes")
  func articleSample() throws {
    let event = JSONSampleAddress(zip: "H2X 1Y4", City: "Montréal", region: "Québec")
    // sample: json-writer
    var writer = JSONWriter()
    try event.writeJSON(to: &writer)  // writer.bytes: what JSONEncoder writes with .sortedKeys
    // end sample
    #expect(writer.bytes == Array(try foundation(event, escapingSlashes: true).utf8))
    #expect(
      String(decoding: writer.bytes, as: UTF8.self)
        == #"{"City":"Montréal","region":"Québec","zip":"H2X 1Y4"}"#)
  }

  @Test("the JSON Coding article's transcoder sample writes what the payload writes")
  func transcoderArticleSample() async throws {
    try await GoldenLog.withLog { store in
      let events = try await store.readLog(from: .first, limit: 10_000).events
      let event = try #require(events.first { $0.eventType == MemberApplied.eventType })
      let bytes = try event.payload.withUnsafeBytes { payload in
        // sample: json-transcoder
        var reader = BinaryReader(payload)  // a record's payload, where it lies in the log
        var writer = JSONWriter()
        try MemberApplied.transcodeJSON(from: &reader, to: &writer)
        // end sample
        return writer.bytes
      }
      let payload = try #require(try CouncilCatalog.decode(event) as? MemberApplied)
      #expect(bytes == Array(try foundation(payload, escapingSlashes: true).utf8))
    }
  }

  /// The value the generated reader reads from `json`, `nil` when it refuses the text, and
  /// how many parts it read through `Decodable`.
  func read<Value: JSONReadable>(_ type: Value.Type, _ json: String) -> (Value?, Int) {
    guard let reader = JSONReader(Array(json.utf8)) else { return (nil, 0) }
    return ((try? Value(json: reader, at: 0)), reader.decodableFallbacks)
  }

  @Test("the generated reader reads what JSONDecoder reads, and refuses what it does not follow")
  func generatedReaderMatchesFoundation() throws {
    let subject = DataSubject("member", "7/1")
    let record = JSONSampleRecord(
      name: "Accueil/Welcome \"é\"", count: -12, defaulted: 9, note: "n",
      addresses: [JSONSampleAddress(zip: "H2X", City: "Montréal", region: "Québec")],
      tags: ["a": 1, "b": nil], ratio: 0.25, own: JSONSampleOwnForm(text: "own"),
      person: Personal(subject: subject, content: .sealed([1, 2, 250])),
      people: [
        Personal(subject: subject, content: .erased),
        Personal(subject: nil, content: .revealed("p")),
        Personal(subject: subject, content: .revealed("q")),
      ], flags: ["x"])
    let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
    let (value, fallbacks) = read(JSONSampleRecord.self, json)
    #expect(value == (try JSONDecoder().decode(JSONSampleRecord.self, from: Data(json.utf8))))
    #expect(value?.people == record.people && value?.person == record.person)
    // The float and the struct with its own form go through `Decodable`.
    #expect(fallbacks == 2)
    let texts = [
      // Optionals missing or null read as nil; a key given twice reads as its first value.
      #"{"name":"a","count":1,"defaulted":2,"note":null,"addresses":[],"tags":{},"ratio":1,"own":"x","people":[],"flags":[]}"#,
      #"{"name":"a","count":1,"name":"b","defaulted":2,"addresses":[],"tags":{"k":null,"k":3},"ratio":1,"own":"x","people":[],"flags":[]}"#,
      // A defaulted field is still required, as synthesized `Decodable` requires it.
      #"{"name":"a","count":1,"addresses":[],"tags":{},"ratio":1,"own":"x","people":[],"flags":[]}"#,
      // A value of another kind, a number that is not a plain integer, an escaped key.
      #"{"name":1,"count":1,"defaulted":2,"addresses":[],"tags":{},"ratio":1,"own":"x","people":[],"flags":[]}"#,
      #"{"name":"a","count":1.0,"defaulted":2,"addresses":[],"tags":{},"ratio":1,"own":"x","people":[],"flags":[]}"#,
      #"{"n\u0061me":"a","count":1,"defaulted":2,"addresses":[],"tags":{},"ratio":1,"own":"x","people":[],"flags":[]}"#,
    ]
    for text in texts {
      let foundation = try? JSONDecoder().decode(JSONSampleRecord.self, from: Data(text.utf8))
      let (generated, _) = read(JSONSampleRecord.self, text)
      // What the reader reads, Foundation reads the same; what it refuses, the decoder asks
      // Foundation about, whose answer the caller gets.
      if let generated { #expect(generated == foundation, "\(text)") }
      #expect(
        (try? StrictJSONDecoder().decode(JSONSampleRecord.self, from: Array(text.utf8)))
          == foundation, "\(text)")
    }
    #expect(read(JSONSampleRecord.self, texts[0]).0 != nil)
    #expect(read(JSONSampleRecord.self, texts[1]).0?.name == "a")
    for refused in texts[2...] { #expect(read(JSONSampleRecord.self, refused).0 == nil) }
  }

  @Test("a struct that declares its own Encodable form gets no generated writer")
  func ownFormIsNotGenerated() throws {
    let own: Any = JSONSampleOwnForm(text: "a")
    #expect(!(own is any JSONWritable))
    let address: Any = JSONSampleAddress(zip: "a", City: "b")
    #expect(address is any JSONWritable)
  }

  @Test("a value with no JSON form is refused with the type's name")
  func unwritableIsRefused() throws {
    struct Opaque {}
    var writer = JSONWriter()
    #expect(throws: JSONWriter.Unwritable.self) { try writer.value(Opaque()) }
  }

  @Test("base64 is written as Foundation writes it, at every length")
  func base64MatchesFoundation() throws {
    var bytes: [UInt8] = []
    for length in 0..<70 {
      for escapes in [true, false] {
        var writer = JSONWriter(escapesSlashes: escapes)
        writer.base64(bytes)
        #expect(
          String(decoding: writer.bytes, as: UTF8.self)
            == (try foundation(Data(bytes).base64EncodedString(), escapingSlashes: escapes)))
      }
      bytes.append(UInt8(truncatingIfNeeded: length &* 151 &+ 255))
    }
  }

  /// What `Value`'s transcoder writes from `bytes`, and how many parts it handed to `Encodable`.
  func transcoded<Value: BinaryJSONTranscodable>(
    _: Value.Type, _ bytes: some ContiguousBytes, escapingSlashes: Bool
  ) throws -> (text: String, fallbacks: Int) {
    var writer = JSONWriter(escapesSlashes: escapingSlashes)
    try bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      try Value.transcodeJSON(from: &reader, to: &writer)
    }
    return (String(decoding: writer.bytes, as: UTF8.self), writer.encodableFallbacks)
  }

  /// What the transcoder of `event`'s payload type writes from its payload.
  func transcoded(_ event: RecordedEvent, escapingSlashes: Bool) throws -> (
    text: String, fallbacks: Int
  ) {
    let type = try #require(CouncilCatalog.byName[event.eventType])
    return try transcoded(type, event.payload, escapingSlashes: escapingSlashes)
  }

  @Test(
    "the transcoders write from the binary form what the generated writers write",
    arguments: [true, false])
  func transcodersMatchTheWriters(escapingSlashes: Bool) throws {
    func binary<Value: BinaryEncodable>(_ value: Value) -> [UInt8] {
      var writer = BinaryWriter()
      writer.write(value)
      return writer.bytes
    }
    func check<Value: BinaryJSONTranscodable & JSONWritable & BinaryEncodable>(
      _ value: Value, encodable: Int
    ) throws {
      // The value the binary form reads back: what the transcoder is held to.
      let bytes = binary(value)
      let decoded = try bytes.withUnsafeBytes { raw in
        var reader = BinaryReader(raw)
        return try Value(from: &reader)
      }
      let (expected, fallbacks) = try generated(decoded, escapingSlashes: escapingSlashes)
      let actual = try transcoded(Value.self, bytes, escapingSlashes: escapingSlashes)
      #expect(actual.text == expected)
      #expect(actual.fallbacks == fallbacks)
      #expect(fallbacks == encodable)
    }
    for (index, text) in Self.texts.enumerated() {
      let subject = DataSubject("member", text.isEmpty ? "1" : "m/\(index)")
      var record = JSONSampleRecord(name: text, count: index - 4)
      // The float and the struct with its own form go through `Encodable`, as in the writer.
      try check(record, encodable: 2)
      record.note = text
      record.addresses = [JSONSampleAddress(zip: text, City: "Montréal", region: text)]
      record.tags = ["b": 1, text: nil, "a/1": index]
      record.ratio = Double(index) / 7
      record.own = JSONSampleOwnForm(text: text)
      record.person = Personal(subject: subject, content: .erased)
      record.people = [
        Personal(
          subject: subject, content: .sealed((0..<(index * 3)).map { UInt8($0 * 41 & 0xFF) })),
        Personal(subject: subject, content: .erased),
      ]
      // One element: a set's order is its own, not the same for two equal sets.
      record.flags = [text]
      try check(record, encodable: 2)
      try check(
        JSONSampleRawKeys(`per/day`: index, `say "hi"`: text, plain: index > 3), encodable: 0)
      try check(JSONSampleAddress(zip: text, City: text, region: nil), encodable: 0)
    }
    try check(JSONSampleEmpty(), encodable: 0)
  }

  /// Whether `payload`'s type reads `payload` again from `reader`.
  func readsBack<Payload: CouncilEvent>(_ payload: Payload, _ reader: JSONReader) throws -> Bool {
    try Payload(json: reader, at: 0) == payload
  }

  /// Checks every payload of `events`: the generated JSON is `JSONEncoder`'s, the transcoder
  /// writes it from the payload's bytes, and no part of it went through `Encodable`.
  func checkPayloads(_ events: [RecordedEvent]) throws -> Set<String> {
    var types: Set<String> = []
    for event in events {
      let payload = try CouncilCatalog.decode(event)
      for escapes in [true, false] {
        let (text, fallbacks) = try generated(payload, escapingSlashes: escapes)
        #expect(
          text == (try foundation(payload, escapingSlashes: escapes)),
          "\(event.eventType) at \(event.position)")
        #expect(fallbacks == 0, "\(event.eventType) went through Encodable")
        let fromBytes = try transcoded(event, escapingSlashes: escapes)
        #expect(fromBytes.text == text, "\(event.eventType) at \(event.position) transcoded")
        #expect(fromBytes.fallbacks == 0, "\(event.eventType) transcoded through Encodable")
      }
      let json = try SortedJSONEncoder().encode(payload)
      let reader = try #require(JSONReader(json))
      #expect(try readsBack(payload, reader), "\(event.eventType) at \(event.position) reads back")
      #expect(reader.decodableFallbacks == 0, "\(event.eventType) went through Decodable")
      types.insert(event.eventType)
    }
    return types
  }

  @Test(
    "every council event of the golden log, each field filled, is written as JSONEncoder writes it")
  func goldenLogPayloads() async throws {
    try await GoldenLog.withLog { store in
      let events = try await store.readLog(from: .first, limit: 10_000).events
      let types = try checkPayloads(events)
      #expect(types.count >= CouncilCatalog.types.count - 1)
    }
  }

  @Test(
    "every payload of a generated log, personal data sealed, is written as JSONEncoder writes it")
  func generatedLogPayloads() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 3000, seed: 5, into: store)
    let events = try await store.readLog(from: .first, limit: 10_000).events
    #expect(events.count >= 3000)
    let types = try checkPayloads(events)
    #expect(types.count > 10)
  }
}
