/// A type that writes its own JSON: the JSON its `Encodable` conformance gives, byte for byte as
/// Foundation's `JSONEncoder` writes it with `.sortedKeys`, without going through `Encoder`.
///
/// ``BinaryCodable()`` and ``BinaryEvent(version:)`` (in `EventLogMacros`) write
/// ``writeJSON(to:)`` for a struct from its stored properties, keys sorted when the macro runs,
/// as Swift's synthesized `Encodable` would encode them: a `nil` optional is left out. A struct
/// that declares its own `encode(to:)` or `CodingKeys` gets no generated writer; give it one by
/// hand, or leave it to `Encodable` (``JSONWriter`` then encodes it through
/// ``SortedJSONEncoder``, which is slower but gives the same bytes).
///
/// ``SortedJSONEncoder`` uses this form whenever the value it is given has it.
public protocol JSONWritable {
  /// Appends the value's JSON to `writer`.
  ///
  /// - Throws: what the value's `Encodable` conformance throws, for a part of it that is only
  ///   `Encodable`; ``JSONWriter/Unwritable`` for a part that has no JSON form at all.
  func writeJSON(to writer: inout JSONWriter) throws
}

/// Appends JSON to a byte buffer, as Foundation's `JSONEncoder` writes it with `.sortedKeys`:
/// what ``JSONWritable`` values (and the writers the coding macros generate) write into.
///
/// Objects are written a member at a time, and the caller gives the members in key order:
///
/// ```swift
/// writer.beginObject()
/// writer.key("city")
/// try writer.value(city)
/// writer.key("region")
/// try writer.value(region)
/// writer.endObject()
/// ```
public struct JSONWriter: Sendable {
  /// A value with no JSON form: it is neither ``JSONWritable`` nor `Encodable`.
  public struct Unwritable: Error, CustomStringConvertible {
    /// The value's type.
    public var type: String
    /// Says which type has no JSON form.
    public var description: String { "\(type) is neither JSONWritable nor Encodable" }
  }

  /// The JSON written so far.
  public var bytes: [UInt8]
  /// Whether `/` is written `\/`, as `JSONEncoder` does unless told `.withoutEscapingSlashes`.
  public var escapesSlashes: Bool
  /// How many parts were handed to `Encodable`: what the tests read to see that a type is
  /// written without it.
  package var encodableFallbacks = 0

  /// Starts an empty buffer.
  public init(escapesSlashes: Bool = true, capacity: Int = 512) {
    self.escapesSlashes = escapesSlashes
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  // MARK: Containers

  /// Writes the comma that separates this member or element from the one before it: there is
  /// one before it unless the container was just opened (no value ends in `{` or `[`).
  @inlinable mutating func separate() {
    if let last = bytes.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") {
      bytes.append(UInt8(ascii: ","))
    }
  }

  /// Opens an object (`{`).
  @inlinable public mutating func beginObject() {
    bytes.append(UInt8(ascii: "{"))
  }

  /// Closes the object opened last (`}`).
  @inlinable public mutating func endObject() {
    bytes.append(UInt8(ascii: "}"))
  }

  /// Opens an array (`[`).
  @inlinable public mutating func beginArray() {
    bytes.append(UInt8(ascii: "["))
  }

  /// Closes the array opened last (`]`).
  @inlinable public mutating func endArray() {
    bytes.append(UInt8(ascii: "]"))
  }

