/// Writes the compact binary form of values: little-endian fixed-width integers, LEB128
/// variable-length integers, zig-zag signed integers, and length-prefixed UTF-8 strings.
///
/// `write(_:)` writes any ``BinaryEncodable`` value in its type's own form (an `Int` zig-zag,
/// a `UInt64` in variable length, a `Double` in eight bytes); the methods named for an
/// encoding (``writeVariableLength(_:)``, ``writeZigZag(_:)``, `writeFixedWidth(_:)`,
/// ``writeByte(_:)``) write a number in exactly that encoding.
///
/// Event types write their payload with it in ``BinaryEncodable/encode(to:)``; see
/// <doc:BinaryFormat> for the layout of each primitive.
public struct BinaryWriter: Sendable {
  /// The bytes written so far.
  public var bytes: [UInt8] { storage }

  @usableFromInline var storage: [UInt8]

  /// Seals the ``Personal`` values written: the log's ``PersonalDataProtector`` while an event
  /// is encoded for appending, `nil` otherwise (a revealed personal value then fails, see
  /// ``failure``).
  public var sealer: (any PersonalDataSealer)?

  /// The first personal value that could not be written, if any: the bytes are then
  /// incomplete, and ``EventData`` refuses the event with this error.
  public private(set) var failure: PersonalDataError?

  /// Records that a value could not be written; the first failure is kept.
  public mutating func fail(_ error: PersonalDataError) {
    if failure == nil { failure = error }
  }

  /// Creates an empty writer with room for `capacity` bytes.
  public init(capacity: Int = 128) {
    storage = []
    storage.reserveCapacity(capacity)
  }

  /// Removes the bytes written so far, keeping the storage for reuse.
  public mutating func removeAll() {
    storage.removeAll(keepingCapacity: true)
    failure = nil
  }

  /// Writes one byte.
  @inlinable public mutating func writeByte(_ value: UInt8) {
    makeRoom(for: 1)
    storage.append(value)
  }

  /// Writes `true` as 1 and `false` as 0.
  @inlinable public mutating func write(_ value: Bool) {
    makeRoom(for: 1)
    storage.append(value ? 1 : 0)
  }

  /// Writes a 16-bit integer in two bytes, little-endian.
  @inlinable public mutating func writeFixedWidth(_ value: UInt16) {
    makeRoom(for: 2)
    storage.append(UInt8(truncatingIfNeeded: value))
    storage.append(UInt8(truncatingIfNeeded: value >> 8))
  }

  /// Writes a 32-bit integer in four bytes, little-endian.
  @inlinable public mutating func writeFixedWidth(_ value: UInt32) {
    makeRoom(for: 4)
    withUnsafeBytes(of: value.littleEndian) { storage.append(contentsOf: $0) }
  }

  /// Writes a 64-bit integer in eight bytes, little-endian.
  @inlinable public mutating func writeFixedWidth(_ value: UInt64) {
    makeRoom(for: 8)
    withUnsafeBytes(of: value.littleEndian) { storage.append(contentsOf: $0) }
  }

  /// Writes a 64-bit signed integer in eight bytes, little-endian two's complement.
  @inlinable public mutating func writeFixedWidth(_ value: Int64) {
    writeFixedWidth(UInt64(bitPattern: value))
  }

