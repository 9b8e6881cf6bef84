import Foundation
import Testing

@testable import EventLog

/// `StrictJSONDecoder` must give exactly what Foundation's `JSONDecoder` gives: each test decodes
/// with both and compares, and checks which texts it reads itself and which it hands over.
@Suite("StrictJSONDecoder")
struct StrictJSONDecoderTests {
  /// Expects the same value (or a failure from both), and that the text was read directly
  /// (not handed to `JSONDecoder`) exactly when `direct` is true.
  func expectSame<Value: Decodable & Equatable>(
    _ type: Value.Type, _ text: String, direct: Bool = true,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let bytes = Array(text.utf8)
    let foundation = try? JSONDecoder().decode(type, from: Data(bytes))
    let strict = try? StrictJSONDecoder().decode(type, from: bytes)
    #expect(strict == foundation, "\(text)", sourceLocation: sourceLocation)
    let read = StrictJSONDecoder().decodeDirectly(type, from: bytes)
    #expect((read != nil) == direct, "\(text)", sourceLocation: sourceLocation)
    if let read { #expect(read == foundation, sourceLocation: sourceLocation) }
    // What is read directly is what `JSONDecoder` reads too.
    if direct { #expect(foundation != nil, "\(text)", sourceLocation: sourceLocation) }
  }

  struct Address: Codable, Equatable {
    var street: String
    var city: String
    var postalCode: String?
    var lines: [String] = []
  }

  struct Organization: Codable, Equatable {
    var name: String
    var size: Int
    var active: Bool
    var code: UInt16
    var address: Address
    var previous: [Address]
    var note: String?
    var ratio: Double
    var tags: [String: [Int]]
  }

  enum Role: Codable, Equatable {
    case office
    case member(id: String, since: Int)
    case guest(String)
  }

  enum Kind: String, Codable, Equatable { case small, large }

  @Test func objectsArraysAndEnumsAreReadDirectly() {
    let organization = """
      { "tags": {"b": [1, -2], "a": []}, "size": -42, "active": true, "code": 65535,
        "address": {"street": "12 rue Saint-Denis", "city": "Montréal", "lines": []},
        "previous": [{"street": "b", "city": "a", "postalCode": "H2X", "lines": ["x", "y"]}],
        "note": null, "ratio": 0.25, "name": "Accueil/Welcome", "unknown": {"x": [1, {}]} }
      """
    expectSame(Organization.self, organization)
    expectSame([Organization].self, "[\(organization),\(organization)]")
    expectSame(
      [Role].self, #"[{"office":{}},{"member":{"id":"m-1","since":2018}},{"guest":{"_0":"x"}}]"#)
    expectSame([Kind].self, #"["small","large"]"#)
    expectSame([String: Int?].self, #"{"a":1,"b":null}"#)
    expectSame([Int?].self, "[1,null,3]")
    expectSame([[Int]].self, "[[],[1],[2,3]]")
    // A key given twice reads as its first value, in a struct and in a dictionary.
    expectSame([String: Int].self, #"{"a":1,"b":2,"a":3}"#)
    expectSame(Address.self, #"{"street":"s","city":"c","lines":[],"city":"d"}"#)
  }

  @Test func stringsWithEscapesAndUnicode() {
    expectSame(
      [String].self,
      #"["a\"b", "c\\d", "e\/f", "\b\f\n\r\t", "\u00e9\u0041", "\ud834\udd1e", "accentué ✓ 𝄞", ""]"#
    )
    expectSame(String.self, #""\u0000""#)
  }

  @Test func idsAndTimesAreReadFromTheTextWithOrWithoutEscapes() throws {
    let id = try #require(EventID(uuidString: "0151fa7b-dc01-7101-92a7-64fb66abc9cf"))
    let time = try #require(Timestamp(rfc3339: "2016-01-01T00:00:00.000000001Z"))
    // Plain strings are read from the parsed bytes, escaped ones through a String: alike.
    let text = #"""
      ["0151fa7b-dc01-7101-92a7-64fb66abc9cf", "\u0030151fa7b-dc01-7101-92a7-64fb66abc9cf",
       "2016-01-01T00:00:00.000000001Z", "2016-01-01T00:00:00.000000001\u005a",
       "0151fa7b-dc01-7101-92a7-64fb66abc9c", "2016-01-01T00:00:00.Z", 7]
      """#
    let reader = try #require(JSONReader(Array(text.utf8)))
    let nodes = try reader.elements(of: 0)
    #expect(try EventID(json: reader, at: nodes[0]) == id)
    #expect(try EventID(json: reader, at: nodes[1]) == id)
    #expect(try Timestamp(json: reader, at: nodes[2]) == time)
    #expect(try Timestamp(json: reader, at: nodes[3]) == time)
    #expect(throws: (any Error).self) { try EventID(json: reader, at: nodes[4]) }
    #expect(throws: (any Error).self) { try Timestamp(json: reader, at: nodes[5]) }
    #expect(throws: (any Error).self) { try EventID(json: reader, at: nodes[6]) }
    #expect(throws: (any Error).self) { try Timestamp(json: reader, at: nodes[6]) }
  }

  @Test func numbersThatArePlainIntegersOrDoubles() {
    expectSame([Int].self, "[0, -1, 9223372036854775807, -9223372036854775808]")
    expectSame([UInt64].self, "[18446744073709551615, 0]")
    expectSame([Int8].self, "[127, -128]")
    expectSame([Double].self, "[0, -0, 0.0e5, 1.5, -3.75e-2, 1E10, 123456.789, 0.1]")
    // The sign of a zero is kept, as `JSONDecoder` keeps it.
    let zeros = StrictJSONDecoder().decodeDirectly([Double].self, from: Array("[-0, 0]".utf8))
    #expect(zeros?.map(\.sign) == [.minus, .plus])
  }

  @Test func whatJSONDecoderReadsItsOwnWayIsHandedToIt() {
    // Numbers that are not plain integers where an integer is asked for, or do not fit.
    expectSame([Int].self, "[1.0]", direct: false)
    expectSame([Int].self, "[1e2]", direct: false)
    expectSame([Int].self, "[-0]", direct: false)
    expectSame([Int8].self, "[128]", direct: false)
    expectSame([UInt].self, "[-1]", direct: false)
    expectSame([Float].self, "[0.1]", direct: false)
    // Doubles that underflow (`JSONDecoder` refuses the first) or are subnormal, and overflow.
    expectSame([Double].self, "[1e-400]", direct: false)
    expectSame([Double].self, "[5e-324]", direct: false)
    expectSame([Double].self, "[1e400]", direct: false)
    // An escaped key.
    expectSame([String: Int].self, #"{"\u0061":1}"#, direct: false)
    // Types `JSONDecoder` reads its own way.
    expectSame([Date].self, "[12.5]", direct: false)
    expectSame([Data].self, #"["AQL/"]"#, direct: false)
    expectSame([URL].self, #"["https:\/\/example.org"]"#, direct: false)
  }

  @Test func textThatIsNotStrictJSONIsHandedOver() {
    let bad = [
      "", " ", "[1,]", "[01]", "[1.]", "[.5]", "[+1]", "{\"a\":1,}", "[1] x", "{'a':1}",
      "[\"tab\there\"]", "[\"\\x\"]", "[\"\\ud834\"]", "[\"\\u12\"]", "[tru]", "[nul]",
      "{\"a\" 1}", "[1 2]", "[", "[\"open",
    ]
    for text in bad { expectSame([Int].self, text, direct: false) }
    // A bad escape, or half a surrogate pair, where the value is never read: `JSONDecoder`
    // refuses the whole text.
    for extra in [#""\x""#, #""\ud834""#, #""\udd1e""#, #""\u12""#, #""\ud834\u0041""#] {
      expectSame(
        Address.self, #"{"street":"s","city":"c","lines":[],"extra":"# + extra + "}", direct: false)
    }
    expectSame(Address.self, #"{"street":"s","city":"c","lines":[],"extra":"\ud834\udd1e\n"}"#)
    for text in bad { expectSame([String].self, text, direct: false) }
    // Bytes that are not UTF-8.
    let invalid: [UInt8] = [0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D]
    #expect(StrictJSONDecoder().decodeDirectly([String].self, from: invalid) == nil)
    #expect(throws: (any Error).self) {
      try StrictJSONDecoder().decode([String].self, from: invalid)
    }
    // Nesting deeper than 256 levels.
    let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
    #expect(StrictJSONDecoder().decodeDirectly(AnyArray.self, from: Array(deep.utf8)) == nil)
  }

  /// Any nesting of arrays.
  struct AnyArray: Decodable, Equatable {
    init(from decoder: any Decoder) throws {
      var container = try decoder.unkeyedContainer()
      while !container.isAtEnd { _ = try container.decode(AnyArray.self) }
    }
  }

  struct MemberApplied: Codable, Equatable {
    var name: String
    var region: String
  }

  /// The JSON Coding article's sample: what one coder writes, the other reads.
  @Test func theArticlesSampleRoundTrips() throws {
    let event = MemberApplied(name: "FCJ Refugee Centre", region: "Ontario")
    // sample: json-coding
    let json: [UInt8] = try SortedJSONEncoder().encode(event)
    let again = try StrictJSONDecoder().decode(MemberApplied.self, from: json)
    // end sample
    #expect(again == event)
    #expect(
      String(decoding: json, as: UTF8.self) == #"{"name":"FCJ Refugee Centre","region":"Ontario"}"#)
  }

  @Test func aValueWhoseDecodingFailsGetsJSONDecodersError() throws {
    // Missing a required key, and a type mismatch: the error is `JSONDecoder`'s own.
    let text = Array(#"{"street":"s"}"#.utf8)
    #expect(StrictJSONDecoder().decodeDirectly(Address.self, from: text) == nil)
    do {
      _ = try StrictJSONDecoder().decode(Address.self, from: text)
      Issue.record("decoded an address without a city")
    } catch let DecodingError.keyNotFound(key, _) {
      #expect(key.stringValue == "city")
    }
    do {
      _ = try StrictJSONDecoder().decode([Int].self, from: Array(#"["one"]"#.utf8))
      Issue.record("decoded a string as an integer")
    } catch DecodingError.typeMismatch {}
  }
}
