import EventLog
import Testing

/// A kind with raw values, binary-codable without code.
enum Role: String, BinaryCodable, CaseIterable {
  case office, administrator, individual
  /// Longer than the 15 bytes a string holds in itself: read by comparing bytes.
  case volunteerInStaffRole
  /// A text with the character that repairs invalid UTF-8.
  case replaced = "a\u{FFFD}"
}

/// The same texts without `CaseIterable`: read by building the raw value and looking it up.
enum RoleByRawValue: String, BinaryCodable {
  case office, administrator, individual, volunteerInStaffRole
  case replaced = "a\u{FFFD}"
}

/// A payload of nested collections, coded field by field through the conformances alone.
struct Roster: BinaryCodable, Equatable {
  var members: [String: Set<String>]
  var rounds: [[Int]?]
  var limits: [UInt16: [Int8]]
  var roles: [Role]
  var note: String?
  var weight: Float

  init(
    members: [String: Set<String>], rounds: [[Int]?], limits: [UInt16: [Int8]], roles: [Role],
    note: String?, weight: Float
  ) {
    self.members = members
    self.rounds = rounds
    self.limits = limits
    self.roles = roles
    self.note = note
    self.weight = weight
  }

  func encode(to writer: inout BinaryWriter) {
    members.encode(to: &writer)
    rounds.encode(to: &writer)
    limits.encode(to: &writer)
    roles.encode(to: &writer)
    note.encode(to: &writer)
    weight.encode(to: &writer)
  }

  init(from reader: inout BinaryReader) throws {
    let members = try [String: Set<String>](from: &reader)
    let rounds = try [[Int]?](from: &reader)
    let limits = try [UInt16: [Int8]](from: &reader)
    let roles = try [Role](from: &reader)
    let note = try String?(from: &reader)
    let weight = try Float(from: &reader)
    self.init(
      members: members, rounds: rounds, limits: limits, roles: roles, note: note, weight: weight)
  }

  static func random(_ random: inout SplitMix64) -> Roster {
    func word() -> String {
      String(
        (0..<Int.random(in: 0...6, using: &random)).map { _ in
          "aé€z".randomElement(using: &random) ?? "a"
        })
    }
    var members: [String: Set<String>] = [:]
    for _ in 0..<Int.random(in: 0...5, using: &random) {
      members[word()] = Set((0..<Int.random(in: 0...4, using: &random)).map { _ in word() })
    }
    let rounds: [[Int]?] = (0..<Int.random(in: 0...4, using: &random)).map { _ in
      Bool.random(using: &random)
        ? nil
        : (0..<Int.random(in: 0...3, using: &random)).map { _ in
          Int.random(in: .min ... .max, using: &random)
        }
    }
    var limits: [UInt16: [Int8]] = [:]
    for _ in 0..<Int.random(in: 0...3, using: &random) {
      limits[UInt16.random(in: .min ... .max, using: &random)] = (0..<2).map { _ in
        Int8.random(in: .min ... .max, using: &random)
      }
    }
    return Roster(
      members: members, rounds: rounds, limits: limits,
      roles: (0..<Int.random(in: 0...3, using: &random)).map { _ in
        Role.allCases.randomElement(using: &random) ?? .office
      },
      note: Bool.random(using: &random) ? word() : nil,
      weight: Float(bitPattern: UInt32.random(in: 0...0x7F7F_FFFF, using: &random)))
  }
}

@Suite("The binary form of standard values")
struct StandardCodingTests {
  func bytes(_ body: (inout BinaryWriter) -> Void) -> [UInt8] {
    var writer = BinaryWriter()
    body(&writer)
    return writer.bytes
  }

