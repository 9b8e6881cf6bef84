/// A type whose binary form can be written as its JSON directly, without the value being made
/// in between: what an export does with every payload.
///
/// ``transcodeJSON(from:to:)`` appends the bytes that ``JSONWriter/value(_:)-(Value)`` appends
/// for the value ``BinaryDecodable/init(from:)`` reads, and fails where that reading fails. The
/// default makes the value and writes it, which is always right; a type whose value costs
/// memory to make (text, lists) writes its JSON from the bytes instead. `String`, arrays and
/// optionals of such types, and personal values do; the coding macros write both requirements
/// for a struct from its stored fields, so that an event declared with `@BinaryEvent` is
/// transcoded field by field, its text copied from the record's bytes.
///
/// ```swift
/// var reader = BinaryReader(payload)
/// var writer = JSONWriter()
/// try MemberApplied.transcodeJSON(from: &reader, to: &writer)  // the bytes of writeJSON(to:)
/// ```
public protocol BinaryJSONTranscodable: BinaryDecodable {
  /// Moves `reader` past one value's binary form, failing where ``BinaryDecodable/init(from:)``
  /// fails.
  static func skipBinary(in reader: inout BinaryReader) throws

  /// Reads one value's binary form from `reader` and appends its JSON to `writer`: the bytes
  /// that writing the value ``BinaryDecodable/init(from:)`` reads appends.
  ///
  /// - Throws: what reading or writing the value throws; `writer` may then hold part of it.
  static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter) throws
}

extension BinaryJSONTranscodable {
  /// Reads the value and drops it.
  @inlinable public static func skipBinary(in reader: inout BinaryReader) throws {
    _ = try Self(from: &reader)
  }

  /// Reads the value and writes it through whichever form it has (looked up at run time).
  @inlinable
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    try BinaryJSON.writeAny(try Self(from: &reader), to: &writer)
  }
}

extension BinaryJSONTranscodable where Self: JSONWritable {
  /// Reads the value and writes it with ``JSONWritable/writeJSON(to:)``.
  @inlinable
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    try Self(from: &reader).writeJSON(to: &writer)
  }
}

extension BinaryJSONTranscodable where Self: Encodable {
  /// Reads the value and writes it through `Encodable`, as ``JSONWriter`` writes such a value.
  @inlinable
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    try writer.value(try Self(from: &reader))
  }
}

extension BinaryJSONTranscodable where Self: JSONWritable & Encodable {
  /// Reads the value and writes it with ``JSONWritable/writeJSON(to:)``.
  @inlinable
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    try Self(from: &reader).writeJSON(to: &writer)
  }
}

/// The helpers of transcoders.
public enum BinaryJSON {
  /// Writes `value` as ``JSONWriter/value(_:)-(Value)`` writes it for its static type, the form
  /// found at run time: ``JSONWritable`` first, then `Encodable`.
  ///
  /// - Throws: ``JSONWriter/Unwritable`` for a value with neither form.
  public static func writeAny<Value>(_ value: Value, to writer: inout JSONWriter) throws {
    if let writable = value as? any JSONWritable {
      try writable.writeJSON(to: &writer)
    } else if let encodable = value as? any Encodable {
      try writeEncodable(encodable, to: &writer)
    } else {
      try writer.value(value)
    }
  }

  private static func writeEncodable<Value: Encodable>(
    _ value: Value, to writer: inout JSONWriter
  ) throws {
    try writer.value(value)
  }
}

// MARK: - Fields, as the coding macros' transcoders read them

extension BinaryReader {
  /// Steps over a field of a transcodable type.
  @inlinable public mutating func skip<Value: BinaryJSONTranscodable>(_: Value.Type) throws {
    try Value.skipBinary(in: &self)
  }

  /// Steps over a field of any binary type, by reading it.
  @inlinable public mutating func skip<Value: BinaryDecodable>(_: Value.Type) throws {
    _ = try Value(from: &self)
  }

  /// Reads an optional's presence flag, as ``read(_:)-(Value?.Type)`` does first: whether a
  /// value follows.
  @inlinable public mutating func readPresence() throws(BinaryDecodingError) -> Bool {
    try readPresenceFlag()
  }

  /// Writes a field of a transcodable type as its JSON.
  @inlinable public mutating func transcodeJSON<Value: BinaryJSONTranscodable>(
    _: Value.Type, to writer: inout JSONWriter
  ) throws {
    try Value.transcodeJSON(from: &self, to: &writer)
  }

  /// Writes a field of a transcodable type that writes itself, as its JSON.
  @inlinable public mutating func transcodeJSON<Value: BinaryJSONTranscodable & JSONWritable>(
    _: Value.Type, to writer: inout JSONWriter
  ) throws {
    try Value.transcodeJSON(from: &self, to: &writer)
  }

