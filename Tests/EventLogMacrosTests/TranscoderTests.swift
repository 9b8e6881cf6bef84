import EventLogMacros
import Foundation
import Testing

/// A guide, nested in ``TranscodedVisit``.
@BinaryCodable
struct TranscodedGuide: Hashable, Codable {
  var name: String
  var languages: [String]
}

/// A struct whose keys sort in another order than its fields, with lists, a nested struct and
/// a trailing run of fields added later (optional or defaulted).
@BinaryCodable
struct TranscodedVisit: Hashable, Codable {
  var place: String
  var day: Int
  var tags: [String]
  var open: Bool
  var guide: TranscodedGuide?
  var note: String? = nil
  var rating: Int = 3
}

/// ``TranscodedVisit`` as it was before its trailing fields were added.
@BinaryCodable
struct TranscodedVisitV1: Hashable, Codable {
  var place: String
  var day: Int
  var tags: [String]
  var open: Bool
}

/// A struct with a personal field.
@BinaryCodable
struct TranscodedContact: Hashable, Codable {
  var owner: String
  var contact: Personal<String>
}

/// ``TranscodedContact`` as written before personal fields were sealed: a plain string.
@BinaryCodable
struct TranscodedContactV1: Hashable, Codable {
  var owner: String
  var contact: String
}

/// The transcoders the struct macros write (`skipBinary(in:)`, `transcodeJSON(from:to:)`)
/// against the value's own writer: the same bytes, failing where decoding fails, stepping over
/// exactly what decoding reads.
@Suite("Binary to JSON transcoders")
struct TranscoderTests {
  static let texts = [
    "", "plain", "a/b", "say \"hi\"", "back\\slash", "tab\there", "nul\u{0}end", "\u{7F}",
    "line\nbreak\r", "accentué ✓", "emoji 🎉 in a longer text/with a slash", "\u{1F}\u{8}\u{C}",
    "eight ch", "sixteen characte", "/////////////////",
  ]

  /// Visits with every text in every text field, guides and notes present and absent.
  static func visits() -> [TranscodedVisit] {
    var visits: [TranscodedVisit] = []
    for (index, text) in texts.enumerated() {
      visits.append(
        TranscodedVisit(
          place: text, day: index * 7919 - 20_000, tags: Array(texts.prefix(index % 4)),
          open: index.isMultiple(of: 2),
          guide: index.isMultiple(of: 3)
            ? nil : TranscodedGuide(name: text, languages: [text, "fr"]),
          note: index.isMultiple(of: 2) ? text : nil, rating: -index))
    }
    return visits
  }

  static func binary<Value: BinaryEncodable>(_ value: Value) -> [UInt8] {
    var writer = BinaryWriter()
    writer.write(value)
    return writer.bytes
  }

