import Foundation

/// A type whose JSON can be written in its binary form directly, without the value being made
/// in between: what an import does with every payload.
///
/// ``transcodeBinary(json:at:to:)`` appends the bytes that ``BinaryEncodable/encode(to:)``
/// writes for the value ``JSONReadable/init(json:at:)`` reads at the node. It may refuse what
/// the reader would accept (the caller then reads the value and encodes it), but it never
/// accepts what the reader refuses. The default reads the value and encodes it; the coding
/// macros write a transcoder for a struct from its stored fields, and `String`, arrays and
/// optionals of such types, and sealed or erased personal values are written from the text.
///
/// ```swift
/// let reader = JSONReader(line)!  // {"data":{…},…}
/// var writer = BinaryWriter()
/// try MemberApplied.transcodeBinary(json: reader, at: reader.member("data", of: 0), to: &writer)
/// ```
public protocol JSONBinaryTranscodable: JSONReadable, BinaryEncodable {
  /// Appends the binary form of the value the JSON at `node` holds to `writer`: the bytes
  /// ``BinaryEncodable/encode(to:)`` writes for the value ``JSONReadable/init(json:at:)`` reads.
  ///
  /// - Throws: where the reader throws, and wherever the transcoder leaves the JSON to the
  ///   reader; `writer` may then hold part of the value.
  static func transcodeBinary(json reader: JSONReader, at node: Int, to writer: inout BinaryWriter)
    throws
}

extension JSONBinaryTranscodable {
  /// Reads the value and encodes it.
  @inlinable
  public static func transcodeBinary(
    json reader: JSONReader, at node: Int, to writer: inout BinaryWriter
  ) throws {
    try Self(json: reader, at: node).encode(to: &writer)
  }
}

// MARK: - Fields, as the coding macros' transcoders read them

extension JSONReader {
  /// Writes the binary form of a field of a transcodable type.
  @inlinable public func transcodeBinary<Value: JSONBinaryTranscodable>(
    _: Value.Type, at node: Int, to writer: inout BinaryWriter
  ) throws {
    try Value.transcodeBinary(json: self, at: node, to: &writer)
  }

  /// Writes the binary form of a field of a transcodable (and `Decodable`) type.
  @inlinable public func transcodeBinary<Value: JSONBinaryTranscodable & Decodable>(
    _: Value.Type, at node: Int, to writer: inout BinaryWriter
  ) throws {
    try Value.transcodeBinary(json: self, at: node, to: &writer)
  }

  /// Reads a field that reads itself and encodes it.
  @inlinable public func transcodeBinary<Value: JSONReadable & BinaryEncodable>(
    _: Value.Type, at node: Int, to writer: inout BinaryWriter
  ) throws {
    try Value(json: self, at: node).encode(to: &writer)
  }

  /// Reads a field that reads itself (and is `Decodable`) and encodes it.
  @inlinable public func transcodeBinary<Value: JSONReadable & Decodable & BinaryEncodable>(
    _: Value.Type, at node: Int, to writer: inout BinaryWriter
  ) throws {
    try Value(json: self, at: node).encode(to: &writer)
  }

  /// Reads a `Decodable` field through `Decodable`, as the generated reader reads it, and
  /// encodes it.
  @inlinable public func transcodeBinary<Value: Decodable & BinaryEncodable>(
    _: Value.Type, at node: Int, to writer: inout BinaryWriter
  ) throws {
    try value(Value.self, at: node).encode(to: &writer)
  }

  /// A field with no JSON form.
  ///
  /// - Throws: what ``value(_:at:)-(Value.Type,_)`` throws for it.
  @inlinable public func transcodeBinary<Value: BinaryEncodable>(
    _: Value.Type, at node: Int, to writer: inout BinaryWriter
  ) throws {
    try value(Value.self, at: node).encode(to: &writer)
  }

  /// Writes the bytes of a plain string node (one without escapes) as a binary string; `false`
  /// for any other node.
  @usableFromInline func writePlainString(_ node: Int, to writer: inout BinaryWriter) -> Bool {
    tape.withPlainString(node) { bytes -> Bool? in
      writer.writeVariableLength(UInt64(bytes.count))
      writer.writeRaw(bytes)
      return true
    } ?? false
  }
}

// MARK: - The standard types

extension String: JSONBinaryTranscodable {
  /// Copies a plain string's bytes from the text; unescapes an escaped one first.
  @inlinable
  public static func transcodeBinary(
    json reader: JSONReader, at node: Int, to writer: inout BinaryWriter
  ) throws {
    if reader.writePlainString(node, to: &writer) { return }
    writer.write(try reader.string(at: node))
  }
}

extension Optional: JSONBinaryTranscodable where Wrapped: JSONBinaryTranscodable {
  /// Writes `null` as absent, anything else as present and the value.
  @inlinable
  public static func transcodeBinary(
    json reader: JSONReader, at node: Int, to writer: inout BinaryWriter
  ) throws {
    if reader.isNull(node) {
      writer.writeByte(0)
    } else {
      writer.writeByte(1)
      try Wrapped.transcodeBinary(json: reader, at: node, to: &writer)
    }
  }
}

extension Array: JSONBinaryTranscodable where Element: JSONBinaryTranscodable {
  /// Writes the count and each element.
  @inlinable
  public static func transcodeBinary(
    json reader: JSONReader, at node: Int, to writer: inout BinaryWriter
  ) throws {
    let elements = try reader.elements(of: node)
    writer.writeVariableLength(UInt64(elements.count))
    for element in elements {
      try Element.transcodeBinary(json: reader, at: element, to: &writer)
    }
  }
}

