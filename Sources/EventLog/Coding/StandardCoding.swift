// The binary form of the standard library's common values: integers of every width,
// optionals, arrays, sets, dictionaries, and enums with raw values. Each writes exactly the
// bytes of the matching `BinaryWriter` method, so a field can move from an explicit
// `writer.write(…)` to a conformance (or to a generated encoder) without changing a payload.

extension UInt64: BinaryEncodable, BinaryDecodable {
  /// Writes the integer LEB128 encoded (variable length).
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.writeVariableLength(self) }
  /// Reads a LEB128 integer.
  public init(from reader: inout BinaryReader) throws { self = try reader.read(UInt64.self) }
}

extension UInt32: BinaryEncodable, BinaryDecodable {
  /// Writes the integer LEB128 encoded (variable length).
  @inlinable public func encode(to writer: inout BinaryWriter) {
    writer.writeVariableLength(UInt64(self))
  }
  /// Reads a LEB128 integer, refusing one wider than 32 bits.
  public init(from reader: inout BinaryReader) throws { self = try reader.read(UInt32.self) }
}

extension UInt16: BinaryEncodable, BinaryDecodable {
  /// Writes the integer LEB128 encoded (variable length).
  @inlinable public func encode(to writer: inout BinaryWriter) {
    writer.writeVariableLength(UInt64(self))
  }
  /// Reads a LEB128 integer, refusing one wider than 16 bits.
  public init(from reader: inout BinaryReader) throws {
    self = try reader.readNarrow(UInt16.self)
  }
}

extension UInt8: BinaryEncodable, BinaryDecodable {
  /// Writes the byte as it is (one byte).
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.writeByte(self) }
  /// Reads one byte.
  public init(from reader: inout BinaryReader) throws { self = try reader.read(UInt8.self) }
}

extension Int64: BinaryEncodable, BinaryDecodable {
  /// Writes the integer zig-zag LEB128 encoded (small magnitudes, either sign, are short).
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.writeZigZag(self) }
  /// Reads a zig-zag LEB128 integer.
  public init(from reader: inout BinaryReader) throws {
    self = try reader.readZigZag(Int64.self)
  }
}

extension Int32: BinaryEncodable, BinaryDecodable {
  /// Writes the integer zig-zag LEB128 encoded.
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.writeZigZag(Int64(self)) }
  /// Reads a zig-zag LEB128 integer, refusing one wider than 32 bits.
  public init(from reader: inout BinaryReader) throws {
    self = try reader.readNarrowSigned(Int32.self)
  }
}

extension Int16: BinaryEncodable, BinaryDecodable {
  /// Writes the integer zig-zag LEB128 encoded.
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.writeZigZag(Int64(self)) }
  /// Reads a zig-zag LEB128 integer, refusing one wider than 16 bits.
  public init(from reader: inout BinaryReader) throws {
    self = try reader.readNarrowSigned(Int16.self)
  }
}

extension Int8: BinaryEncodable, BinaryDecodable {
  /// Writes the integer zig-zag LEB128 encoded.
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.writeZigZag(Int64(self)) }
  /// Reads a zig-zag LEB128 integer, refusing one wider than 8 bits.
  public init(from reader: inout BinaryReader) throws {
    self = try reader.readNarrowSigned(Int8.self)
  }
}

extension Float: BinaryEncodable, BinaryDecodable {
  /// Writes the IEEE 754 bits, four bytes little-endian.
  public func encode(to writer: inout BinaryWriter) { writer.writeFixedWidth(bitPattern) }
  /// Reads four bytes of IEEE 754 bits.
  public init(from reader: inout BinaryReader) throws {
    self.init(bitPattern: try reader.readFixedWidth(UInt32.self))
  }
}

extension Optional: BinaryEncodable where Wrapped: BinaryEncodable {
  /// Writes a 0 byte for `nil`, or a 1 byte followed by the value.
  @inlinable public func encode(to writer: inout BinaryWriter) {
    switch self {
    case .none:
      writer.writeByte(UInt8(0))
    case .some(let value):
      writer.writeByte(UInt8(1))
      value.encode(to: &writer)
    }
  }
}

extension Optional: BinaryDecodable where Wrapped: BinaryDecodable {
  /// Reads a presence byte (0 or 1, anything else is refused) and, after a 1, the value.
  @inlinable public init(from reader: inout BinaryReader) throws {
    self = try reader.readPresenceFlag() ? try Wrapped(from: &reader) : nil
  }
}

extension Array: BinaryEncodable where Element: BinaryEncodable {
  /// Writes the count (LEB128), then each element in order.
  @inlinable public func encode(to writer: inout BinaryWriter) {
    writer.writeVariableLength(UInt64(count))
    for element in self { element.encode(to: &writer) }
  }
}

extension Array: BinaryDecodable where Element: BinaryDecodable {
  /// Reads a count, checked against the bytes left, then that many elements.
  @inlinable public init(from reader: inout BinaryReader) throws {
    let count = try reader.readCount()
    var elements: [Element] = []
    elements.reserveCapacity(count)
    for _ in 0..<count { elements.append(try Element(from: &reader)) }
    self = elements
  }
}