  /// What the value decoded from `bytes` writes, or `nil` when it does not decode or write.
  static func written<Value: BinaryDecodable & JSONWritable>(
    _: Value.Type, _ bytes: [UInt8], escapingSlashes: Bool
  ) -> [UInt8]? {
    bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      var writer = JSONWriter(escapesSlashes: escapingSlashes)
      guard (try? Value(from: &reader).writeJSON(to: &writer)) != nil else { return nil }
      return writer.bytes
    }
  }

  /// What the transcoder writes from `bytes`, or `nil` when it fails.
  static func transcoded<Value: BinaryJSONTranscodable>(
    _: Value.Type, _ bytes: [UInt8], escapingSlashes: Bool
  ) -> [UInt8]? {
    bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      var writer = JSONWriter(escapesSlashes: escapingSlashes)
      guard (try? Value.transcodeJSON(from: &reader, to: &writer)) != nil else { return nil }
      return writer.bytes
    }
  }

  /// How many bytes decoding and skipping read, `nil` where they fail.
  static func extents<Value: BinaryJSONTranscodable>(_: Value.Type, _ bytes: [UInt8]) -> (
    decoded: Int?, skipped: Int?
  ) {
    bytes.withUnsafeBytes { raw in
      var decoding = BinaryReader(raw)
      var skipping = BinaryReader(raw)
      let decoded = (try? Value(from: &decoding)).map { _ in decoding.offset }
      let skipped = (try? Value.skipBinary(in: &skipping)).map { skipping.offset }
      return (decoded, skipped)
    }
  }

  /// Checks `bytes`, whole, cut short at every length and with each byte replaced: the
  /// transcoder writes what the decoded value writes and fails where decoding fails, and
  /// skipping reads what decoding reads. Returns how many of the variants decoded.
  @discardableResult
  static func check<Value: BinaryJSONTranscodable & JSONWritable>(
    _ type: Value.Type, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
  ) -> Int {
    var variants = [bytes]
    for length in 0..<bytes.count { variants.append(Array(bytes.prefix(length))) }
    for index in bytes.indices {
      for replacement: UInt8 in [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF]
      where bytes[index] != replacement {
        var changed = bytes
        changed[index] = replacement
        variants.append(changed)
      }
    }
    var decoded = 0
    for variant in variants {
      for escaping in [true, false] {
        let expected = written(type, variant, escapingSlashes: escaping)
        let actual = transcoded(type, variant, escapingSlashes: escaping)
        #expect(
          actual == expected,
          "\(variant): \(actual.map { String(decoding: $0, as: UTF8.self) } ?? "failed") is not \(expected.map { String(decoding: $0, as: UTF8.self) } ?? "failed")",
          sourceLocation: sourceLocation)
        if escaping, expected != nil { decoded += 1 }
      }
      let (decodedTo, skippedTo) = extents(type, variant)
      #expect(decodedTo == skippedTo, "\(variant)", sourceLocation: sourceLocation)
    }
    return decoded
  }

  @Test("every field is written from its bytes as the value writes it, escaped either way")
  func fieldsAreWrittenAsTheValueWritesThem() throws {
    for visit in Self.visits() {
      let bytes = Self.binary(visit)
      for escaping in [true, false] {
        var writer = JSONWriter(escapesSlashes: escaping)
        try visit.writeJSON(to: &writer)
        #expect(
          Self.transcoded(TranscodedVisit.self, bytes, escapingSlashes: escaping) == writer.bytes)
      }
      // The JSON is JSONEncoder's (the writer's promise), so the transcoder's is too.
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      #expect(
        Self.transcoded(TranscodedVisit.self, bytes, escapingSlashes: true)
          == Array(try encoder.encode(visit)))
    }
  }

  @Test("damaged and cut-short bytes fail where decoding fails, and nowhere else")
  func damagedBytesFailWhereDecodingFails() {
    var decoded = 0
    for visit in Self.visits() {
      decoded += Self.check(TranscodedVisit.self, Self.binary(visit))
    }
    // Some of the damaged variants still decode (a changed letter, a shorter list).
    #expect(decoded > Self.visits().count * 2)
  }

  @Test("a record written before the trailing fields were added is written with their defaults")
  func aRecordFromBeforeTrailingFieldsIsWrittenWithTheirDefaults() throws {
    let old = TranscodedVisitV1(place: "Montréal", day: 12, tags: ["a/b"], open: true)
    let bytes = Self.binary(old)
    let text = try #require(Self.transcoded(TranscodedVisit.self, bytes, escapingSlashes: true))
    #expect(
      String(decoding: text, as: UTF8.self)
        == #"{"day":12,"open":true,"place":"Montréal","rating":3,"tags":["a\/b"]}"#)
    Self.check(TranscodedVisit.self, bytes)
    // Ended inside the trailing run: after the guide, before the note.
    var partial = Self.binary(old)
    partial.append(1)
    partial += Self.binary(TranscodedGuide(name: "Ana", languages: []))
    let withGuide = try #require(
      Self.transcoded(TranscodedVisit.self, partial, escapingSlashes: false))
    #expect(
      String(decoding: withGuide, as: UTF8.self)
        == #"{"day":12,"guide":{"languages":[],"name":"Ana"},"open":true,"place":"Montréal","rating":3,"tags":["a/b"]}"#
    )
  }

  @Test("text that is not valid UTF-8 is repaired as decoding repairs it")
  func invalidUTF8IsRepairedAsDecodingRepairsIt() throws {
    let visit = TranscodedVisit(place: "x", day: 1, tags: ["y"], open: false)
    for bad: [UInt8] in [
      [0xFF], [0x66, 0xC3], [0xE2, 0x82], [0x61, 0xED, 0xA0, 0x80, 0x62], [0xC0, 0xAF],
    ] {
      // The place's one byte replaced by the bad bytes, its length changed to theirs.
      var bytes = Self.binary(visit)
      bytes.replaceSubrange(0..<2, with: [UInt8(bad.count)] + bad)
      let expected = Self.written(TranscodedVisit.self, bytes, escapingSlashes: true)
      #expect(expected != nil)
      #expect(Self.transcoded(TranscodedVisit.self, bytes, escapingSlashes: true) == expected)
      #expect(expected.map { String(decoding: $0, as: UTF8.self).contains("\u{FFFD}") } == true)
      Self.check(TranscodedVisit.self, bytes)
    }
  }

  @Test("sealed, erased and plain personal values are written as the value writes them")
  func personalValuesAreWrittenAsTheValueWritesThem() throws {
    let subjects = [
      DataSubject("account", "7"), DataSubject("member", "Québec/12"),
      DataSubject("person", "a\"b\\c"),
    ]
    var samples: [[UInt8]] = []
    for (index, subject) in subjects.enumerated() {
      let ciphertext = (0..<(index * 7 + 3)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 0xFB) }
      samples.append(
        Self.binary(
          TranscodedContact(
            owner: "o/\(index)", contact: Personal(subject: subject, content: .sealed(ciphertext))))
      )
      samples.append(
        Self.binary(
          TranscodedContact(owner: "", contact: Personal(subject: subject, content: .erased))))
    }
    // A log written before personal fields were sealed holds the plain text.
    samples.append(Self.binary(TranscodedContactV1(owner: "o", contact: "ana@example.org")))
    for bytes in samples {
      for escaping in [true, false] {
        let expected = Self.written(TranscodedContact.self, bytes, escapingSlashes: escaping)
        #expect(expected != nil)
        #expect(
          Self.transcoded(TranscodedContact.self, bytes, escapingSlashes: escaping) == expected)
      }
      Self.check(TranscodedContact.self, bytes)
    }
    let sealed = try #require(
      Self.transcoded(TranscodedContact.self, samples[2], escapingSlashes: true))
    #expect(String(decoding: sealed, as: UTF8.self).contains(#""subject":"member:Québec\/12""#))
  }
}