extension Int: JSONBinaryTranscodable {}
extension Bool: JSONBinaryTranscodable {}

extension DataSubject: JSONBinaryTranscodable {
  /// Writes the kind and the identifier from a plain string's bytes, split at its first colon.
  public static func transcodeBinary(
    json reader: JSONReader, at node: Int, to writer: inout BinaryWriter
  ) throws {
    let written = reader.tape.withPlainString(node) { bytes -> Bool? in
      guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
        colon + 1 < bytes.count
      else { return false }
      writer.writeVariableLength(UInt64(colon))
      writer.writeRaw(UnsafeBufferPointer(rebasing: bytes[..<colon]))
      writer.writeVariableLength(UInt64(bytes.count - colon - 1))
      writer.writeRaw(UnsafeBufferPointer(rebasing: bytes[(colon + 1)...]))
      return true
    }
    switch written {
    case true: return
    case false: throw JSONNotFollowed()
    case nil: try Self(json: reader, at: node).encode(to: &writer)
    }
  }
}

extension Personal: JSONBinaryTranscodable where Value: JSONBinaryTranscodable {
  /// Writes a sealed or erased value with its subject from the text, the ciphertext decoded
  /// from its base64 where it lies; leaves a revealed or bare value, which must be sealed, to
  /// the reader (it throws).
  public static func transcodeBinary(
    json reader: JSONReader, at node: Int, to writer: inout BinaryWriter
  ) throws {
    // Only an object with a subject and `sealed` or `erased` is written here; the reader reads
    // any other form (and a value read with no subject fails to encode).
    guard reader.kind(of: node) == .object, !reader.contains("value", in: node),
      let subject = reader.optionalMember("subject", of: node)
    else { throw JSONNotFollowed() }
    try reader.object(node)
    if let sealed = reader.optionalMember("sealed", of: node) {
      writer.writeByte(PersonalEncoding.marker.0)
      writer.writeByte(PersonalEncoding.marker.1)
      writer.writeByte(PersonalEncoding.sealed)
      try DataSubject.transcodeBinary(json: reader, at: subject, to: &writer)
      guard reader.writeBase64(sealed, to: &writer) else { throw JSONNotFollowed() }
    } else if reader.contains("erased", in: node) {
      writer.writeByte(PersonalEncoding.marker.0)
      writer.writeByte(PersonalEncoding.marker.1)
      writer.writeByte(PersonalEncoding.erased)
      try DataSubject.transcodeBinary(json: reader, at: subject, to: &writer)
    } else {
      throw JSONNotFollowed()
    }
  }
}

extension JSONReader {
  /// Decodes the base64 text of string `node` and writes it as a binary byte array; `false`
  /// (nothing written) for text this does not follow: anything but canonical padded base64,
  /// with `\/` read as `/` (as an export that escapes slashes writes it). What it follows,
  /// `Data(base64Encoded:)` decodes to the same bytes.
  @usableFromInline func writeBase64(_ node: Int, to writer: inout BinaryWriter) -> Bool {
    let found = tape.nodes[node]
    guard found.kind == .string || found.kind == .escapedString else { return false }
    return tape.bytes.withUnsafeBufferPointer { buffer -> Bool in
      let text = UnsafeBufferPointer(rebasing: buffer[Int(found.start)..<Int(found.end)])
      var sextets: [UInt8] = []
      sextets.reserveCapacity(text.count)
      var padding = 0
      var index = 0
      while index < text.count {
        var byte = text[index]
        index += 1
        if byte == UInt8(ascii: "\\") {
          guard index < text.count, text[index] == UInt8(ascii: "/") else { return false }
          byte = UInt8(ascii: "/")
          index += 1
        }
        if byte == UInt8(ascii: "=") {
          padding += 1
          continue
        }
        guard padding == 0, let value = Self.base64Values[Int(byte)] else { return false }
        sextets.append(value)
      }
      guard (sextets.count + padding) % 4 == 0, padding <= 2, sextets.count % 4 != 1,
        padding == (4 - sextets.count % 4) % 4
      else { return false }
      let count = sextets.count * 6 / 8
      var bytes: [UInt8] = []
      bytes.reserveCapacity(count)
      var group = 0
      while group + 4 <= sextets.count {
        let bits =
          UInt32(sextets[group]) << 18 | UInt32(sextets[group + 1]) << 12
          | UInt32(sextets[group + 2]) << 6 | UInt32(sextets[group + 3])
        bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
        bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
        bytes.append(UInt8(truncatingIfNeeded: bits))
        group += 4
      }
      let left = sextets.count - group
      if left == 2 {
        let bits = UInt32(sextets[group]) << 18 | UInt32(sextets[group + 1]) << 12
        // Canonical text leaves the unused bits zero.
        guard bits & 0xFFFF == 0 else { return false }
        bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
      } else if left == 3 {
        let bits =
          UInt32(sextets[group]) << 18 | UInt32(sextets[group + 1]) << 12
          | UInt32(sextets[group + 2]) << 6
        guard bits & 0xFF == 0 else { return false }
        bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
        bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
      }
      writer.write(bytes: bytes)
      return true
    }
  }

  /// Each byte's value in base64's alphabet, `nil` for a byte that is not in it.
  static let base64Values: [UInt8?] = {
    var values = [UInt8?](repeating: nil, count: 256)
    for (value, letter) in JSONText.base64Alphabet.enumerated() {
      values[Int(letter)] = UInt8(value)
    }
    return values
  }()
}