  /// Writes a field of a transcodable `Encodable` type as its JSON.
  @inlinable public mutating func transcodeJSON<Value: BinaryJSONTranscodable & Encodable>(
    _: Value.Type, to writer: inout JSONWriter
  ) throws {
    try Value.transcodeJSON(from: &self, to: &writer)
  }

  /// Writes a field of a transcodable type that writes itself (and is `Encodable`) as its JSON.
  @inlinable
  public mutating func transcodeJSON<
    Value: BinaryJSONTranscodable & JSONWritable & Encodable
  >(_: Value.Type, to writer: inout JSONWriter) throws {
    try Value.transcodeJSON(from: &self, to: &writer)
  }

  /// Reads a field that writes itself and writes it.
  @inlinable public mutating func transcodeJSON<Value: BinaryDecodable & JSONWritable>(
    _: Value.Type, to writer: inout JSONWriter
  ) throws {
    try Value(from: &self).writeJSON(to: &writer)
  }

  /// Reads an `Encodable` field and writes it through `Encodable`.
  @inlinable public mutating func transcodeJSON<Value: BinaryDecodable & Encodable>(
    _: Value.Type, to writer: inout JSONWriter
  ) throws {
    try writer.value(try Value(from: &self))
  }

  /// Reads a field that writes itself (and is `Encodable`) and writes it.
  @inlinable public mutating func transcodeJSON<Value: BinaryDecodable & JSONWritable & Encodable>(
    _: Value.Type, to writer: inout JSONWriter
  ) throws {
    try Value(from: &self).writeJSON(to: &writer)
  }

  /// Reads a field with no JSON form.
  ///
  /// - Throws: ``JSONWriter/Unwritable``, as ``JSONWriter`` throws for such a value.
  @inlinable public mutating func transcodeJSON<Value: BinaryDecodable>(
    _: Value.Type, to writer: inout JSONWriter
  ) throws {
    try writer.value(try Value(from: &self))
  }
}

// MARK: - The standard types

extension String: BinaryJSONTranscodable {
  /// Steps over the length and the bytes.
  @inlinable public static func skipBinary(in reader: inout BinaryReader) throws {
    try reader.skipString()
  }

  /// Writes the string's bytes quoted and escaped where they lie; text that is not ASCII is
  /// made into a `String` first, which repairs invalid UTF-8 as reading it does.
  @inlinable
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    writer.bytes.append(UInt8(ascii: "\""))
    try reader.appendStringContents(to: &writer)
    writer.bytes.append(UInt8(ascii: "\""))
  }
}

extension BinaryReader {
  /// Reads a length-prefixed string and appends its text to `writer`, escaped, without quotes:
  /// the bytes as they lie when they are ASCII, else the text of the `String` they make.
  @usableFromInline mutating func appendStringContents(to writer: inout JSONWriter)
    throws(BinaryDecodingError)
  {
    let count = try readLength()
    let at = try take(count, "string")
    let utf8 = UnsafeRawBufferPointer(rebasing: buffer[at..<at + count])
    if JSONText.isASCII(utf8) {
      JSONText.appendStringContents(
        utf8.assumingMemoryBound(to: UInt8.self), escapesSlashes: writer.escapesSlashes,
        to: &writer.bytes)
    } else {
      var text = String(decoding: utf8, as: UTF8.self)
      text.withUTF8 {
        JSONText.appendStringContents($0, escapesSlashes: writer.escapesSlashes, to: &writer.bytes)
      }
    }
  }
}

extension Optional: BinaryJSONTranscodable where Wrapped: BinaryJSONTranscodable {
  /// Steps over the presence flag and the value, if present.
  @inlinable public static func skipBinary(in reader: inout BinaryReader) throws {
    if try reader.readPresenceFlag() { try Wrapped.skipBinary(in: &reader) }
  }

  /// Writes the value, or `null`.
  @inlinable
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    if try reader.readPresenceFlag() {
      try Wrapped.transcodeJSON(from: &reader, to: &writer)
    } else {
      writer.null()
    }
  }
}

extension Array: BinaryJSONTranscodable where Element: BinaryJSONTranscodable {
  /// Steps over the count and the elements.
  @inlinable public static func skipBinary(in reader: inout BinaryReader) throws {
    let count = try reader.readCount()
    for _ in 0..<count { try Element.skipBinary(in: &reader) }
  }

  /// Writes the elements in order.
  @inlinable
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    let count = try reader.readCount()
    writer.beginArray()
    for index in 0..<count {
      if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
      try Element.transcodeJSON(from: &reader, to: &writer)
    }
    writer.endArray()
  }
}

extension Int: BinaryJSONTranscodable {}
extension Bool: BinaryJSONTranscodable {}
