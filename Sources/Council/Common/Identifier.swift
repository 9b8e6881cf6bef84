import EventLog
import EventLogMacros

/// A typed identifier: `Identifier<MemberTag>` and `Identifier<AccountTag>` cannot be mixed up.
///
/// Identifiers are text (`member-42`'s ID is `42`); they appear in stream names, so they must
/// not be empty.
@BinaryCodable
public struct Identifier<Tag>: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  ExpressibleByStringLiteral, ExpressibleByStringInterpolation, CustomStringConvertible,
  BinaryCodable, JSONWritable, JSONReadable
{
  /// The identifier's text.
  public var rawValue: String

  /// Takes the text as is; it must not be empty, since it becomes part of a stream name.
  public init(rawValue: String) { self.rawValue = rawValue }

  /// The unlabelled form of ``init(rawValue:)``, as in `MemberID("42")`.
  public init(_ rawValue: String) { self.rawValue = rawValue }

  /// Lets code write `"42"` where an identifier is expected; the literal must not be empty.
  public init(stringLiteral value: String) { self.rawValue = value }

  /// The identifier's text.
  public var description: String { rawValue }

  /// Orders identifiers by their text.
  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

  /// Encodes the identifier as a bare string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }

  /// Writes the identifier as a bare string, as ``encode(to:)`` does.
  public func writeJSON(to writer: inout JSONWriter) { writer.string(rawValue) }

  /// Reads the identifier from a bare string, as ``init(from:)`` does.
  public init(json reader: JSONReader, at node: Int) throws {
    rawValue = try reader.string(at: node)
  }

  /// Decodes the identifier from a bare string.
  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }
}

extension Identifier {
  /// Steps over the identifier's text.
  public static func skipBinary(in reader: inout BinaryReader) throws {
    try String.skipBinary(in: &reader)
  }

  /// Writes the identifier's text in its binary form from the JSON text, as
  /// ``init(json:at:)`` and ``encode(to:)`` write it.
  public static func transcodeBinary(
    json reader: JSONReader, at node: Int, to writer: inout BinaryWriter
  ) throws {
    try String.transcodeBinary(json: reader, at: node, to: &writer)
  }

  /// Writes the identifier's text from where it lies, as ``writeJSON(to:)`` writes it.
  public static func transcodeJSON(from reader: inout BinaryReader, to writer: inout JSONWriter)
    throws
  {
    try String.transcodeJSON(from: &reader, to: &writer)
  }
}

/// Tags the identifiers of member organizations.
public enum MemberTag {}
/// Tags the identifiers of user accounts.
public enum AccountTag {}
/// Tags the identifiers of working groups.
public enum WorkingGroupTag {}
/// Tags the identifiers of resolutions.
public enum ResolutionTag {}
/// Tags the identifiers of funds.
public enum FundTag {}
/// Tags the identifiers of fund applications.
public enum ApplicationTag {}
/// Tags the identifiers of consultations and conferences.
public enum GatheringTag {}
/// Tags the identifiers of registrations.
public enum RegistrationTag {}
/// Tags the identifiers of sessions.
public enum SessionTag {}
/// Tags the identifiers of mailing lists.
public enum MailingListTag {}
/// Tags the identifiers of working-group meetings.
public enum MeetingTag {}

/// A member organization's identifier.
public typealias MemberID = Identifier<MemberTag>
/// A user account's identifier.
public typealias AccountID = Identifier<AccountTag>
/// A working group's identifier.
public typealias WorkingGroupID = Identifier<WorkingGroupTag>
/// A resolution's identifier.
public typealias ResolutionID = Identifier<ResolutionTag>
/// A fund's identifier.
public typealias FundID = Identifier<FundTag>
/// A fund application's identifier.
public typealias ApplicationID = Identifier<ApplicationTag>
/// A consultation's or conference's identifier.
public typealias GatheringID = Identifier<GatheringTag>
/// A registration's identifier.
public typealias RegistrationID = Identifier<RegistrationTag>
/// A session's identifier.
public typealias SessionID = Identifier<SessionTag>
/// A mailing list's identifier.
public typealias MailingListID = Identifier<MailingListTag>
/// A working-group meeting's identifier.
public typealias MeetingID = Identifier<MeetingTag>
