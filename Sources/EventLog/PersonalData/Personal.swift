import Foundation

/// A value that is a person's data: sealed with a data key of its subject when it is written,
/// read back still sealed, and shown only when opened.
///
/// An event type declares a field personal by giving it this type:
///
///     public var name: Personal<String>
///
/// In memory, a value is in one of three states (``Content``): revealed, as a command made it
/// or a protector opened it; sealed, as it was read from a log; or erased, when its subject was
/// forgotten. Reading a log never opens anything, so folds and rebuilds pay for no
/// cryptography and read models hold ciphertext; a value is opened where it is shown, by
/// `Council`'s `reveal` or a ``PersonalDataProtector``, subject to the reader's permission.
///
/// ## Encoding
/// A revealed value is written sealed: the bytes `FF 00`, the tag `1`, the subject
/// (``DataSubject/encode(to:)``) and the ciphertext (length-prefixed). It needs
/// ``BinaryWriter/sealer``; without one, or without a subject, the writer records a
/// ``PersonalDataError`` (``BinaryWriter/failure``) and the event is refused, never written in
/// plaintext. An erased value is written as `FF 00`, tag `2`, the subject. A payload written
/// before personal fields were sealed holds the plain value, which never begins with `FF 00`
/// (no canonical string length does): it reads back revealed, with no subject.
public struct Personal<Value: BinaryCodable & Hashable & Sendable>: Hashable, Sendable {
  /// What a personal value holds in memory.
  public enum Content: Hashable, Sendable {
    /// The value itself.
    case revealed(Value)
    /// The ciphertext read from a log, sealed with a data key of the subject.
    case sealed([UInt8])
    /// Nothing: the subject was forgotten.
    case erased
  }

  /// Whose data this is; `nil` only for a value not yet given to an event (a command's
  /// input) or read from a log written before personal fields were sealed.
  public var subject: DataSubject?
  /// The value, its ciphertext, or nothing.
  public var content: Content

  /// A revealed value of `subject`.
  @inlinable
  public init(_ value: Value, of subject: DataSubject? = nil) {
    self.subject = subject
    self.content = .revealed(value)
  }

  /// A value in any state.
  @inlinable
  public init(subject: DataSubject?, content: Content) {
    self.subject = subject
    self.content = content
  }

  /// The erased value of `subject`.
  public static func erased(of subject: DataSubject) -> Personal {
    Personal(subject: subject, content: .erased)
  }

  /// The value when it is revealed; `nil` when it is sealed or erased.
  public var revealed: Value? {
    if case .revealed(let value) = content { return value }
    return nil
  }

  /// Whether the subject was forgotten and the value is gone.
  public var isErased: Bool { content == .erased }

  /// The same value, of `subject`: how a decider gives a command's input to its person.
  public func of(_ subject: DataSubject) -> Personal {
    Personal(subject: subject, content: content)
  }
}

extension Personal: ExpressibleByStringLiteral, ExpressibleByUnicodeScalarLiteral,
  ExpressibleByExtendedGraphemeClusterLiteral, ExpressibleByStringInterpolation
where Value == String {
  /// A revealed string with no subject yet, for a command's input.
  public init(stringLiteral value: String) { self.init(value) }

  /// A revealed string with no subject yet, from an interpolation.
  public init(stringInterpolation: DefaultStringInterpolation) {
    self.init(String(stringInterpolation: stringInterpolation))
  }
}

extension Personal: CustomStringConvertible {
  /// The value when revealed; `‹sealed›` or `‹erased›` otherwise.
  public var description: String {
    switch content {
    case .revealed(let value): return "\(value)"
    case .sealed: return Personal.sealedMark
    case .erased: return Personal.erasedMark
    }
  }

  /// How a sealed value is shown where it was not opened: `‹sealed›`.
  public static var sealedMark: String { "‹sealed›" }
  /// How an erased value is shown: `‹erased›`.
  public static var erasedMark: String { "‹erased›" }
}

/// The bytes that begin a sealed or erased personal value.
@usableFromInline enum PersonalEncoding {
  @inlinable static var marker: (UInt8, UInt8) { (0xFF, 0x00) }
  @inlinable static var sealed: UInt8 { 1 }
  @inlinable static var erased: UInt8 { 2 }
}

