/// Reads the compact binary form written by ``BinaryWriter`` from a borrowed buffer.
///
/// A reader does not own its bytes: it is only valid while the buffer it was made from is
/// (inside the closure of a store's scan, for example). Every read checks bounds and throws
/// ``BinaryDecodingError`` with the offset where the data ran out or made no sense.
public struct BinaryReader {
  /// The bytes being read.
  public let buffer: UnsafeRawBufferPointer
  /// The offset of the next byte to read.
  public var offset: Int { position }

  @usableFromInline var position: Int

  /// Creates a reader over `buffer`, starting at its first byte.
  public init(_ buffer: UnsafeRawBufferPointer) {
    self.buffer = buffer
    self.position = 0
  }

  /// Whether every byte has been read. Event types use it to decode fields that were added
  /// later: an old event ends before them (see ``readIfPresent(_:)``).
  @inlinable public var isAtEnd: Bool { offset >= buffer.count }

  /// How many bytes are left.
  @inlinable public var remaining: Int { buffer.count - offset }

  @inlinable @inline(__always) mutating func take(_ count: Int, _ what: StaticString)
    throws(BinaryDecodingError)
    -> Int
  {
    guard count >= 0, count <= buffer.count - position else {
      throw Self.truncated(what, at: position)
    }
    let start = position
    position += count
    return start
  }

  /// The error of a read that ran past the end: out of line, so that the reads that can
  /// throw it stay small enough to be inlined where they are called.
  @usableFromInline @inline(never)
  static func truncated(_ what: StaticString, at offset: Int) -> BinaryDecodingError {
    BinaryDecodingError(offset: offset, reason: "truncated \(what)")
  }

  /// Steps over `count` bytes that a length read by ``readLength()`` already found left.
  @inlinable @inline(__always) mutating func takeChecked(_ count: Int) -> Int {
    let start = position
    position += count
    return start
  }

  /// Reads one byte.
  @inlinable public mutating func read(_: UInt8.Type = UInt8.self) throws(BinaryDecodingError)
    -> UInt8
  {
    let at = try take(1, "byte")
    return buffer[at]
  }

  /// Reads a `Bool` written as 0 or 1.
  @inlinable public mutating func read(_: Bool.Type) throws(BinaryDecodingError) -> Bool {
    let at = try take(1, "Bool")
    switch buffer[at] {
    case 0: return false
    case 1: return true
    default: throw BinaryDecodingError(offset: at, reason: "Bool byte \(buffer[at])")
    }
  }

  /// Reads a 16-bit little-endian integer.
  @inlinable public mutating func readFixedWidth(_: UInt16.Type) throws(BinaryDecodingError)
    -> UInt16
  {
    let at = try take(2, "UInt16")
    return UInt16(buffer[at]) | UInt16(buffer[at + 1]) << 8
  }