/// The transcoders from JSON (`transcodeBinary(json:at:to:)`) against the generated readers:
/// where a transcoder writes, it writes what the value the reader reads encodes to, and it never
/// writes where the reader refuses.
@Suite("JSON to binary transcoders")
struct BinaryTranscoderTests {
  /// What the value read from `text` encodes to, `nil` when the text is not JSON or the reader
  /// refuses it; and what the transcoder writes from it, `nil` when it does not.
  static func outcomes<Value: JSONBinaryTranscodable>(_: Value.Type, _ text: [UInt8]) -> (
    read: [UInt8]?, transcoded: [UInt8]?
  )? {
    guard let reader = JSONReader(text) else { return nil }
    var encoded = BinaryWriter()
    let read =
      (try? Value(json: reader, at: 0)).map { value -> [UInt8]? in
        value.encode(to: &encoded)
        return encoded.failure == nil ? encoded.bytes : nil
      } ?? nil
    var writer = BinaryWriter()
    let transcoded =
      (try? Value.transcodeBinary(json: reader, at: 0, to: &writer)) != nil
        && writer.failure == nil ? writer.bytes : nil
    return (read, transcoded)
  }

  /// Checks `text` and its variants (cut short, each byte replaced by a few that JSON cares
  /// about): wherever the transcoder writes, the reader reads the same bytes. Returns how many
  /// variants the transcoder wrote.
  @discardableResult
  static func check<Value: JSONBinaryTranscodable>(
    _ type: Value.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation
  ) -> Int {
    let bytes = Array(text.utf8)
    var variants = [bytes]
    for length in 0..<bytes.count { variants.append(Array(bytes.prefix(length))) }
    let replacements = Array(#""\ 0x/=:n{}[],A"#.utf8)
    for index in bytes.indices {
      for replacement in replacements where bytes[index] != replacement {
        var changed = bytes
        changed[index] = replacement
        variants.append(changed)
      }
    }
    var transcoded = 0
    for variant in variants {
      guard let (read, written) = outcomes(type, variant), let written else { continue }
      transcoded += 1
      #expect(
        read == written, "\(String(decoding: variant, as: UTF8.self))",
        sourceLocation: sourceLocation)
    }
    return transcoded
  }

