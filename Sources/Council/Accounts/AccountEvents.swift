import EventLog
import EventLogMacros

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
@BinaryEvent
public struct AdministrativeAccountCreated: CouncilEvent {
  /// The account's identifier; its stream is `account-` followed by it.
  public var account: AccountID
  /// The member organization it administers.
  public var member: MemberID
  /// The person or office it is for.
  public var name: Personal<String>
  /// Its e-mail address (unique across all accounts).
  public var email: Personal<String>
  /// The day it was created.
  public var on: Day
}

/// An individual account was created for a board member, staff member or volunteer.
@BinaryEvent
public struct IndividualAccountCreated: CouncilEvent {
  /// The account's identifier; its stream is `account-` followed by it.
  public var account: AccountID
  /// The member organization the person belongs to.
  public var member: MemberID
  /// The person's name.
  public var name: Personal<String>
  /// Its e-mail address (unique across all accounts).
  public var email: Personal<String>
  /// The person's role.
  public var role: AccountRole
  /// The day it was created.
  public var on: Day
}

/// An account was deactivated.
@BinaryEvent
public struct AccountDeactivated: CouncilEvent {
  /// The day it was deactivated.
  public var on: Day
  /// Why.
  public var reason: String
}

/// An account subscribed to a mailing list.
@BinaryEvent
public struct AccountSubscribed: CouncilEvent {
  /// The list subscribed to; the account was not already on it.
  public var list: MailingListID
  /// The day it subscribed.
  public var on: Day
}

/// An account left a mailing list.
@BinaryEvent
public struct AccountUnsubscribed: CouncilEvent {
  /// The list left; the account was on it.
  public var list: MailingListID
  /// The day it unsubscribed.
  public var on: Day
}

/// Every event of an account's stream (`account-ID`).
@EventFamily(CouncilEvent.self)
public enum AccountEvent: CouncilEventFamily {
  case administrativeCreated(AdministrativeAccountCreated)
  case individualCreated(IndividualAccountCreated)
  case deactivated(AccountDeactivated)
  case subscribed(AccountSubscribed)
  case unsubscribed(AccountUnsubscribed)
}

/// The reservation of an e-mail address by an account (stream `email-DIGEST`, see
/// ``Streams/email(_:)``): appended with expected version "no stream", so two accounts can
/// never hold one address, without locks.
@BinaryEvent
public struct EmailReserved: CouncilEvent {
  /// The normalized address, personal data of the account's holder.
  public var address: Personal<String>
  /// The account holding it.
  public var account: AccountID
}
