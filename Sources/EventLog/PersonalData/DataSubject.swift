/// A person whose data the log holds: a participant, an account holder, a fund applicant.
///
/// Every ``Personal`` value names its subject, and each subject has data keys of its own, so
/// that forgetting one person destroys their keys and nobody else's. The identifier is chosen
/// by the domain (a registration, an account, an application) and is never itself personal
/// data: it is stored in plaintext, beside the ciphertext it keys.
public struct DataSubject: Hashable, Sendable, Comparable, Codable, CustomStringConvertible,
  LosslessStringConvertible
{
  /// What kind of person a subject is, such as `participant` or `account`.
  public struct Kind: RawRepresentable, Hashable, Sendable, Comparable, Codable,
    ExpressibleByStringLiteral, CustomStringConvertible
  {
    /// The kind's name: letters, digits and `-`, no `:`.
    public var rawValue: String

    /// Creates a kind named `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates a kind from a literal name.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The kind's name.
    public var description: String { rawValue }

    /// Orders kinds by name.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
  }

  /// What kind of person this is.
  public var kind: Kind
  /// The subject's identifier within its kind, such as `irrc-2018/r-0042`.
  public var id: String

  /// Creates a subject of `kind` identified by `id`.
  public init(_ kind: Kind, _ id: String) {
    self.kind = kind
    self.id = id
  }

  /// Parses the `kind:id` form that ``description`` writes; `nil` without a `:` or with an
  /// empty part.
  public init?(_ description: String) {
    // The colon is found among the bytes, not the characters: a character view would look
    // for a colon that stands alone as a character, and cost more.
    let utf8 = description.utf8
    guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
    let kind = utf8[..<colon]
    let id = utf8[utf8.index(after: colon)...]
    guard !kind.isEmpty, !id.isEmpty else { return nil }
    self.init(
      Kind(rawValue: String(decoding: kind, as: UTF8.self)), String(decoding: id, as: UTF8.self))
  }

  /// `kind:id`, such as `participant:irrc-2018/r-0042`.
  public var description: String { "\(kind.rawValue):\(id)" }

  /// Orders subjects by kind, then identifier.
  public static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.kind.rawValue, lhs.id) < (rhs.kind.rawValue, rhs.id)
  }

  /// Writes the `kind:id` form as a single string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// Reads the `kind:id` form.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let subject = DataSubject(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "not a data subject (kind:id): \(text)")
    }
    self = subject
  }
}

extension DataSubject: BinaryEncodable, BinaryDecodable {
  /// Writes the kind, then the identifier, as two strings.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(kind.rawValue)
    writer.write(id)
  }

  /// Reads what ``encode(to:)`` wrote.
  public init(from reader: inout BinaryReader) throws {
    let kind = try reader.read(String.self)
    let id = try reader.read(String.self)
    self.init(Kind(rawValue: kind), id)
  }
}

extension DataSubject: JSONWritable {
  /// Writes the `kind:id` form as a string, as ``encode(to:)`` does.
  public func writeJSON(to writer: inout JSONWriter) { writer.string(description) }
}

extension DataSubject: BinaryJSONTranscodable {
  /// Steps over the kind and the identifier.
  public static func skipBinary(in reader: inout BinaryReader) throws {
    try reader.skipString()
    try reader.skipString()
  }

  /// Writes `"kind:id"` from the bytes where they lie, as ``writeJSON(to:)`` writes it.
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    writer.bytes.append(UInt8(ascii: "\""))
    try reader.appendStringContents(to: &writer)
    writer.bytes.append(UInt8(ascii: ":"))
    try reader.appendStringContents(to: &writer)
    writer.bytes.append(UInt8(ascii: "\""))
  }
}
