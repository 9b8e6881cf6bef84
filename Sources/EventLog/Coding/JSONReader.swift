import Foundation

/// A type that reads itself from parsed JSON: the value its `Decodable` conformance reads, as
/// Foundation's `JSONDecoder` reads it, without going through `Decoder`.
///
/// ``BinaryCodable()`` and ``BinaryEvent(version:)`` (in `EventLogMacros`) write
/// ``init(json:at:)`` for a struct from its stored properties, as Swift's synthesized
/// `Decodable` would read them: every property by its name, an optional one `nil` when its key
/// is missing or `null`, a constant with an initial value not read. A struct that declares its
/// own `init(from:)` or `CodingKeys` gets no generated reader.
///
/// A reader never guesses: whatever it does not follow (a missing key, a value of another kind,
/// a number that is not a plain integer, an escaped key) makes it throw, and
/// ``StrictJSONDecoder`` then asks `JSONDecoder`, whose value or error the caller gets.
public protocol JSONReadable {
  /// Reads the value at `node` of `reader`'s parsed text.
  init(json reader: JSONReader, at node: Int) throws
}

/// Parsed JSON that ``JSONReadable`` values (and the readers the coding macros generate) read
/// from: its values are numbered in document order, the whole text being node 0.
public struct JSONReader {
  /// What a reader does not follow itself: ``StrictJSONDecoder`` asks `JSONDecoder`.
  public struct NotFollowed: Error {
    /// Creates the error.
    public init() {}
  }

  let tape: JSONTape

  /// Parses `bytes` as strict JSON (RFC 8259, UTF-8, at most 256 levels deep); `nil` for
  /// anything else.
  public init?(_ bytes: [UInt8]) {
    guard let tape = JSONTape(bytes) else { return nil }
    self.tape = tape
  }

  init(tape: JSONTape) { self.tape = tape }

  /// How many values were read through `Decodable`: what the tests read to see that a type is
  /// read without it.
  package var decodableFallbacks: Int { tape.decodableFallbacks }

  /// Checks that `node` is an object whose keys are plain (unescaped) strings.
  public func object(_ node: Int) throws { try tape.checkObject(node) }

  /// The value node of the first member of object `node` whose key is `key`.
  ///
  /// - Throws: when there is none (which `JSONDecoder` reports with its own words).
  public func member(_ key: StaticString, of node: Int) throws -> Int {
    guard let found = tape.member(key, of: node) else { throw JSONNotFollowed() }
    return found
  }

  /// The value node of the first member of object `node` whose key is `key`; `nil` when there
  /// is none or its value is `null`, as `decodeIfPresent` reads it.
  public func optionalMember(_ key: StaticString, of node: Int) -> Int? {
    guard let found = tape.member(key, of: node), tape.nodes[found].kind != .null else {
      return nil
    }
    return found
  }

  /// Whether object `node` has a member whose key is `key`, whatever its value.
  public func contains(_ key: StaticString, in node: Int) -> Bool {
    tape.member(key, of: node) != nil
  }

  /// Whether `node` is `null`.
  public func isNull(_ node: Int) -> Bool { tape.nodes[node].kind == .null }

  /// The element nodes of array `node`, in order.
  public func elements(of node: Int) throws -> [Int] {
    guard tape.nodes[node].kind == .array else { throw JSONNotFollowed() }
    var elements: [Int] = []
    elements.reserveCapacity(Int(tape.nodes[node].count))
    var child = node + 1
    for _ in 0..<tape.nodes[node].count {
      elements.append(child)
      child = Int(tape.nodes[child].next)
    }
    return elements
  }

  /// The members of object `node`: each key's text and its value node, in order (a key given
  /// twice appears twice).
  ///
  /// - Throws: when `node` is not an object or a key is escaped.
  public func members(of node: Int) throws -> [(key: String, value: Int)] {
    try tape.checkObject(node)
    var members: [(key: String, value: Int)] = []
    members.reserveCapacity(Int(tape.nodes[node].count))
    var child = node + 1
    for _ in 0..<tape.nodes[node].count {
      members.append((try tape.string(child), child + 1))
      child = Int(tape.nodes[child + 1].next)
    }
    return members
  }

  /// The text of string `node`.
  public func string(at node: Int) throws -> String { try tape.string(node) }

  /// The integer at `node`, written as a plain integer that fits `Integer`.
  ///
  /// Inlinable, so that it is specialized for `Integer` where a reader calls it: the digits
  /// are read without generics (``integerParts(at:)``), and only the result is converted.
  @inlinable
  public func integer<Integer: FixedWidthInteger>(_ type: Integer.Type, at node: Int) throws
    -> Integer
  {
    guard let (negative, magnitude) = integerParts(at: node) else { throw JSONNotFollowed() }
    return try Self.integer(negative: negative, magnitude: magnitude, as: type)
  }

