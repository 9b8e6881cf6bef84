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