  func decoded<T: BinaryDecodable>(_ bytes: [UInt8], as _: T.Type) throws -> T {
    try bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      let value = try T(from: &reader)
      #expect(reader.isAtEnd, "bytes left after \(T.self)")
      return value
    }
  }

  @Test("a conformance writes exactly what the writer's own method writes")
  func sameBytesAsTheWriterMethods() {
    var random = SplitMix64(seed: 21)
    for _ in 0..<200 {
      let strings = (0..<Int.random(in: 0...5, using: &random)).map { _ in
        String(UInt64.random(in: 0...UInt64.max, using: &random), radix: 36)
      }
      let numbers = strings.map { $0.count - 3 }
      let set = Set(strings)
      let dictionary = Dictionary(zip(strings, numbers), uniquingKeysWith: { first, _ in first })
      let optional = strings.first
      #expect(bytes { strings.encode(to: &$0) } == bytes { $0.write(strings) })
      #expect(bytes { numbers.encode(to: &$0) } == bytes { $0.write(numbers) })
      #expect(bytes { set.encode(to: &$0) } == bytes { $0.write(set) })
      #expect(bytes { dictionary.encode(to: &$0) } == bytes { $0.write(dictionary) })
      #expect(bytes { optional.encode(to: &$0) } == bytes { $0.write(optional) })
      let wide = UInt64.random(in: 0...UInt64.max, using: &random)
      #expect(bytes { wide.encode(to: &$0) } == bytes { $0.write(wide) })
      let signed = Int64.random(in: .min ... .max, using: &random)
      #expect(bytes { signed.encode(to: &$0) } == bytes { $0.write(Int(signed)) })
    }
  }

  @Test("nested collections, optionals, narrow integers and raw-value enums round-trip")
  func nestedValuesRoundTrip() throws {
    var random = SplitMix64(seed: 5)
    for _ in 0..<500 {
      let roster = Roster.random(&random)
      let encoded = bytes { roster.encode(to: &$0) }
      #expect(try decoded(encoded, as: Roster.self) == roster)
      // Equal values give equal bytes, whatever order their sets and dictionaries hold.
      let copy = try decoded(encoded, as: Roster.self)
      #expect(bytes { copy.encode(to: &$0) } == encoded)
    }
  }

  @Test("a raw value that names no case is refused, saying which type and where")
  func unknownRawValue() throws {
    let encoded = bytes { [Role.office, Role.individual].encode(to: &$0) }
    let damaged = encoded.replacing(Array("individual".utf8), with: Array("individuaL".utf8))
    let error = try #require(throws: BinaryDecodingError.self) {
      _ = try decoded(damaged, as: [Role].self)
    }
    #expect(error.reason.contains("Role"))
    #expect(error.reason.contains("individuaL"))
    #expect(error.offset == 8)
  }

  @Test("an enum read by matching its cases' text reads what a raw-value lookup reads")
  func caseIterableTextEnumsMatchTheRawValueReading() throws {
    for role in Role.allCases {
      let encoded = bytes { role.encode(to: &$0) }
      #expect(encoded == bytes { $0.write(role.rawValue) })
      #expect(try decoded(encoded, as: Role.self) == role)
      #expect(try decoded(encoded, as: RoleByRawValue.self).rawValue == role.rawValue)
    }
    // Texts that share a prefix or a length with a case, or differ only in case or accent.
    for text in ["", "offic", "officer", "Office", "officé", "individua\u{0}", "administratoR"] {
      let encoded = bytes { $0.write(text) }
      let matched = try #require(throws: BinaryDecodingError.self) {
        _ = try decoded(encoded, as: Role.self)
      }
      let lookedUp = try #require(throws: BinaryDecodingError.self) {
        _ = try decoded(encoded, as: RoleByRawValue.self)
      }
      #expect(matched.offset == 0 && lookedUp.offset == 0)
      #expect(matched.reason.contains("Role") && matched.reason.hasSuffix(text))
    }
    // Invalid UTF-8 that repairs to a case's text, as long as it: refused, not repaired.
    let invalid = bytes { $0.write(bytes: [0x61, 0xF0, 0x9F, 0x98]) }
    #expect(try decoded(invalid, as: RoleByRawValue.self) == .replaced)
    #expect(throws: BinaryDecodingError.self) { _ = try decoded(invalid, as: Role.self) }
    for text in ["volunteerInStaffRolf", "volunteerInStaffRole "] {
      #expect(throws: BinaryDecodingError.self) {
        _ = try decoded(bytes { $0.write(text) }, as: Role.self)
      }
    }
  }

  @Test("integers that do not fit their type, and bad presence bytes, are refused")
  func narrowIntegersAndPresenceBytes() throws {
    #expect(throws: BinaryDecodingError.self) {
      _ = try decoded(bytes { $0.writeVariableLength(UInt64(70_000)) }, as: UInt16.self)
    }
    #expect(throws: BinaryDecodingError.self) {
      _ = try decoded(bytes { $0.write(Int(-129)) }, as: Int8.self)
    }
    #expect(throws: BinaryDecodingError.self) {
      _ = try decoded(
        bytes {
          $0.writeByte(UInt8(1))
          $0.writeZigZag(Int64(1) << 33)
        }, as: Int32?.self)
    }
    #expect(try decoded(bytes { $0.write(Int(-128)) }, as: Int8.self) == -128)
    #expect(throws: BinaryDecodingError.self) { _ = try decoded([2, 0], as: Int?.self) }
    // A count larger than the bytes left is refused before anything is reserved.
    #expect(throws: BinaryDecodingError.self) {
      _ = try decoded(
        bytes { $0.writeVariableLength(UInt64(1) << 40) }, as: [String: Set<String>].self)
    }
  }
}