  static func json<Value: Encodable>(_ value: Value, escapingSlashes: Bool) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      escapingSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  @Test("every field is written from its JSON as the value read encodes it, damaged or not")
  func fieldsAreWrittenAsTheValueReadEncodes() throws {
    for visit in TranscoderTests.visits() {
      for escaping in [true, false] {
        let text = try Self.json(visit, escapingSlashes: escaping)
        let (read, transcoded) = try #require(Self.outcomes(TranscodedVisit.self, Array(text.utf8)))
        #expect(transcoded != nil)
        #expect(transcoded == read)
        #expect(transcoded == TranscoderTests.binary(visit))
        // Damaged variants that still read are many; each transcoded one must match.
        #expect(Self.check(TranscodedVisit.self, text) > 10)
      }
    }
    // Members in another order, missing optionals, `null`, unknown members, escapes.
    for text in [
      #"{"tags":[],"place":"x","open":false,"day":3,"rating":1}"#,
      #"{"day":3,"open":true,"place":"a\/b\u00e9\n","rating":2,"tags":["\"",""],"note":null}"#,
      #"{"day":-3,"open":true,"place":"","rating":0,"tags":[],"guide":null,"extra":[1,{}]}"#,
      #"{"day":3,"open":true,"place":"","rating":0,"tags":[],"guide":{"name":"n","languages":["fr"]}}"#,
    ] {
      let (read, transcoded) = try #require(Self.outcomes(TranscodedVisit.self, Array(text.utf8)))
      #expect(read != nil, "\(text)")
      #expect(transcoded == read, "\(text)")
      Self.check(TranscodedVisit.self, text)
    }
  }

  @Test(
    "sealed and erased personal values are written from the text; others are left to the reader")
  func personalValuesAreWrittenOrLeft() throws {
    let subject = DataSubject("member", "Québec/12")
    var written = 0
    for count in 0..<12 {
      let ciphertext = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 0xFB) }
      for content: Personal<String>.Content in [.sealed(ciphertext), .erased] {
        let contact = TranscodedContact(
          owner: "o", contact: Personal(subject: subject, content: content))
        for escaping in [true, false] {
          let text = try Self.json(contact, escapingSlashes: escaping)
          let (read, transcoded) = try #require(
            Self.outcomes(TranscodedContact.self, Array(text.utf8)))
          #expect(transcoded == TranscoderTests.binary(contact), "\(text)")
          #expect(read == transcoded)
          written += Self.check(TranscodedContact.self, text)
        }
      }
    }
    #expect(written > 100)
    // Forms the transcoder leaves to the reader: a revealed or bare value (which must be
    // sealed), no subject, base64 that is not canonical, other escapes.
    for text in [
      #"{"contact":{"subject":"member:1","value":"Ana"},"owner":"o"}"#,
      #"{"contact":"Ana","owner":"o"}"#,
      #"{"contact":{"sealed":"AAEC"},"owner":"o"}"#,
      #"{"contact":{"sealed":"AAF=","subject":"member:1"},"owner":"o"}"#,
      #"{"contact":{"sealed":"AAEC\u0041AAA","subject":"member:1"},"owner":"o"}"#,
      #"{"contact":{"sealed":"AA EC","subject":"member:1"},"owner":"o"}"#,
      #"{"contact":{"sealed":"AAEC","subject":"member1"},"owner":"o"}"#,
      #"{"contact":{"sealed":"AAEC","subject":":1"},"owner":"o"}"#,
      #"{"contact":{"erased":true,"subject":"member:"},"owner":"o"}"#,
    ] {
      let (_, transcoded) = try #require(Self.outcomes(TranscodedContact.self, Array(text.utf8)))
      #expect(transcoded == nil, "\(text)")
      Self.check(TranscodedContact.self, text)
    }
    // `\/` is read as `/`, as an export that escapes slashes writes base64.
    let escaped = #"{"contact":{"sealed":"\/\/8=","subject":"member:1"},"owner":"o"}"#
    let (read, transcoded) = try #require(
      Self.outcomes(TranscodedContact.self, Array(escaped.utf8)))
    #expect(transcoded != nil)
    #expect(transcoded == read)
  }
}