extension Personal: BinaryEncodable, BinaryDecodable {
  /// Writes the value sealed (see the type's documentation).
  ///
  /// Inlinable, so that it is specialized for `Value` where an event's encoder calls it.
  @inlinable
  public func encode(to writer: inout BinaryWriter) {
    switch content {
    case .sealed(let ciphertext):
      guard let subject else {
        writer.fail(PersonalDataError(.noSubject, "a sealed value has no subject"))
        return
      }
      writer.writeSealed(ciphertext, of: subject)
    case .erased:
      guard let subject else {
        writer.fail(PersonalDataError(.noSubject, "an erased value has no subject"))
        return
      }
      writer.writeByte(PersonalEncoding.marker.0)
      writer.writeByte(PersonalEncoding.marker.1)
      writer.writeByte(PersonalEncoding.erased)
      subject.encode(to: &writer)
    case .revealed(let value):
      guard let subject else {
        writer.fail(
          PersonalDataError(
            .noSubject, "a personal value was given no data subject: it is not written"))
        return
      }
      guard let sealer = writer.sealer else {
        writer.fail(
          PersonalDataError(
            .noSealer, "no personal-data sealer: personal values are never written in plaintext",
            subject: subject))
        return
      }
      var plain = BinaryWriter(capacity: 64)
      value.encode(to: &plain)
      do {
        writer.writeSealed(try sealer.seal(plain.bytes, for: subject), of: subject)
      } catch {
        writer.fail(error)
      }
    }
  }

  /// Reads a sealed or erased value, or the plain value of a payload written before personal
  /// fields were sealed.
  ///
  /// Inlinable, so that it is specialized for `Value` where an event's decoder calls it.
  @inlinable
  public init(from reader: inout BinaryReader) throws {
    let start = reader.offset
    guard reader.remaining >= 3, reader.buffer[start] == PersonalEncoding.marker.0,
      reader.buffer[start + 1] == PersonalEncoding.marker.1
    else {
      self.init(try Value(from: &reader))
      return
    }
    _ = try reader.readRaw(count: 2)
    let tag = try reader.read(UInt8.self)
    let subject = try DataSubject(from: &reader)
    switch tag {
    case PersonalEncoding.sealed:
      self.init(subject: subject, content: .sealed(try reader.readBytes()))
    case PersonalEncoding.erased:
      self.init(subject: subject, content: .erased)
    default:
      throw BinaryDecodingError(offset: start + 2, reason: "personal value tag \(tag)")
    }
  }
}

extension BinaryWriter {
  @usableFromInline mutating func writeSealed(_ ciphertext: [UInt8], of subject: DataSubject) {
    writeByte(PersonalEncoding.marker.0)
    writeByte(PersonalEncoding.marker.1)
    writeByte(PersonalEncoding.sealed)
    subject.encode(to: &self)
    write(bytes: ciphertext)
  }
}

extension Personal: Codable where Value: Codable {
  private enum CodingKeys: String, CodingKey {
    case subject, value, sealed, erased
  }

  /// Writes `{"subject": …, "value": …}` when revealed, `{"subject": …, "sealed": base64}`
  /// when sealed, `{"subject": …, "erased": true}` when erased; a revealed value with no
  /// subject (read from a log written before personal fields were sealed) as the bare value,
  /// as that log's export has it.
  public func encode(to encoder: any Encoder) throws {
    if subject == nil, case .revealed(let value) = content {
      var single = encoder.singleValueContainer()
      try single.encode(value)
      return
    }
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encodeIfPresent(subject, forKey: .subject)
    switch content {
    case .revealed(let value): try container.encode(value, forKey: .value)
    case .sealed(let bytes):
      try container.encode(Data(bytes).base64EncodedString(), forKey: .sealed)
    case .erased: try container.encode(true, forKey: .erased)
    }
  }