  /// Starts a member of the open object: the comma before it if needed, the key and the colon.
  /// The key is written as given: it must need no escape (a Swift identifier never does).
  @inlinable public mutating func key(_ key: StaticString) {
    separate()
    bytes.append(UInt8(ascii: "\""))
    key.withUTF8Buffer { bytes.append(contentsOf: $0) }
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: ":"))
  }

  /// Starts a member of the open object whose key is any text, escaped as needed.
  public mutating func key(_ key: String) {
    separate()
    string(key)
    bytes.append(UInt8(ascii: ":"))
  }

  /// Starts an element of the open array: the comma before it if needed.
  @inlinable public mutating func element() { separate() }

  // MARK: Values

  /// Writes a value that writes itself.
  @inlinable public mutating func value<Value: JSONWritable>(_ value: Value) throws {
    try value.writeJSON(to: &self)
  }

  /// Writes a value that writes itself (and is also `Encodable`, which it does not need).
  @inlinable public mutating func value<Value: JSONWritable & Encodable>(_ value: Value) throws {
    try value.writeJSON(to: &self)
  }

  /// Writes a value that is only `Encodable`, through ``SortedJSONEncoder`` (or `JSONEncoder`
  /// for what that leaves to it).
  public mutating func value<Value: Encodable>(_ value: Value) throws {
    encodableFallbacks += 1
    bytes.append(
      contentsOf: try SortedJSONEncoder(escapesSlashes: escapesSlashes).encodeNested(value))
  }

  /// A value with no JSON form.
  ///
  /// - Throws: ``Unwritable``, always.
  public mutating func value<Value>(_ value: Value) throws {
    throw Unwritable(type: String(describing: Value.self))
  }

  /// Writes the elements of `sequence` as an array, in the sequence's order.
  @inlinable public mutating func array<Elements: Sequence>(_ sequence: Elements) throws
  where Elements.Element: JSONWritable {
    beginArray()
    for item in sequence {
      element()
      try item.writeJSON(to: &self)
    }
    endArray()
  }

  /// Writes `null`.
  @inlinable public mutating func null() { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

  /// Writes `true` or `false`.
  @inlinable public mutating func bool(_ value: Bool) {
    if value {
      bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
    } else {
      bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
    }
  }

  /// Writes an integer in decimal.
  public mutating func integer<Integer: FixedWidthInteger>(_ value: Integer) {
    JSONText.appendInteger(value, to: &bytes)
  }

  /// Writes a string, quoted and escaped as `JSONEncoder` escapes it.
  public mutating func string(_ value: String) {
    JSONText.appendString(value, escapesSlashes: escapesSlashes, to: &bytes)
  }

  /// Writes bytes as a base64 string (padded, no line breaks), as `JSONEncoder` writes the
  /// text of `Data.base64EncodedString()`: a `/` escaped when ``escapesSlashes``.
  public mutating func base64(_ data: [UInt8]) {
    data.withUnsafeBytes { base64($0) }
  }

  /// Writes bytes as a base64 string, as ``base64(_:)-([UInt8])`` does, from where they lie.
  public mutating func base64(_ data: UnsafeRawBufferPointer) {
    bytes.append(UInt8(ascii: "\""))
    let start = bytes.count
    let length = (data.count + 2) / 3 * 4
    bytes.append(contentsOf: repeatElement(UInt8(ascii: "="), count: length))
    bytes.withUnsafeMutableBufferPointer { output in
      data.withMemoryRebound(to: UInt8.self) { input in
        JSONText.base64Alphabet.withUnsafeBufferPointer { alphabet in
          var from = 0
          var to = start
          while from + 3 <= input.count {
            let bits =
              UInt32(input[from]) << 16 | UInt32(input[from + 1]) << 8 | UInt32(input[from + 2])
            output[to] = alphabet[Int(bits >> 18)]
            output[to + 1] = alphabet[Int(bits >> 12 & 0x3F)]
            output[to + 2] = alphabet[Int(bits >> 6 & 0x3F)]
            output[to + 3] = alphabet[Int(bits & 0x3F)]
            from += 3
            to += 4
          }
          let left = input.count - from
          if left > 0 {
            let bits = UInt32(input[from]) << 16 | (left == 2 ? UInt32(input[from + 1]) << 8 : 0)
            output[to] = alphabet[Int(bits >> 18)]
            output[to + 1] = alphabet[Int(bits >> 12 & 0x3F)]
            if left == 2 { output[to + 2] = alphabet[Int(bits >> 6 & 0x3F)] }
          }
        }
      }
    }
    if escapesSlashes, bytes[start...].contains(UInt8(ascii: "/")) {
      var escaped: [UInt8] = []
      escaped.reserveCapacity(length + length / 8)
      for character in bytes[start...] {
        if character == UInt8(ascii: "/") { escaped.append(UInt8(ascii: "\\")) }
        escaped.append(character)
      }
      bytes.replaceSubrange(start..., with: escaped)
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Writes text that is known to need no escape (digits, dashes, hexadecimal), quoted.
  @inlinable public mutating func plainString(_ ascii: some Collection<UInt8>) {
    bytes.append(UInt8(ascii: "\""))
    bytes.append(contentsOf: ascii)
    bytes.append(UInt8(ascii: "\""))
  }
}

/// JSON's text for strings and integers, as `JSONEncoder` writes them; shared by
/// ``JSONWriter`` and ``SortedJSONEncoder``.
package enum JSONText {
  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
  /// Base64's letters, in the order of their values.
  static let base64Alphabet: [UInt8] = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  /// Appends an integer in decimal.
  package static func appendInteger<Integer: FixedWidthInteger>(
    _ value: Integer, to bytes: inout [UInt8]
  ) {
    if Integer.bitWidth <= 64 {
      appendDecimal(UInt64(truncatingIfNeeded: value.magnitude), negative: value < 0, to: &bytes)
      return
    }
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    bytes.append(contentsOf: String(value.magnitude).utf8)
  }

  /// Appends `magnitude` in decimal, after a minus sign when `negative`.
  package static func appendDecimal(_ magnitude: UInt64, negative: Bool, to bytes: inout [UInt8]) {
    if negative { bytes.append(UInt8(ascii: "-")) }
    var count = 1
    var rest = magnitude / 10
    while rest > 0 {
      count += 1
      rest /= 10
    }
    let start = bytes.count
    bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
    bytes.withUnsafeMutableBufferPointer { buffer in
      var remaining = magnitude
      var index = start + count - 1
      while remaining > 0 {
        let (quotient, digit) = remaining.quotientAndRemainder(dividingBy: 10)
        buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: digit)
        remaining = quotient
        index -= 1
      }
    }
  }

  /// Appends a string, quoted and escaped as `JSONEncoder` escapes it.
  package static func appendString(_ value: String, escapesSlashes: Bool, to bytes: inout [UInt8]) {
    bytes.append(UInt8(ascii: "\""))
    var value = value
    value.withUTF8 { appendStringContents($0, escapesSlashes: escapesSlashes, to: &bytes) }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Appends the text of a string, escaped as `JSONEncoder` escapes it, without its quotes:
  /// `utf8` must be valid UTF-8 (the bytes of a `String`, or ASCII).
  package static func appendStringContents(
    _ utf8: UnsafeBufferPointer<UInt8>, escapesSlashes: Bool, to bytes: inout [UInt8]
  ) {
    var runStart = 0
    for index in utf8.indices {
      let byte = utf8[index]
      let escape: UInt8
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape = byte
      case UInt8(ascii: "/"):
        guard escapesSlashes else { continue }
        escape = byte
      case 0x08: escape = UInt8(ascii: "b")
      case 0x09: escape = UInt8(ascii: "t")
      case 0x0A: escape = UInt8(ascii: "n")
      case 0x0C: escape = UInt8(ascii: "f")
      case 0x0D: escape = UInt8(ascii: "r")
      case 0..<0x20: escape = 0
      default: continue
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
      bytes.append(UInt8(ascii: "\\"))
      if escape == 0 {
        bytes.append(contentsOf: "u00".utf8)
        bytes.append(hexDigits[Int(byte >> 4)])
        bytes.append(hexDigits[Int(byte & 0x0F)])
      } else {
        bytes.append(escape)
      }
      runStart = index + 1
    }
    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
  }

  /// Whether every byte of `bytes` is ASCII, read eight bytes at a time.
  package static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var index = 0
    let count = bytes.count
    while index + 8 <= count {
      let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      if word & 0x8080_8080_8080_8080 != 0 { return false }
      index += 8
    }
    while index < count {
      if bytes[index] >= 0x80 { return false }
      index += 1
    }
    return true
  }
}

// MARK: - The standard types

extension String: JSONWritable {
  /// Writes the string, quoted and escaped.
  @inlinable public func writeJSON(to writer: inout JSONWriter) { writer.string(self) }
}

extension Bool: JSONWritable {
  /// Writes `true` or `false`.
  @inlinable public func writeJSON(to writer: inout JSONWriter) { writer.bool(self) }
}

extension JSONWritable where Self: FixedWidthInteger {
  /// Writes the integer in decimal.
  @inlinable public func writeJSON(to writer: inout JSONWriter) { writer.integer(self) }
}

extension Int: JSONWritable {}
extension Int64: JSONWritable {}
extension Int32: JSONWritable {}
extension Int16: JSONWritable {}
extension Int8: JSONWritable {}
extension UInt: JSONWritable {}
extension UInt64: JSONWritable {}
extension UInt32: JSONWritable {}
extension UInt16: JSONWritable {}
extension UInt8: JSONWritable {}

extension Optional: JSONWritable where Wrapped: JSONWritable {
  /// Writes the value, or `null` (a `nil` member of a struct is left out by the struct's
  /// writer, as `Encodable` leaves it out).
  @inlinable public func writeJSON(to writer: inout JSONWriter) throws {
    if let self { try self.writeJSON(to: &writer) } else { writer.null() }
  }
}

extension Array: JSONWritable where Element: JSONWritable {
  /// Writes the elements in order.
  @inlinable public func writeJSON(to writer: inout JSONWriter) throws {
    try writer.array(self)
  }
}

extension Set: JSONWritable where Element: JSONWritable {
  /// Writes the elements in the set's own order, as `Encodable` does.
  @inlinable public func writeJSON(to writer: inout JSONWriter) throws {
    try writer.array(self)
  }
}

extension Dictionary: JSONWritable where Key == String, Value: JSONWritable {
  /// Writes an object, its keys sorted by their UTF-8 bytes as `JSONEncoder` sorts them.
  public func writeJSON(to writer: inout JSONWriter) throws {
    writer.beginObject()
    for key in keys.sorted(by: JSONSink.precedes) {
      writer.key(key)
      // The key was just taken from the dictionary.
      if let value = self[key] { try value.writeJSON(to: &writer) }
    }
    writer.endObject()
  }
}

extension JSONWritable where Self: RawRepresentable, RawValue: JSONWritable {
  /// Writes the raw value, as `Encodable` encodes an enum with raw values.
  @inlinable public func writeJSON(to writer: inout JSONWriter) throws {
    try rawValue.writeJSON(to: &writer)
  }
}

extension EventID: JSONWritable {
  /// Writes the canonical text form, quoted.
  public func writeJSON(to writer: inout JSONWriter) {
    writer.bytes.append(UInt8(ascii: "\""))
    appendText(to: &writer.bytes)
    writer.bytes.append(UInt8(ascii: "\""))
  }
}

extension Timestamp: JSONWritable {
  /// Writes the RFC 3339 text with nine fractional digits, quoted.
  public func writeJSON(to writer: inout JSONWriter) {
    writer.bytes.append(UInt8(ascii: "\""))
    appendText(to: &writer.bytes)
    writer.bytes.append(UInt8(ascii: "\""))
  }
}
