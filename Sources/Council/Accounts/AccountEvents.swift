import EventLog

// User accounts, from the member guide (`000_e44055bfb5ba5aef.txt`, "User accounts"):
// "Administrative user accounts: All member organizations automatically receive an
// administrative user account, created by the CCR office once approved as a member" and
// "Individual user accounts: These accounts are attached to individuals (board members,
// staff, and volunteers filling a staff role)." Member mailings go "to the email address of
// all user accounts" ("Member mailings").

/// The role of the person an individual account is for.
public enum AccountRole: String, TextEnum {
  /// A member of the organization's board.
  case boardMember
  /// A staff member.
  case staff
  /// A volunteer filling a staff role.
  case volunteerInStaffRole
}

/// The office created a member's administrative account (with the member's approval).
public struct AdministrativeAccountCreated: CouncilEvent {
  /// `AdministrativeAccountCreated`.
  public static let eventType = "AdministrativeAccountCreated"
  /// The account.
  public var account: AccountID
  /// The member organization it administers.
  public var member: MemberID
  /// The person or office it is for.
  public var name: String
  /// Its e-mail address (unique across all accounts).
  public var email: String
  /// The day it was created.
  public var on: Day

  /// Creates the event.
  public init(account: AccountID, member: MemberID, name: String, email: String, on: Day) {
    self.account = account
    self.member = member
    self.name = name
    self.email = email
    self.on = on
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(account)
    writer.write(member)
    writer.write(name)
    writer.write(email)
    writer.write(on)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      account: try reader.read(AccountID.self), member: try reader.read(MemberID.self),
      name: try reader.read(String.self), email: try reader.read(String.self),
      on: try reader.read(Day.self))
  }
}

/// An individual account was created for a board member, staff member or volunteer.
public struct IndividualAccountCreated: CouncilEvent {
  /// `IndividualAccountCreated`.
  public static let eventType = "IndividualAccountCreated"
  /// The account.
  public var account: AccountID
  /// The member organization the person belongs to.
  public var member: MemberID
  /// The person's name.
  public var name: String
  /// Its e-mail address (unique across all accounts).
  public var email: String
  /// The person's role.
  public var role: AccountRole
  /// The day it was created.
  public var on: Day

  /// Creates the event.
  public init(
    account: AccountID, member: MemberID, name: String, email: String, role: AccountRole, on: Day
  ) {
    self.account = account
    self.member = member
    self.name = name
    self.email = email
    self.role = role
    self.on = on
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(account)
    writer.write(member)
    writer.write(name)
    writer.write(email)
    writer.write(role)
    writer.write(on)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      account: try reader.read(AccountID.self), member: try reader.read(MemberID.self),
      name: try reader.read(String.self), email: try reader.read(String.self),
      role: try reader.read(AccountRole.self), on: try reader.read(Day.self))
  }
}

/// An account was deactivated.
public struct AccountDeactivated: CouncilEvent {
  /// `AccountDeactivated`.
  public static let eventType = "AccountDeactivated"
  /// The day.
  public var on: Day
  /// Why.
  public var reason: String

  /// Creates the event.
  public init(on: Day, reason: String) {
    self.on = on
    self.reason = reason
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(on: try reader.read(Day.self), reason: try reader.read(String.self))
  }
}

/// An account subscribed to a mailing list.
public struct AccountSubscribed: CouncilEvent {
  /// `AccountSubscribed`.
  public static let eventType = "AccountSubscribed"
  /// The list.
  public var list: MailingListID
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(list: MailingListID, on: Day) {
    self.list = list
    self.on = on
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(list)
    writer.write(on)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(list: try reader.read(MailingListID.self), on: try reader.read(Day.self))
  }
}

/// An account left a mailing list.
public struct AccountUnsubscribed: CouncilEvent {
  /// `AccountUnsubscribed`.
  public static let eventType = "AccountUnsubscribed"
  /// The list.
  public var list: MailingListID
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(list: MailingListID, on: Day) {
    self.list = list
    self.on = on
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(list)
    writer.write(on)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(list: try reader.read(MailingListID.self), on: try reader.read(Day.self))
  }
}

/// Every event of an account's stream (`account-ID`).
public enum AccountEvent: RecordableEvent, Equatable {
  /// See ``AdministrativeAccountCreated``.
  case administrativeCreated(AdministrativeAccountCreated)
  /// See ``IndividualAccountCreated``.
  case individualCreated(IndividualAccountCreated)
  /// See ``AccountDeactivated``.
  case deactivated(AccountDeactivated)
  /// See ``AccountSubscribed``.
  case subscribed(AccountSubscribed)
  /// See ``AccountUnsubscribed``.
  case unsubscribed(AccountUnsubscribed)

  /// Each case's type and how to read it.
  public static let decoders = PayloadDecoders<AccountEvent>(
    .binary(AdministrativeAccountCreated.self, Self.administrativeCreated),
    .binary(IndividualAccountCreated.self, Self.individualCreated),
    .binary(AccountDeactivated.self, Self.deactivated),
    .binary(AccountSubscribed.self, Self.subscribed),
    .binary(AccountUnsubscribed.self, Self.unsubscribed))

  /// The payload, whatever the case.
  public var payload: any CouncilEvent {
    switch self {
    case .administrativeCreated(let e): return e
    case .individualCreated(let e): return e
    case .deactivated(let e): return e
    case .subscribed(let e): return e
    case .unsubscribed(let e): return e
    }
  }

  /// The case's type name.
  public var eventType: String { type(of: payload).eventType }

  /// Writes the payload.
  public func encodePayload(to writer: inout BinaryWriter) { payload.encode(to: &writer) }

}

/// The reservation of an e-mail address by an account (stream `email-ADDRESS`): appended with
/// expected version "no stream", so two accounts can never hold one address, without locks.
public struct EmailReserved: CouncilEvent {
  /// `EmailReserved`.
  public static let eventType = "EmailReserved"
  /// The normalized address.
  public var address: String
  /// The account holding it.
  public var account: AccountID

  /// Creates the event.
  public init(address: String, account: AccountID) {
    self.address = address
    self.account = account
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(address)
    writer.write(account)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(address: try reader.read(String.self), account: try reader.read(AccountID.self))
  }
}