  /// The integer of that sign and magnitude, when `Integer` holds it (`-0` is left to
  /// `JSONDecoder`).
  @inlinable
  static func integer<Integer: FixedWidthInteger>(
    negative: Bool, magnitude: UInt64, as type: Integer.Type
  ) throws -> Integer {
    if !negative {
      guard let value = Integer(exactly: magnitude) else { throw JSONNotFollowed() }
      return value
    }
    // `-0` is left to `JSONDecoder`.
    guard magnitude != 0, magnitude <= UInt64(Int64.max) + 1 else { throw JSONNotFollowed() }
    let signed = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
    guard let value = Integer(exactly: signed) else { throw JSONNotFollowed() }
    return value
  }

  /// The sign and magnitude of the number at `node` when it is written as a plain integer
  /// whose magnitude fits 64 bits; `nil` for anything else.
  @usableFromInline func integerParts(at node: Int) -> (negative: Bool, magnitude: UInt64)? {
    tape.integerParts(node)
  }

  /// `true` or `false`.
  public func bool(at node: Int) throws -> Bool { try tape.bool(node) }

  /// Reads a value that reads itself.
  @inlinable public func value<Value: JSONReadable>(_ type: Value.Type, at node: Int) throws
    -> Value
  {
    try Value(json: self, at: node)
  }

  /// Reads a value that reads itself (and is also `Decodable`, which it does not need).
  @inlinable public func value<Value: JSONReadable & Decodable>(
    _ type: Value.Type, at node: Int
  ) throws -> Value {
    try Value(json: self, at: node)
  }

  /// Reads a value that is only `Decodable`, through its `init(from:)`.
  public func value<Value: Decodable>(_ type: Value.Type, at node: Int) throws -> Value {
    if StrictJSONDecoder.leavesToFoundation(type) { throw JSONNotFollowed() }
    tape.decodableFallbacks += 1
    return try JSONTapeDecoder.decode(type, tape: tape, node: node)
  }

  /// A value with no JSON form.
  ///
  /// - Throws: always.
  public func value<Value>(_ type: Value.Type, at node: Int) throws -> Value {
    throw JSONNotFollowed()
  }
}

// MARK: - Walking a whole value

extension JSONReader {
  /// What a node holds, for a walk over a whole value (see ``forEachMember(of:_:)``).
  package enum NodeKind: Sendable {
    case object, array, string, number, `true`, `false`, null
  }

  /// What `node` holds.
  package func kind(of node: Int) -> NodeKind {
    switch tape.nodes[node].kind {
    case .object: return .object
    case .array: return .array
    case .string, .escapedString: return .string
    case .number: return .number
    case .true: return .true
    case .false: return .false
    case .null: return .null
    }
  }

  /// Calls `body` with the key node and the value node of each member of object `node`, in
  /// order; `false` (and no more calls) when a key is escaped, which a caller matching keys by
  /// their bytes cannot match.
  package func forEachMember(of node: Int, _ body: (_ key: Int, _ value: Int) -> Void) -> Bool {
    var child = node + 1
    for _ in 0..<tape.nodes[node].count {
      guard tape.nodes[child].kind == .string else { return false }
      body(child, child + 1)
      child = Int(tape.nodes[child + 1].next)
    }
    return true
  }

  /// Calls `body` with each element node of array `node`, in order.
  package func forEachElement(of node: Int, _ body: (Int) -> Void) {
    var child = node + 1
    for _ in 0..<tape.nodes[node].count {
      body(child)
      child = Int(tape.nodes[child].next)
    }
  }

  /// Whether key node `node` (a plain string) has the bytes of `key`.
  package func key(_ node: Int, is key: StaticString) -> Bool { tape.key(node, is: key) }
}

extension JSONTape {
  /// The value node of the first member of object `node` whose key has the bytes of `key`.
  func member(_ key: StaticString, of node: Int) -> Int? {
    var child = node + 1
    for _ in 0..<nodes[node].count {
      if self.key(child, is: key) { return child + 1 }
      child = Int(nodes[child + 1].next)
    }
    return nil
  }

  /// Whether key node `node` is a plain string with the bytes of `key`.
  @inline(__always)
  func key(_ node: Int, is key: StaticString) -> Bool {
    let found = nodes[node]
    let count = key.utf8CodeUnitCount
    guard found.kind == .string, Int(found.end - found.start) == count else { return false }
    guard count > 0 else { return true }
    return bytes.withUnsafeBufferPointer { buffer in
      buffer.baseAddress.map { memcmp(key.utf8Start, $0 + Int(found.start), count) == 0 } ?? false
    }
  }
}

// MARK: - The standard types

extension String: JSONReadable {
  /// Reads a string.
  public init(json reader: JSONReader, at node: Int) throws { self = try reader.string(at: node) }
}