  /// Writes an unsigned integer in variable length (LEB128): seven bits a byte, low bits first,
  /// the high bit of each byte set when more follow (1 byte below 128, at most 10).
  @inlinable public mutating func writeVariableLength(_ value: UInt64) {
    makeRoom(for: 10)
    var v = value
    while v >= 0x80 {
      storage.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    storage.append(UInt8(v))
  }

  /// Writes a signed integer zig-zag encoded (0, -1, 1, -2, … become 0, 1, 2, 3, …) in
  /// variable length: values near zero, negative or positive, take one byte. `Int` and the
  /// other signed integers are written this way.
  @inlinable public mutating func writeZigZag(_ value: Int64) {
    writeVariableLength(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
  }

  /// Writes a string as its UTF-8 byte count (LEB128) and its UTF-8 bytes.
  @inlinable public mutating func write(_ value: String) {
    var value = value
    value.withUTF8 { utf8 in
      writeVariableLength(UInt64(utf8.count))
      makeRoom(for: utf8.count)
      storage.append(contentsOf: utf8)
    }
  }

  /// Writes raw bytes with no length prefix.
  @inlinable public mutating func writeRaw<Bytes: Sequence<UInt8>>(_ raw: Bytes) {
    makeRoom(for: raw.underestimatedCount)
    storage.append(contentsOf: raw)
  }

  /// Writes a byte count (LEB128) and the bytes.
  @inlinable public mutating func write(bytes raw: [UInt8]) {
    writeVariableLength(UInt64(raw.count))
    makeRoom(for: raw.count)
    storage.append(contentsOf: raw)
  }

  /// Appends `count` bytes, zeroed, and lets `body` write them in place: for a value whose
  /// size is known before it is written, in one pass.
  @inlinable mutating func appendInPlace(
    count: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void
  ) {
    makeRoom(for: count)
    let start = storage.count
    storage.append(contentsOf: repeatElement(0, count: count))
    storage.withUnsafeMutableBytes { body(UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
  }

  /// Makes room for `count` more bytes before they are written (every write does).
  @inlinable mutating func makeRoom(for count: Int) {
    if _slowPath(storage.capacity - storage.count < count) { grow(toFit: count) }
  }

  /// Grows the storage to fit `count` more bytes: twofold while small, fourfold past a
  /// mebibyte. A large writer (a read model's saved state, hundreds of megabytes) copies what
  /// it wrote into fresh memory at each growth, whose pages the system clears as they are
  /// first touched, while room reserved but not yet written costs nothing. Twofold, a state of
  /// N bytes touches about 2 N bytes of fresh pages; fourfold, about 1.3 N.
  @usableFromInline mutating func grow(toFit count: Int) {
    let needed = storage.count + count
    let factor = storage.capacity >= 1 << 20 ? 4 : 2
    storage.reserveCapacity(max(needed, storage.capacity * factor, 64))
  }

  /// Writes a value of a binary-encodable type.
  @inlinable public mutating func write<Value: BinaryEncodable>(_ value: Value) {
    value.encode(to: &self)
  }

  /// Writes an optional: a 0 byte for `nil`, or a 1 byte followed by the value.
  @inlinable public mutating func write<Value: BinaryEncodable>(_ value: Value?) {
    if let value {
      writeByte(1)
      value.encode(to: &self)
    } else {
      writeByte(0)
    }
  }

  /// Writes an optional string: a 0 byte for `nil`, or a 1 byte followed by the string.
  @inlinable public mutating func write(_ value: String?) {
    if let value {
      writeByte(1)
      write(value)
    } else {
      writeByte(0)
    }
  }

  /// Writes an array: its count (LEB128), then each element.
  @inlinable public mutating func write<Element: BinaryEncodable>(_ values: [Element]) {
    writeVariableLength(UInt64(values.count))
    for value in values { value.encode(to: &self) }
  }

  /// Writes an array of strings: the count (LEB128), then each string.
  @inlinable public mutating func write(_ values: [String]) {
    writeVariableLength(UInt64(values.count))
    for value in values { write(value) }
  }
}

extension BinaryWriter {
  /// The number of bytes written so far.
  @inlinable public var count: Int { storage.count }

  /// Writes `value` in eight bytes, little-endian, over the eight bytes written at `offset`:
  /// for a length known only after what it measures is written, whose place was taken with
  /// `writeFixedWidth(_:)` with a `UInt64` first.
  ///
  /// - Precondition: `offset + 8 <= count`.
  public mutating func overwriteFixedWidth(_ value: UInt64, at offset: Int) {
    precondition(offset >= 0 && offset + 8 <= storage.count, "no eight bytes written at \(offset)")
    for index in 0..<8 {
      storage[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
    }
  }
}
