import Foundation

/// Reads `Decodable` values from JSON, giving exactly what Foundation's `JSONDecoder` gives, in
/// about half its time on plain JSON.
///
/// The text is parsed once into a flat list of its values, and the value's `init(from:)` reads
/// from that list. A key given twice reads as its first value, as with `JSONDecoder`. Whatever
/// this decoder does not follow itself goes to `JSONDecoder`, so results and errors are always
/// `JSONDecoder`'s: text that is not strict JSON, an escaped key, a number that is not a plain
/// integer where an integer is asked for, a double that overflows, underflows or is subnormal,
/// a `Float`, `Date`, `Data`, `URL` or `Decimal`, and any
/// error the value's own decoding throws.
///
/// ```swift
/// let event = try StrictJSONDecoder().decode(MemberApplied.self, from: bytes)
/// ```
public struct StrictJSONDecoder: Sendable {
  /// Creates a decoder.
  public init() {}

  /// The value of type `Value` that `bytes` hold.
  ///
  /// - Throws: what `JSONDecoder` throws for the same bytes.
  public func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
    if let value = decodeDirectly(type, from: bytes) { return value }
    return try JSONDecoder().decode(type, from: Data(bytes))
  }

  /// The value read without `JSONDecoder`; `nil` when the bytes or the value need it.
  func decodeDirectly<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) -> Value? {
    guard let tape = JSONTape(bytes) else { return nil }
    if let readable = Value.self as? any JSONReadable.Type {
      return (try? readable.init(json: JSONReader(tape: tape), at: 0)) as? Value
    }
    if Self.leavesToFoundation(type) { return nil }
    return try? Value(from: JSONTapeDecoder(tape: tape, node: 0))
  }

  /// Whether `type` is one that Foundation decodes its own way, which this decoder leaves to it.
  static func leavesToFoundation(_ type: Any.Type) -> Bool {
    type == Date.self || type == Data.self || type == URL.self || type == Decimal.self
      || type == Float.self
  }
}

/// What the tape decoder does not follow itself: the caller asks `JSONDecoder`.
@usableFromInline struct JSONNotFollowed: Error {
  @usableFromInline init() {}
}

/// A JSON text parsed into a flat list of its values, in document order; an object's members
/// follow it as key and value, an array's elements follow it.
final class JSONTape {
  enum Kind: UInt8 { case object, array, string, escapedString, number, `true`, `false`, null }

  struct Node {
    var kind: Kind
    /// A string's or number's bytes (a string's without its quotes).
    var start: Int32
    var end: Int32
    /// The node after this value and everything in it.
    var next: Int32
    /// An object's members, an array's elements.
    var count: Int32
  }

  @exclusivity(unchecked) var nodes: [Node] = []
  let bytes: [UInt8]
  /// How many values a ``JSONReader`` read through `Decodable`.
  var decodableFallbacks = 0

  /// Parses strict JSON (RFC 8259, UTF-8, at most 256 levels deep); `nil` for anything else.
  init?(_ bytes: [UInt8]) {
    self.bytes = bytes
    nodes.reserveCapacity(64)
    guard bytes.count < Int(Int32.max) else { return nil }
    let parsed = bytes.withUnsafeBufferPointer { buffer -> Bool in
      var parser = Parser(bytes: buffer, tape: self)
      guard parser.value(depth: 0) else { return false }
      parser.skipSpace()
      return parser.index == buffer.count
    }
    guard parsed else { return nil }
  }

  struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    let tape: JSONTape
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, tape: JSONTape) {
      self.bytes = bytes
      self.tape = tape
    }

    mutating func skipSpace() {
      while index < bytes.count {
        switch bytes[index] {
        case 0x20, 0x09, 0x0A, 0x0D: index += 1
        default: return
        }
      }
    }

    mutating func add(_ kind: Kind, _ start: Int, _ end: Int) -> Int {
      tape.nodes.append(
        Node(
          kind: kind, start: Int32(start), end: Int32(end), next: Int32(tape.nodes.count + 1),
          count: 0))
      return tape.nodes.count - 1
    }

    mutating func literal(_ text: StaticString, _ kind: Kind) -> Bool {
      let count = text.utf8CodeUnitCount
      guard bytes.count - index >= count else { return false }
      for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] {
        return false
      }
      _ = add(kind, index, index + count)
      index += count
      return true
    }

    mutating func value(depth: Int) -> Bool {
      skipSpace()
      guard index < bytes.count, depth < 256 else { return false }
      switch bytes[index] {
      case UInt8(ascii: "{"): return container(isObject: true, depth: depth)
      case UInt8(ascii: "["): return container(isObject: false, depth: depth)
      case UInt8(ascii: "\""): return string()
      case UInt8(ascii: "t"): return literal("true", .true)
      case UInt8(ascii: "f"): return literal("false", .false)
      case UInt8(ascii: "n"): return literal("null", .null)
      default: return number()
      }
    }

    mutating func container(isObject: Bool, depth: Int) -> Bool {
      let node = add(isObject ? .object : .array, index, index)
      index += 1
      var count: Int32 = 0
      skipSpace()
      let closing = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
      if index < bytes.count, bytes[index] == closing {
        index += 1
      } else {
        while true {
          if isObject {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), string() else {
              return false
            }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
          }
          guard value(depth: depth + 1) else { return false }
          count += 1
          skipSpace()
          guard index < bytes.count else { return false }
          if bytes[index] == UInt8(ascii: ",") {
            index += 1
            continue
          }
          guard bytes[index] == closing else { return false }
          index += 1
          break
        }
      }
      tape.nodes[node].count = count
      tape.nodes[node].next = Int32(tape.nodes.count)
      return true
    }

    /// A string: its bytes must be valid UTF-8 without control characters; escapes are
    /// checked when the string is read.
    mutating func string() -> Bool {
      index += 1
      let start = index
      var escaped = false
      var ascii = true
      while index < bytes.count {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\"") {
          if !ascii {
            guard
              String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                != nil
            else { return false }
          }
          _ = add(escaped ? .escapedString : .string, start, index)
          index += 1
          return true
        }
        if byte < 0x20 { return false }
        if byte >= 0x80 { ascii = false }
        if byte == UInt8(ascii: "\\") {
          // Checked here even when the string is never read: `JSONDecoder` refuses the whole
          // text for a bad escape anywhere in it.
          guard escape() else { return false }
          escaped = true
          continue
        }
        index += 1
      }
      return false
    }

    /// Moves past the escape at `index` (its backslash); `false` when it is not one JSON allows,
    /// or is half of a surrogate pair.
    mutating func escape() -> Bool {
      guard index + 1 < bytes.count else { return false }
      switch bytes[index + 1] {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
        index += 2
        return true
      case UInt8(ascii: "u"):
        guard let unit = unicodeEscape(at: index) else { return false }
        index += 6
        if (0xDC00..<0xE000).contains(unit) { return false }
        guard (0xD800..<0xDC00).contains(unit) else { return true }
        guard let low = unicodeEscape(at: index), (0xDC00..<0xE000).contains(low) else {
          return false
        }
        index += 6
        return true
      default:
        return false
      }
    }

    /// The code unit of the `\uXXXX` escape at `start`, if there is one.
    func unicodeEscape(at start: Int) -> UInt32? { JSONTape.unicodeEscape(in: bytes, at: start) }

    mutating func number() -> Bool {
      let start = index
      func digits() -> Int {
        let first = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"),
          bytes[index] <= UInt8(ascii: "9")
        {
          index += 1
        }
        return index - first
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
      let integerStart = index
      let integerDigits = digits()
      guard integerDigits > 0 else { return false }
      if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") { return false }
      if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        guard digits() > 0 else { return false }
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")
      {
        index += 1
        if index < bytes.count,
          bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
        {
          index += 1
        }
        guard digits() > 0 else { return false }
      }
      _ = add(.number, start, index)
      return true
    }
  }

  /// The code unit of the `\uXXXX` escape at `start` in `bytes`, if there is one: what the
  /// parse checks, and what reading an escaped string decodes.
  static func unicodeEscape<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, at start: Int)
    -> UInt32? where Bytes.Index == Int
  {
    guard start >= bytes.startIndex, bytes.endIndex - start >= 6,
      bytes[start] == UInt8(ascii: "\\"), bytes[start + 1] == UInt8(ascii: "u")
    else { return nil }
    var value: UInt32 = 0
    for byte in bytes[(start + 2)..<(start + 6)] {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(byte - 48)
      case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt32(byte - 87)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt32(byte - 55)
      default: return nil
      }
    }
    return value
  }

  // MARK: Reading values

  /// Whether the key node `node` (a plain string) has the bytes of `key`.
  func key(_ node: Int, is key: String) -> Bool {
    let found = nodes[node]
    guard found.kind == .string else { return false }
    var key = key
    return key.withUTF8 { utf8 in
      let count = Int(found.end - found.start)
      guard utf8.count == count else { return false }
      return bytes.withUnsafeBufferPointer { buffer in
        guard count > 0, let keyBase = utf8.baseAddress, let base = buffer.baseAddress else {
          return true
        }
        return memcmp(keyBase, base + Int(found.start), count) == 0
      }
    }
  }

  /// Checks that `node` is an object whose keys are all plain (unescaped) strings: an escaped
  /// key would be matched by its unescaped text, which is left to `JSONDecoder`.
  func checkObject(_ node: Int) throws {
    guard nodes[node].kind == .object else { throw JSONNotFollowed() }
    var child = node + 1
    for _ in 0..<nodes[node].count {
      guard nodes[child].kind == .string else { throw JSONNotFollowed() }
      child = Int(nodes[child + 1].next)
    }
  }

  /// The value node of the first member of object `node` whose key is `key` (a key given twice
  /// reads as its first value, as `JSONDecoder` reads it); `nil` when there is none.
  func member(_ key: String, of node: Int) -> Int? {
    var child = node + 1
    for _ in 0..<nodes[node].count {
      if self.key(child, is: key) { return child + 1 }
      child = Int(nodes[child + 1].next)
    }
    return nil
  }

  /// The keys of object `node`, each once, in the order they are written.
  func keys(of node: Int) -> [String] {
    var keys: [String] = []
    var child = node + 1
    for _ in 0..<nodes[node].count {
      if let key = try? string(child), !keys.contains(key) { keys.append(key) }
      child = Int(nodes[child + 1].next)
    }
    return keys
  }

  /// `body` called with the bytes of string `node` when it has no escape (between its quotes,
  /// as they are in the text); `nil` for an escaped string or another kind of node.
  func withPlainString<Result>(
    _ node: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result?
  ) -> Result? {
    let found = nodes[node]
    guard found.kind == .string else { return nil }
    return bytes.withUnsafeBufferPointer { buffer in
      body(UnsafeBufferPointer(rebasing: buffer[Int(found.start)..<Int(found.end)]))
    }
  }

  /// The text of a plain string node.
  func string(_ node: Int) throws -> String {
    let found = nodes[node]
    switch found.kind {
    case .string:
      return bytes.withUnsafeBufferPointer { buffer in
        String(decoding: buffer[Int(found.start)..<Int(found.end)], as: UTF8.self)
      }
    case .escapedString: return try unescape(found)
    default: throw JSONNotFollowed()
    }
  }

  private func unescape(_ node: Node) throws -> String {
    var output: [UInt8] = []
    output.reserveCapacity(Int(node.end - node.start))
    var index = Int(node.start)
    let end = Int(node.end)
    while index < end {
      let byte = bytes[index]
      index += 1
      guard byte == UInt8(ascii: "\\") else {
        output.append(byte)
        continue
      }
      guard index < end else { throw JSONNotFollowed() }
      let escape = bytes[index]
      index += 1
      switch escape {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
      case UInt8(ascii: "b"): output.append(0x08)
      case UInt8(ascii: "f"): output.append(0x0C)
      case UInt8(ascii: "n"): output.append(0x0A)
      case UInt8(ascii: "r"): output.append(0x0D)
      case UInt8(ascii: "t"): output.append(0x09)
      case UInt8(ascii: "u"):
        // The parse checked every escape (surrogates in pairs); read here by the same reader.
        guard var scalar = Self.unicodeEscape(in: bytes[..<end], at: index - 2) else {
          throw JSONNotFollowed()
        }
        index += 4
        if (0xD800..<0xDC00).contains(scalar) {
          guard let low = Self.unicodeEscape(in: bytes[..<end], at: index),
            (0xDC00..<0xE000).contains(low)
          else { throw JSONNotFollowed() }
          index += 6
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw JSONNotFollowed() }
        output.append(contentsOf: String(Character(unicode)).utf8)
      default: throw JSONNotFollowed()
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// A number node that is a plain integer (no fraction or exponent) fitting `Integer`.
  func integer<Integer: FixedWidthInteger>(_ node: Int, as type: Integer.Type) throws -> Integer {
    guard let (negative, magnitude) = integerParts(node) else { throw JSONNotFollowed() }
    return try JSONReader.integer(negative: negative, magnitude: magnitude, as: type)
  }

  /// The sign and the magnitude of a number written as a plain integer whose magnitude fits
  /// 64 bits; `nil` for anything else (a fraction, an exponent), which is left to
  /// `JSONDecoder`.
  func integerParts(_ node: Int) -> (negative: Bool, magnitude: UInt64)? {
    let found = nodes[node]
    guard found.kind == .number else { return nil }
    return bytes.withUnsafeBufferPointer { buffer -> (Bool, UInt64)? in
      var index = Int(found.start)
      let end = Int(found.end)
      guard index < end else { return nil }
      let negative = buffer[index] == UInt8(ascii: "-")
      if negative { index += 1 }
      guard index < end else { return nil }
      var magnitude: UInt64 = 0
      while index < end {
        let digit = buffer[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
        let (next, overflowAdd) = times.addingReportingOverflow(UInt64(digit))
        guard !overflowTimes, !overflowAdd else { return nil }
        magnitude = next
        index += 1
      }
      return (negative, magnitude)
    }
  }

  func double(_ node: Int) throws -> Double {
    let found = nodes[node]
    guard found.kind == .number else { throw JSONNotFollowed() }
    let text = bytes.withUnsafeBufferPointer { buffer in
      String(decoding: buffer[Int(found.start)..<Int(found.end)], as: UTF8.self)
    }
    guard let value = Double(text), value.isFinite else { throw JSONNotFollowed() }
    // A text that underflows to zero, or to a subnormal, is left to `JSONDecoder` (which
    // refuses some); a zero written as zero is read here.
    if value == 0 || value.isSubnormal {
      let digits = text.utf8.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
      guard value == 0,
        digits.allSatisfy({
          $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        })
      else { throw JSONNotFollowed() }
    }
    return value
  }

  func bool(_ node: Int) throws -> Bool {
    switch nodes[node].kind {
    case .true: return true
    case .false: return false
    default: throw JSONNotFollowed()
    }
  }
}

/// The `Decoder` a value reads itself from: one node of a tape.
struct JSONTapeDecoder: Decoder {
  let tape: JSONTape
  let node: Int

  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    try tape.checkObject(node)
    return KeyedDecodingContainer(JSONTapeKeyedContainer<Key>(tape: tape, object: node))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard tape.nodes[node].kind == .array else { throw JSONNotFollowed() }
    return JSONTapeUnkeyedContainer(tape: tape, array: node)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer {
    JSONTapeSingleValueContainer(tape: tape, node: node)
  }

  /// A value of any type, read from `node`.
  static func decode<Value: Decodable>(_ type: Value.Type, tape: JSONTape, node: Int) throws
    -> Value
  {
    if Value.self == Date.self || Value.self == Data.self || Value.self == URL.self
      || Value.self == Decimal.self || Value.self == Float.self
    {
      throw JSONNotFollowed()
    }
    return try Value(from: JSONTapeDecoder(tape: tape, node: node))
  }
}

struct JSONTapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let tape: JSONTape
  let object: Int

  var codingPath: [any CodingKey] { [] }

  var allKeys: [Key] { tape.keys(of: object).compactMap { Key(stringValue: $0) } }

  /// The value node of `key`.
  private func value(_ key: Key) throws -> Int {
    guard let node = tape.member(key.stringValue, of: object) else { throw JSONNotFollowed() }
    return node
  }

  func contains(_ key: Key) -> Bool { (try? value(key)) != nil }

  func decodeNil(forKey key: Key) throws -> Bool { tape.nodes[try value(key)].kind == .null }
  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try tape.bool(value(key)) }
  func decode(_ type: String.Type, forKey key: Key) throws -> String {
    try tape.string(value(key))
  }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
    try tape.double(value(key))
  }
  func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw JSONNotFollowed() }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
    try tape.integer(value(key), as: type)
  }
  func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
    try tape.integer(value(key), as: type)
  }
  func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
    try JSONTapeDecoder.decode(type, tape: tape, node: value(key))
  }

  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key)
    throws -> KeyedDecodingContainer<NestedKey>
  {
    try JSONTapeDecoder(tape: tape, node: value(key)).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try JSONTapeDecoder(tape: tape, node: value(key)).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder { throw JSONNotFollowed() }
  func superDecoder(forKey key: Key) throws -> any Decoder {
    JSONTapeDecoder(tape: tape, node: try value(key))
  }
}