extension Bool: JSONReadable {
  /// Reads `true` or `false`.
  public init(json reader: JSONReader, at node: Int) throws { self = try reader.bool(at: node) }
}

extension JSONReadable where Self: FixedWidthInteger {
  /// Reads a plain integer that fits the type.
  @inlinable public init(json reader: JSONReader, at node: Int) throws {
    self = try reader.integer(Self.self, at: node)
  }
}

extension Int: JSONReadable {}
extension Int64: JSONReadable {}
extension Int32: JSONReadable {}
extension UInt: JSONReadable {}
extension UInt64: JSONReadable {}
extension UInt32: JSONReadable {}
extension UInt16: JSONReadable {}
extension UInt8: JSONReadable {}

extension Optional: JSONReadable where Wrapped: JSONReadable {
  /// Reads `null` as `nil`, anything else as the value.
  @inlinable public init(json reader: JSONReader, at node: Int) throws {
    self = reader.isNull(node) ? nil : try Wrapped(json: reader, at: node)
  }
}

extension Array: JSONReadable where Element: JSONReadable {
  /// Reads the elements of an array.
  @inlinable public init(json reader: JSONReader, at node: Int) throws {
    var elements: [Element] = []
    for child in try reader.elements(of: node) {
      elements.append(try Element(json: reader, at: child))
    }
    self = elements
  }
}

extension Set: JSONReadable where Element: JSONReadable {
  /// Reads the elements of an array.
  @inlinable public init(json reader: JSONReader, at node: Int) throws {
    self = Set(try [Element](json: reader, at: node))
  }
}

extension Dictionary: JSONReadable where Key == String, Value: JSONReadable {
  /// Reads an object's members; a key given twice reads as its first value, as
  /// `JSONDecoder` reads it.
  @inlinable public init(json reader: JSONReader, at node: Int) throws {
    var dictionary: [String: Value] = [:]
    for (key, value) in try reader.members(of: node) where dictionary.index(forKey: key) == nil {
      dictionary.updateValue(try Value(json: reader, at: value), forKey: key)
    }
    self = dictionary
  }
}

extension JSONReadable where Self: RawRepresentable, RawValue: JSONReadable {
  /// Reads the raw value, as `Decodable` reads an enum with raw values; a raw value of no
  /// case is left to `JSONDecoder`, which names it.
  @inlinable public init(json reader: JSONReader, at node: Int) throws {
    guard let value = Self(rawValue: try RawValue(json: reader, at: node)) else {
      throw JSONNotFollowed()
    }
    self = value
  }
}

extension EventID: JSONReadable {
  /// Reads the canonical text form (from the parsed text's bytes, when it has no escape).
  public init(json reader: JSONReader, at node: Int) throws {
    if let id = reader.tape.withPlainString(node, EventID.parse) {
      self = id
      return
    }
    guard let id = EventID(uuidString: try reader.string(at: node)) else {
      throw JSONNotFollowed()
    }
    self = id
  }
}

extension Timestamp: JSONReadable {
  /// Reads RFC 3339 text in UTC (from the parsed text's bytes, when it has no escape).
  public init(json reader: JSONReader, at node: Int) throws {
    if let time = reader.tape.withPlainString(node, Timestamp.parse) {
      self = time
      return
    }
    guard let time = Timestamp(rfc3339: try reader.string(at: node)) else {
      throw JSONNotFollowed()
    }
    self = time
  }
}

extension DataSubject: JSONReadable {
  /// Reads the `kind:id` form.
  public init(json reader: JSONReader, at node: Int) throws {
    guard let subject = DataSubject(try reader.string(at: node)) else { throw JSONNotFollowed() }
    self = subject
  }
}

extension Personal: JSONReadable where Value: JSONReadable {
  /// Reads what ``init(from:)`` reads: an object with `value`, `sealed` or `erased` (and its
  /// `subject`), or a bare value.
  @inlinable public init(json reader: JSONReader, at node: Int) throws {
    guard (try? reader.object(node)) != nil,
      reader.contains("value", in: node) || reader.contains("sealed", in: node)
        || reader.contains("erased", in: node)
    else {
      self.init(try Value(json: reader, at: node))
      return
    }
    let subject = try reader.optionalMember("subject", of: node).map {
      try DataSubject(json: reader, at: $0)
    }
    if reader.contains("value", in: node) {
      let value = try Value(json: reader, at: try reader.member("value", of: node))
      self.init(subject: subject, content: .revealed(value))
    } else if reader.contains("sealed", in: node) {
      let text = try reader.string(at: try reader.member("sealed", of: node))
      guard let data = Data(base64Encoded: text) else { throw JSONNotFollowed() }
      self.init(subject: subject, content: .sealed(Array(data)))
    } else {
      self.init(subject: subject, content: .erased)
    }
  }
}
