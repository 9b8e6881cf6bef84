/// A type that writes itself in the library's compact binary form.
///
/// Write fields in a fixed order with ``BinaryWriter``; a field added in a later version of the
/// type goes at the end, so that old payloads simply end before it.
public protocol BinaryEncodable {
  /// Writes the value's fields.
  func encode(to writer: inout BinaryWriter)
}

/// A type that reads itself from the library's compact binary form.
///
/// For speed, read fields into locals and then call the memberwise initializer, and build
/// arrays in a local before storing them.
public protocol BinaryDecodable {
  /// Reads the value's fields in the order ``BinaryEncodable/encode(to:)`` wrote them.
  init(from reader: inout BinaryReader) throws
}

/// A type with a binary form both ways.
public typealias BinaryCodable = BinaryEncodable & BinaryDecodable

extension String: BinaryEncodable, BinaryDecodable {
  /// Writes the string, length-prefixed.
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.write(self) }
  /// Reads a length-prefixed string.
  @inlinable public init(from reader: inout BinaryReader) throws {
    self = try reader.read(String.self)
  }
}

extension Int: BinaryEncodable, BinaryDecodable {
  /// Writes the integer zig-zag LEB128 encoded.
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.writeZigZag(Int64(self)) }
  /// Reads a zig-zag LEB128 integer.
  @inlinable public init(from reader: inout BinaryReader) throws {
    self = try reader.read(Int.self)
  }
}

extension Bool: BinaryEncodable, BinaryDecodable {
  /// Writes 1 or 0.
  @inlinable public func encode(to writer: inout BinaryWriter) { writer.write(self) }
  /// Reads 1 or 0.
  @inlinable public init(from reader: inout BinaryReader) throws {
    self = try reader.read(Bool.self)
  }
}

extension Double: BinaryEncodable, BinaryDecodable {
  /// Writes the IEEE 754 bits, eight bytes little-endian.
  @inlinable public func encode(to writer: inout BinaryWriter) {
    writer.writeFixedWidth(bitPattern)
  }
  /// Reads the IEEE 754 bits.
  @inlinable public init(from reader: inout BinaryReader) throws {
    self = try reader.read(Double.self)
  }
}

extension EventID: BinaryEncodable, BinaryDecodable {
  /// Writes the 16 bytes, big-endian, as in the UUID's text form.
  public func encode(to writer: inout BinaryWriter) {
    withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { writer.writeRaw($0) }
  }
  /// Reads 16 bytes.
  public init(from reader: inout BinaryReader) throws {
    let raw = try reader.readRaw(count: 16)
    let high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
    let low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    self.init(high: high, low: low)
  }
}

extension Timestamp: BinaryEncodable, BinaryDecodable {
  /// Writes the nanoseconds as eight bytes.
  public func encode(to writer: inout BinaryWriter) { writer.writeFixedWidth(nanosecondsSince1970) }
  /// Reads eight bytes of nanoseconds.
  public init(from reader: inout BinaryReader) throws {
    self.init(nanosecondsSince1970: try reader.readFixedWidth(Int64.self))
  }
}

extension BinaryWriter {
  /// Writes a dictionary: its count (LEB128), then each key and value, keys in ascending
  /// order so that equal dictionaries give equal bytes.
  ///
  /// Inlinable, so that the sort is specialized for the key type in the caller's module.
  @inlinable
  public mutating func write<Key: BinaryEncodable & Comparable, Value: BinaryEncodable>(
    _ dictionary: [Key: Value]
  ) {
    writeVariableLength(UInt64(dictionary.count))
    // Each key is sorted beside its position, no value with it: a read model's records hold
    // strings and arrays, and copying them all cost more than writing them; and keys side by
    // side compare faster than keys looked up through the dictionary.
    var order: [(key: Key, index: [Key: Value].Index)] = []
    order.reserveCapacity(dictionary.count)
    for index in dictionary.indices { order.append((dictionary.keys[index], index)) }
    order.sort { $0.key < $1.key }
    for entry in order {
      entry.key.encode(to: &self)
      dictionary.values[entry.index].encode(to: &self)
    }
  }

  /// Writes a set: its count (LEB128), then each element in ascending order.
  @inlinable
  public mutating func write<Element: BinaryEncodable & Comparable>(_ set: Set<Element>) {
    writeVariableLength(UInt64(set.count))
    for element in set.sorted() { element.encode(to: &self) }
  }
}

extension BinaryReader {
  /// Reads a dictionary written by ``BinaryWriter/write(_:)-([Key:Value])``.
  @inlinable public mutating func read<Key: BinaryDecodable & Hashable, Value: BinaryDecodable>(
    _: [Key: Value].Type
  ) throws -> [Key: Value] {
    let count = try readCount()
    var dictionary: [Key: Value] = [:]
    dictionary.reserveCapacity(count)
    for _ in 0..<count {
      let key = try Key(from: &self)
      dictionary[key] = try Value(from: &self)
    }
    return dictionary
  }

  /// Reads a set written by ``BinaryWriter/write(_:)-(Set<Element>)``.
  @inlinable public mutating func read<Element: BinaryDecodable & Hashable>(_: Set<Element>.Type)
    throws
    -> Set<Element>
  {
    let count = try readCount()
    var set = Set<Element>(minimumCapacity: count)
    for _ in 0..<count { set.insert(try Element(from: &self)) }
    return set
  }
}
