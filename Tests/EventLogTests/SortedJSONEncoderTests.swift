import Foundation
import Testing

@testable import EventLog

/// `SortedJSONEncoder` must write exactly what Foundation's `JSONEncoder` writes with
/// `.sortedKeys`: each test encodes with both and compares the bytes.
@Suite("SortedJSONEncoder")
struct SortedJSONEncoderTests {
  /// What `JSONEncoder` writes for `value`, and what `SortedJSONEncoder` writes, as text.
  func both<Value: Encodable>(_ value: Value, escapingSlashes: Bool = true) throws -> (
    foundation: String, sorted: String
  ) {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      escapingSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
    let foundation = String(decoding: try encoder.encode(value), as: UTF8.self)
    let sorted = String(
      decoding: try SortedJSONEncoder(escapesSlashes: escapingSlashes).encode(value), as: UTF8.self)
    return (foundation, sorted)
  }

  /// Expects the same bytes from both, and that the value was written directly (not handed
  /// to `JSONEncoder`) unless `direct` is false.
  func expectSame<Value: Encodable>(
    _ value: Value, direct: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    for escaping in [true, false] {
      let (foundation, sorted) = try both(value, escapingSlashes: escaping)
      #expect(sorted == foundation, sourceLocation: sourceLocation)
      let written = try SortedJSONEncoder(escapesSlashes: escaping).encodeDirectly(value)
      #expect((written != nil) == direct, sourceLocation: sourceLocation)
    }
  }

  struct Address: Codable {
    var street: String
    var city: String
    var postalCode: String?
    var lines: [String] = []
  }

  struct Organization: Codable {
    var name: String
    var zeta: Int
    var alpha: Bool
    var Capital: UInt16
    var address: Address
    var previous: [Address]
    var note: String?
    var ratio: Double
    var scores: [Int: String]
    var tags: [String: [Int]]
  }

  enum Role: Codable {
    case office
    case member(id: String, since: Int)
    case guest(String)
  }

  enum Kind: String, Codable { case small, large }

  @Test func structsNestedAndInArraysHaveTheirKeysSorted() throws {
    let address = Address(street: "12 rue Saint-Denis", city: "Montréal", postalCode: nil)
    let organization = Organization(
      name: "Accueil/Welcome", zeta: -42, alpha: true, Capital: 65535, address: address,
      previous: [address, Address(street: "b", city: "a", postalCode: "H2X", lines: ["x", "y"])],
      note: nil, ratio: 0.25, scores: [10: "ten", 2: "two", 1: "one"],
      tags: ["eventType": [1], "events": [], "B": [3, -4], "_0": [0]])
    try expectSame(organization)
    try expectSame([organization, organization])
    try expectSame(["b": organization, "a": organization])
  }

  @Test func enumsWithAssociatedValuesAndRawValues() throws {
    try expectSame([Role.office, .member(id: "m-1", since: 2018), .guest("x")])
    try expectSame([Kind.small, .large])
    try expectSame(["k": Kind.large])
  }

  @Test func stringsAreEscapedAsFoundationEscapesThem() throws {
    var control = ""
    for byte in 0..<0x20 { control.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
    let texts = [
      control, "\"quoted\"", "back\\slash", "a/b//c", "accentué ✓ 𝄞", "del\u{7F}",
      "\u{2028}\u{2029}",
      "", "plain",
    ]
    try expectSame(texts)
    try expectSame(Dictionary(uniqueKeysWithValues: texts.map { ($0, $0) }))
  }

  @Test func numbersAreWrittenAsFoundationWritesThem() throws {
    try expectSame([Int.min, -1, 0, 1, Int.max])
    try expectSame([UInt64.max, 0, 7])
    try expectSame([Int8.min, Int8.max])
    try expectSame([
      0.0, -0.0, 1, 0.1, 1.5, 100.25, -3.75, 1e16, 1e20, 1.2345678901234568e+20,
      Double.leastNonzeroMagnitude,
      Double.greatestFiniteMagnitude, 0.000001, 1e-5, 123456.789, 1 / 3,
    ])
    try expectSame([Float(0.1), 1e30, 3, -2.5, Float.leastNonzeroMagnitude])
    try expectSame([true, false])
  }

  @Test func optionalsAreLeftOutOfObjectsAndNullInArrays() throws {
    try expectSame(Address(street: "s", city: "c", postalCode: nil))
    try expectSame([nil, 1, nil] as [Int?])
    try expectSame(["k": nil, "j": 2] as [String: Int?])
  }

  /// A value that encodes nothing is an empty object.
  struct Nothing: Encodable {
    func encode(to encoder: any Encoder) throws {}
  }

  /// Keys given out of order, a nested object and a nested array between them.
  struct Hand: Encodable {
    enum Keys: String, CodingKey { case z, a, m, nested, list }
    enum Inner: String, CodingKey { case y, b }
    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode("last", forKey: .z)
      var nested = container.nestedContainer(keyedBy: Inner.self, forKey: .nested)
      try nested.encode(1, forKey: .y)
      try nested.encode(2, forKey: .b)
      var list = container.nestedUnkeyedContainer(forKey: .list)
      try list.encode(3)
      var deeper = list.nestedContainer(keyedBy: Inner.self)
      try deeper.encode(true, forKey: .y)
      try deeper.encodeNil(forKey: .b)
      try container.encode("first", forKey: .a)
      try container.encode(Nothing(), forKey: .m)
    }
  }

  @Test func handWrittenContainersNestedAndOutOfOrder() throws {
    try expectSame(Hand())
    try expectSame(["x": Nothing()])
    // At the top level, a value that encodes nothing is refused, by both.
    #expect(throws: EncodingError.self) { try JSONEncoder().encode(Nothing()) }
    #expect(throws: EncodingError.self) { try SortedJSONEncoder().encode(Nothing()) }
    try expectSame([Hand(), Hand()])
  }

  /// Uses its outer container after the nested one moved on: left to Foundation.
  struct Interleaved: Encodable {
    enum Keys: String, CodingKey { case a, b, c }
    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Keys.self)
      var first = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
      try container.encode(1, forKey: .b)
      try first.encode(2, forKey: .c)
    }
  }

  /// A key encoded twice, and a super encoder: left to Foundation.
  struct Unusual: Encodable {
    enum Keys: String, CodingKey { case a, b }
    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode(1, forKey: .b)
      try container.encode(2, forKey: .b)
      try container.encode(3, forKey: .a)
      try Kind.small.encode(to: container.superEncoder(forKey: .a))
    }
  }

  struct Stamped: Codable {
    var at: Date
    var bytes: Data
    var link: URL
  }

  @Test func whatFoundationEncodesItsOwnWayIsLeftToIt() throws {
    try expectSame(Interleaved(), direct: false)
    try expectSame(Unusual(), direct: false)
    try expectSame(
      Stamped(
        at: Date(timeIntervalSinceReferenceDate: 12.5), bytes: Data([1, 2, 255]),
        link: try #require(URL(string: "https://example.org/a?b=c"))), direct: false)
    try expectSame([Decimal(string: "1.25")], direct: false)
  }

  @Test func aFloatThatIsNotFiniteIsRefusedAsFoundationRefusesIt() {
    #expect(throws: EncodingError.self) { try JSONEncoder().encode([Double.nan]) }
    #expect(throws: EncodingError.self) { try SortedJSONEncoder().encode([Double.nan]) }
    #expect(throws: EncodingError.self) { try SortedJSONEncoder().encode(["k": Float.infinity]) }
  }
}