  /// Reads a 32-bit little-endian integer.
  @inlinable public mutating func readFixedWidth(_: UInt32.Type) throws(BinaryDecodingError)
    -> UInt32
  {
    let at = try take(4, "UInt32")
    return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: at, as: UInt32.self))
  }

  /// Reads a 64-bit little-endian integer.
  @inlinable public mutating func readFixedWidth(_: UInt64.Type) throws(BinaryDecodingError)
    -> UInt64
  {
    let at = try take(8, "UInt64")
    return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: at, as: UInt64.self))
  }

  /// Reads a 64-bit little-endian two's complement integer.
  @inlinable public mutating func readFixedWidth(_: Int64.Type) throws(BinaryDecodingError) -> Int64
  {
    Int64(bitPattern: try readFixedWidth(UInt64.self))
  }

  /// Reads a LEB128 unsigned integer.
  ///
  /// Most integers written (lengths, counts, small numbers) take one byte: that case is
  /// read here, small enough to be inlined where it is called; longer ones by
  /// ``readLongVariableLength()``.
  @inlinable public mutating func read(_: UInt64.Type) throws(BinaryDecodingError) -> UInt64 {
    if position < buffer.count {
      let byte = buffer[position]
      if byte < 0x80 {
        position += 1
        return UInt64(byte)
      }
    }
    return try readLongVariableLength()
  }

  /// Reads a LEB128 unsigned integer of any length: ``read(_:)-(UInt64.Type)`` past its
  /// one-byte case.
  @usableFromInline mutating func readLongVariableLength() throws(BinaryDecodingError) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    let start = offset
    while true {
      guard offset < buffer.count else {
        throw BinaryDecodingError(offset: start, reason: "truncated integer")
      }
      let byte = buffer[offset]
      position += 1
      guard shift < 64, shift < 63 || byte <= 1 else {
        throw BinaryDecodingError(offset: start, reason: "integer longer than 64 bits")
      }
      result |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return result }
      shift += 7
    }
  }

  /// Reads a zig-zag LEB128 integer written by ``BinaryWriter/write(_:)-(Int)``.
  @inlinable public mutating func read(_: Int.Type) throws(BinaryDecodingError) -> Int {
    let start = offset
    let value = try readZigZag(Int64.self)
    guard let narrow = Int(exactly: value) else {
      throw BinaryDecodingError(offset: start, reason: "integer \(value) does not fit Int")
    }
    return narrow
  }

  /// Reads an unsigned LEB128 length and checks that that many bytes are left.
  @inlinable @inline(__always) mutating func readLength() throws(BinaryDecodingError) -> Int {
    let start = position
    let value = try read(UInt64.self)
    guard value <= UInt64(buffer.count - position) else {
      throw Self.lengthOverrun(value, at: start, left: buffer.count - position)
    }
    return Int(value)
  }

  /// The error of a length longer than the bytes left, out of line (see ``truncated(_:at:)``).
  @usableFromInline @inline(never)
  static func lengthOverrun(_ length: UInt64, at offset: Int, left: Int) -> BinaryDecodingError {
    BinaryDecodingError(
      offset: offset, reason: "truncated: length \(length) exceeds the \(left) bytes left")
  }

  /// Reads a LEB128 integer that must fit a `UInt32`.
  @inlinable public mutating func read(_: UInt32.Type) throws(BinaryDecodingError) -> UInt32 {
    let start = offset
    let value = try read(UInt64.self)
    guard let narrow = UInt32(exactly: value) else {
      throw BinaryDecodingError(offset: start, reason: "integer \(value) does not fit UInt32")
    }
    return narrow
  }

  /// Reads a zig-zag LEB128 signed integer.
  @inlinable public mutating func readZigZag(_: Int64.Type) throws(BinaryDecodingError) -> Int64 {
    let raw = try read(UInt64.self)
    return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
  }

  /// Reads a `Double` from its eight IEEE 754 bytes.
  @inlinable public mutating func read(_: Double.Type) throws(BinaryDecodingError) -> Double {
    Double(bitPattern: try readFixedWidth(UInt64.self))
  }

  /// Reads a length-prefixed UTF-8 string. Invalid UTF-8 is repaired with U+FFFD.
  @inlinable public mutating func read(_: String.Type) throws(BinaryDecodingError) -> String {
    let count = try readLength()
    let at = takeChecked(count)
    return String(
      decoding: UnsafeRawBufferPointer(rebasing: buffer[at..<at + count]), as: UTF8.self)
  }

  /// Reads an optional string written by ``BinaryWriter/write(_:)-(String?)``.
  @inlinable public mutating func read(_: String?.Type) throws(BinaryDecodingError) -> String? {
    try readPresenceFlag() ? try read(String.self) : nil
  }

  /// Steps over a length-prefixed string, failing where ``read(_:)-(String.Type)`` would.
  @inlinable mutating func skipString() throws(BinaryDecodingError) {
    _ = takeChecked(try readLength())
  }

  /// Steps over a length-prefixed byte array, failing where ``readBytes()`` would.
  @inlinable mutating func skipBytes() throws(BinaryDecodingError) {
    _ = takeChecked(try readLength())
  }

  /// Reads a length-prefixed byte array as a borrowed buffer, valid as long as the reader's
  /// buffer is, failing where ``readBytes()`` would.
  @inlinable mutating func readRawBytes() throws(BinaryDecodingError)
    -> UnsafeRawBufferPointer
  {
    let count = try readLength()
    let at = takeChecked(count)
    return UnsafeRawBufferPointer(rebasing: buffer[at..<at + count])
  }

  /// Reads a length-prefixed byte array.
  @inlinable public mutating func readBytes() throws(BinaryDecodingError) -> [UInt8] {
    let count = try readLength()
    let at = takeChecked(count)
    return Array(UnsafeRawBufferPointer(rebasing: buffer[at..<at + count]))
  }

  /// Reads `count` raw bytes as a borrowed buffer, valid as long as the reader's buffer is.
  @inlinable public mutating func readRaw(count: Int) throws(BinaryDecodingError)
    -> UnsafeRawBufferPointer
  {
    let at = try take(count, "bytes")
    return UnsafeRawBufferPointer(rebasing: buffer[at..<at + count])
  }

  /// Reads a value of a binary-decodable type.
  @inlinable public mutating func read<Value: BinaryDecodable>(_: Value.Type) throws -> Value {
    try Value(from: &self)
  }

  /// Reads an optional written by ``BinaryWriter/write(_:)-(Value?)``.
  @inlinable public mutating func read<Value: BinaryDecodable>(_: Value?.Type) throws -> Value? {
    try readPresenceFlag() ? try Value(from: &self) : nil
  }

  /// Reads an array written by ``BinaryWriter/write(_:)-([Element])``.
  @inlinable public mutating func read<Element: BinaryDecodable>(_: [Element].Type) throws
    -> [Element]
  {
    let count = try readCount()
    var values: [Element] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(try Element(from: &self)) }
    return values
  }

  /// Reads an array of strings.
  @inlinable public mutating func read(_: [String].Type) throws(BinaryDecodingError) -> [String] {
    let count = try readCount()
    var values: [String] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(try read(String.self)) }
    return values
  }

  /// Reads a field that later versions of a type appended to its payload: `nil` when the
  /// payload ends before it (an event written before the field existed).
  @inlinable public mutating func readIfPresent<Value>(
    _ read: (inout BinaryReader) throws -> Value
  ) rethrows -> Value? {
    isAtEnd ? nil : try read(&self)
  }

  @inlinable mutating func readPresenceFlag() throws(BinaryDecodingError) -> Bool {
    let at = try take(1, "optional flag")
    switch buffer[at] {
    case 0: return false
    case 1: return true
    default: throw BinaryDecodingError(offset: at, reason: "optional flag \(buffer[at])")
    }
  }

  /// Reads an element count and checks it against the bytes left, so that corrupt data cannot
  /// make a decoder reserve absurd amounts of memory.
  @inlinable public mutating func readCount() throws(BinaryDecodingError) -> Int {
    let start = offset
    let count = try read(UInt64.self)
    guard count <= UInt64(remaining) else {
      throw BinaryDecodingError(offset: start, reason: "count \(count) exceeds the bytes left")
    }
    return Int(count)
  }
}

/// Binary data that could not be decoded: where, and why.
public struct BinaryDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The byte offset in the payload where decoding failed.
  public var offset: Int
  /// What was wrong, such as `truncated string`.
  public var reason: String

  /// `offset` counts bytes from the payload's start; `reason` is a short phrase such as
  /// `truncated string`.
  public init(offset: Int, reason: String) {
    self.offset = offset
    self.reason = reason
  }

  /// A one-line description such as `truncated string at byte 12`.
  public var description: String { "\(reason) at byte \(offset)" }
}