struct JSONTapeUnkeyedContainer: UnkeyedDecodingContainer {
  let tape: JSONTape
  let array: Int
  /// The node of the next element.
  var next: Int
  var currentIndex = 0

  init(tape: JSONTape, array: Int) {
    self.tape = tape
    self.array = array
    self.next = array + 1
  }

  var codingPath: [any CodingKey] { [] }
  var count: Int? { Int(tape.nodes[array].count) }
  var isAtEnd: Bool { currentIndex >= Int(tape.nodes[array].count) }

  /// The next element's node; moves past it.
  private mutating func element() throws -> Int {
    guard !isAtEnd else { throw JSONNotFollowed() }
    let node = next
    next = Int(tape.nodes[node].next)
    currentIndex += 1
    return node
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd else { throw JSONNotFollowed() }
    guard tape.nodes[next].kind == .null else { return false }
    _ = try element()
    return true
  }

  mutating func decode(_ type: Bool.Type) throws -> Bool { try tape.bool(element()) }
  mutating func decode(_ type: String.Type) throws -> String { try tape.string(element()) }
  mutating func decode(_ type: Double.Type) throws -> Double { try tape.double(element()) }
  mutating func decode(_ type: Float.Type) throws -> Float { throw JSONNotFollowed() }
  mutating func decode(_ type: Int.Type) throws -> Int { try tape.integer(element(), as: type) }
  mutating func decode(_ type: Int8.Type) throws -> Int8 { try tape.integer(element(), as: type) }
  mutating func decode(_ type: Int16.Type) throws -> Int16 {
    try tape.integer(element(), as: type)
  }
  mutating func decode(_ type: Int32.Type) throws -> Int32 {
    try tape.integer(element(), as: type)
  }
  mutating func decode(_ type: Int64.Type) throws -> Int64 {
    try tape.integer(element(), as: type)
  }
  mutating func decode(_ type: UInt.Type) throws -> UInt { try tape.integer(element(), as: type) }
  mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
    try tape.integer(element(), as: type)
  }
  mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
    try tape.integer(element(), as: type)
  }
  mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
    try tape.integer(element(), as: type)
  }
  mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
    try tape.integer(element(), as: type)
  }
  mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
    try JSONTapeDecoder.decode(type, tape: tape, node: element())
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try JSONTapeDecoder(tape: tape, node: element()).container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try JSONTapeDecoder(tape: tape, node: element()).unkeyedContainer()
  }

  mutating func superDecoder() throws -> any Decoder {
    JSONTapeDecoder(tape: tape, node: try element())
  }
}

