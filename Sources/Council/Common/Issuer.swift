import EventLog

/// Who issues a command. Every command says who issues it, and every decider states who may
/// issue each command; a refusal is a typed error and appends nothing.
///
/// The member guide (`000_e44055bfb5ba5aef.txt`, "User accounts") describes two kinds of
/// accounts: a member organization's administrative account, created by the office on
/// approval, and individual accounts for board members, staff and volunteers in staff roles.
public enum Issuer: Hashable, Sendable, Codable, BinaryCodable, CustomStringConvertible {
  /// The council's office (its staff), optionally through a named account.
  case office
  /// A member organization's administrative account.
  case memberAdministrator(member: MemberID, account: AccountID)
  /// An individual account attached to a member organization.
  case individual(member: MemberID, account: AccountID)
  /// A member of the public, named as they gave their name.
  case publicPerson(name: String)

  /// Whether this is the office.
  public var isOffice: Bool { self == .office }

  /// The member organization the issuer acts for, if any.
  public var member: MemberID? {
    switch self {
    case .memberAdministrator(let member, _), .individual(let member, _): return member
    case .office, .publicPerson: return nil
    }
  }

  /// Whether this is `member`'s administrative account.
  public func isAdministrator(of member: MemberID) -> Bool {
    if case .memberAdministrator(member, _) = self { return true }
    return false
  }

  /// Whether this is any account of `member` (administrative or individual).
  public func acts(for member: MemberID) -> Bool { self.member == member }

  /// The issuer as the log records it in each event's metadata (`actor`): the description,
  /// but `public` alone for a member of the public, whose name would be personal data no key
  /// could erase.
  public var recordedActor: String {
    if case .publicPerson = self { return "public" }
    return description
  }

  /// A short description, such as `office` or `administrator of member 42`.
  public var description: String {
    switch self {
    case .office: return "office"
    case .memberAdministrator(let member, let account):
      return "administrator \(account) of member \(member)"
    case .individual(let member, let account): return "individual \(account) of member \(member)"
    case .publicPerson(let name): return "public: \(name)"
    }
  }

  /// Writes a tag byte and the fields.
  public func encode(to writer: inout BinaryWriter) {
    switch self {
    case .office:
      writer.writeByte(UInt8(0))
    case .memberAdministrator(let member, let account):
      writer.writeByte(UInt8(1))
      writer.write(member)
      writer.write(account)
    case .individual(let member, let account):
      writer.writeByte(UInt8(2))
      writer.write(member)
      writer.write(account)
    case .publicPerson(let name):
      writer.writeByte(UInt8(3))
      writer.write(name)
    }
  }

  /// Reads a tag byte and the fields.
  public init(from reader: inout BinaryReader) throws {
    let start = reader.offset
    switch try reader.read(UInt8.self) {
    case 0: self = .office
    case 1:
      self = .memberAdministrator(
        member: try reader.read(MemberID.self), account: try reader.read(AccountID.self))
    case 2:
      self = .individual(
        member: try reader.read(MemberID.self), account: try reader.read(AccountID.self))
    case 3: self = .publicPerson(name: try reader.read(String.self))
    case let tag: throw BinaryDecodingError(offset: start, reason: "issuer tag \(tag)")
    }
  }
}

/// A command refused because its issuer may not issue it.
public struct NotPermitted: Error, Hashable, Sendable, CustomStringConvertible {
  /// Who tried.
  public var issuer: Issuer
  /// What they tried, such as `approve a member`.
  public var action: String
  /// Who may, such as `the office`.
  public var allowed: String

  /// `action` and `allowed` complete the description: "ISSUER may not ACTION; only ALLOWED may".
  public init(_ issuer: Issuer, _ action: String, allowed: String) {
    self.issuer = issuer
    self.action = action
    self.allowed = allowed
  }

  /// `office may not withdraw a member; only the member's administrator or the office may`.
  public var description: String {
    "\(issuer) may not \(action); only \(allowed) may"
  }
}