  /// Reads what ``encode(to:)`` writes, or a bare value (an export written before personal
  /// fields were sealed) as a revealed value with no subject.
  public init(from decoder: any Decoder) throws {
    guard let container = try? decoder.container(keyedBy: CodingKeys.self),
      container.contains(.value) || container.contains(.sealed) || container.contains(.erased)
    else {
      self.init(try decoder.singleValueContainer().decode(Value.self))
      return
    }
    let subject = try container.decodeIfPresent(DataSubject.self, forKey: .subject)
    if container.contains(.value) {
      self.init(
        subject: subject, content: .revealed(try container.decode(Value.self, forKey: .value)))
    } else if container.contains(.sealed) {
      let text = try container.decode(String.self, forKey: .sealed)
      guard let data = Data(base64Encoded: text) else {
        throw DecodingError.dataCorruptedError(
          forKey: .sealed, in: container, debugDescription: "not base64")
      }
      self.init(subject: subject, content: .sealed(Array(data)))
    } else {
      self.init(subject: subject, content: .erased)
    }
  }
}

extension Personal: JSONWritable where Value: JSONWritable {
  /// Writes what ``encode(to:)`` encodes, keys sorted: `{"subject":…,"value":…}` when
  /// revealed, `{"sealed":base64,"subject":…}` when sealed, `{"erased":true,"subject":…}`
  /// when erased, a revealed value with no subject as the bare value.
  ///
  /// Inlinable, so that it is specialized for `Value` where an event's writer calls it.
  @inlinable
  public func writeJSON(to writer: inout JSONWriter) throws {
    if subject == nil, case .revealed(let value) = content {
      try value.writeJSON(to: &writer)
      return
    }
    // The keys in their order: "erased" and "sealed" sort before "subject", "value" after it.
    writer.beginObject()
    switch content {
    case .erased:
      writer.key("erased" as StaticString)
      writer.bool(true)
    case .sealed(let bytes):
      writer.key("sealed" as StaticString)
      writer.base64(bytes)
    case .revealed: break
    }
    if let subject {
      writer.key("subject" as StaticString)
      subject.writeJSON(to: &writer)
    }
    if case .revealed(let value) = content {
      writer.key("value" as StaticString)
      try value.writeJSON(to: &writer)
    }
    writer.endObject()
  }
}

extension Personal: BinaryJSONTranscodable where Value: BinaryJSONTranscodable & JSONWritable {
  /// Steps over a sealed or erased value (its subject and ciphertext), or a plain one.
  @inlinable public static func skipBinary(in reader: inout BinaryReader) throws {
    let start = reader.offset
    guard reader.remaining >= 3, reader.buffer[start] == PersonalEncoding.marker.0,
      reader.buffer[start + 1] == PersonalEncoding.marker.1
    else {
      try Value.skipBinary(in: &reader)
      return
    }
    _ = try reader.readRaw(count: 2)
    let tag = try reader.read(UInt8.self)
    try DataSubject.skipBinary(in: &reader)
    switch tag {
    case PersonalEncoding.sealed: try reader.skipBytes()
    case PersonalEncoding.erased: break
    default: throw BinaryDecodingError(offset: start + 2, reason: "personal value tag \(tag)")
    }
  }

  /// Writes what ``writeJSON(to:)`` writes for the value read, the ciphertext's base64 written
  /// from where it lies.
  @inlinable
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    let start = reader.offset
    guard reader.remaining >= 3, reader.buffer[start] == PersonalEncoding.marker.0,
      reader.buffer[start + 1] == PersonalEncoding.marker.1
    else {
      // A plain value has no subject: its JSON is the bare value.
      try Value.transcodeJSON(from: &reader, to: &writer)
      return
    }
    _ = try reader.readRaw(count: 2)
    let tag = try reader.read(UInt8.self)
    var subject = reader
    try DataSubject.skipBinary(in: &reader)
    writer.beginObject()
    switch tag {
    case PersonalEncoding.sealed:
      let ciphertext = try reader.readRawBytes()
      writer.key("sealed" as StaticString)
      writer.base64(ciphertext)
    case PersonalEncoding.erased:
      writer.key("erased" as StaticString)
      writer.bool(true)
    default: throw BinaryDecodingError(offset: start + 2, reason: "personal value tag \(tag)")
    }
    writer.key("subject" as StaticString)
    try DataSubject.transcodeJSON(from: &subject, to: &writer)
    writer.endObject()
  }
}