struct JSONTapeSingleValueContainer: SingleValueDecodingContainer {
  let tape: JSONTape
  let node: Int

  var codingPath: [any CodingKey] { [] }

  func decodeNil() -> Bool { tape.nodes[node].kind == .null }
  func decode(_ type: Bool.Type) throws -> Bool { try tape.bool(node) }
  func decode(_ type: String.Type) throws -> String { try tape.string(node) }
  func decode(_ type: Double.Type) throws -> Double { try tape.double(node) }
  func decode(_ type: Float.Type) throws -> Float { throw JSONNotFollowed() }
  func decode(_ type: Int.Type) throws -> Int { try tape.integer(node, as: type) }
  func decode(_ type: Int8.Type) throws -> Int8 { try tape.integer(node, as: type) }
  func decode(_ type: Int16.Type) throws -> Int16 { try tape.integer(node, as: type) }
  func decode(_ type: Int32.Type) throws -> Int32 { try tape.integer(node, as: type) }
  func decode(_ type: Int64.Type) throws -> Int64 { try tape.integer(node, as: type) }
  func decode(_ type: UInt.Type) throws -> UInt { try tape.integer(node, as: type) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try tape.integer(node, as: type) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try tape.integer(node, as: type) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try tape.integer(node, as: type) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try tape.integer(node, as: type) }
  func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
    try JSONTapeDecoder.decode(type, tape: tape, node: node)
  }
}