extension Set: BinaryEncodable where Element: BinaryEncodable & Comparable {
  /// Writes the count (LEB128), then each element in ascending order, so that equal sets give
  /// equal bytes.
  @inlinable public func encode(to writer: inout BinaryWriter) {
    writer.writeVariableLength(UInt64(count))
    for element in sorted() { element.encode(to: &writer) }
  }
}

extension Set: BinaryDecodable where Element: BinaryDecodable {
  /// Reads a count, checked against the bytes left, then that many elements.
  @inlinable public init(from reader: inout BinaryReader) throws {
    let count = try reader.readCount()
    var elements = Set(minimumCapacity: count)
    for _ in 0..<count { elements.insert(try Element(from: &reader)) }
    self = elements
  }
}

extension Dictionary: BinaryEncodable
where Key: BinaryEncodable & Comparable, Value: BinaryEncodable {
  /// Writes the count (LEB128), then each key and its value, keys in ascending order, so that
  /// equal dictionaries give equal bytes.
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.write(self) }
}

extension Dictionary: BinaryDecodable where Key: BinaryDecodable, Value: BinaryDecodable {
  /// Reads a count, checked against the bytes left, then that many keys and values.
  @inlinable public init(from reader: inout BinaryReader) throws {
    let count = try reader.readCount()
    var dictionary: [Key: Value] = [:]
    dictionary.reserveCapacity(count)
    for _ in 0..<count {
      let key = try Key(from: &reader)
      dictionary[key] = try Value(from: &reader)
    }
    self = dictionary
  }
}

extension BinaryEncodable where Self: RawRepresentable, RawValue: BinaryEncodable {
  /// Writes the raw value: an enum with raw values declared `BinaryCodable` needs no code.
  @inlinable public func encode(to writer: inout BinaryWriter) { rawValue.encode(to: &writer) }
}

extension BinaryDecodable where Self: RawRepresentable, RawValue: BinaryDecodable {
  /// Reads a raw value, refusing one that names no case.
  ///
  /// Inlinable, so that it is specialized for each enum where the enum is declared rather
  /// than looking up its type's metadata for every value read.
  @inlinable public init(from reader: inout BinaryReader) throws {
    let start = reader.offset
    let raw = try RawValue(from: &reader)
    guard let value = Self(rawValue: raw) else {
      throw BinaryDecodingError(
        offset: start, reason: "no case of \(Self.self) has raw value \(raw)")
    }
    self = value
  }
}

extension BinaryDecodable where Self: RawRepresentable & CaseIterable, RawValue == String {
  /// Reads the text of a case, refusing text that names no case.
  ///
  /// A text of up to 15 bytes, which Swift keeps in the string itself, is looked up by the
  /// raw value (and the case found checked against the bytes); a longer one is compared with
  /// each case's text where it lies, so that no string is allocated for it. Enums with a few
  /// cases (statuses, roles, kinds) are read this way wherever a read model or a payload
  /// holds them.
  @inlinable public init(from reader: inout BinaryReader) throws {
    let start = reader.offset
    let text = try reader.readRawBytes()
    if text.count <= 15 {
      if let value = Self(rawValue: String(decoding: text, as: UTF8.self)),
        value.rawValue.hasUTF8(text)
      {
        self = value
        return
      }
    }
    for value in Self.allCases where value.rawValue.hasUTF8(text) {
      self = value
      return
    }
    throw BinaryDecodingError(
      offset: start,
      reason: "no case of \(Self.self) has raw value \(String(decoding: text, as: UTF8.self))")
  }
}

extension String {
  /// Whether the string's UTF-8 form is exactly `bytes`.
  @inlinable func hasUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let utf8 = self.utf8
    guard utf8.count == bytes.count else { return false }
    return utf8.withContiguousStorageIfAvailable { $0.elementsEqual(bytes) }
      ?? utf8.elementsEqual(bytes)
  }
}

extension BinaryReader {
  /// Reads a LEB128 integer and refuses one that does not fit `T`.
  @usableFromInline mutating func readNarrow<T: FixedWidthInteger & UnsignedInteger>(
    _: T.Type
  ) throws(BinaryDecodingError) -> T {
    let start = offset
    let value = try read(UInt64.self)
    guard let narrow = T(exactly: value) else {
      throw BinaryDecodingError(offset: start, reason: "\(value) does not fit \(T.self)")
    }
    return narrow
  }

  /// Reads a zig-zag LEB128 integer and refuses one that does not fit `T`.
  @usableFromInline mutating func readNarrowSigned<T: FixedWidthInteger & SignedInteger>(
    _: T.Type
  ) throws(BinaryDecodingError) -> T {
    let start = offset
    let value = try readZigZag(Int64.self)
    guard let narrow = T(exactly: value) else {
      throw BinaryDecodingError(offset: start, reason: "\(value) does not fit \(T.self)")
    }
    return narrow
  }
}
