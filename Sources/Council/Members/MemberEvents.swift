import EventLog
import EventLogMacros

// The member organization's life, from the member guide (`000_e44055bfb5ba5aef.txt`):
// organizations apply and are approved as members by the council's office ("created by the
// CCR office once approved as a member"), and the member directory lets members "search
// member organizations, by region, by services offered and by target client group".

/// What the directory shows of a member organization.
@BinaryCodable
public struct MemberProfile: Hashable, Sendable, Codable, BinaryCodable {
  /// The name in English.
  public var nameEnglish: String
  /// The name in French.
  public var nameFrench: String
  /// The province or territory.
  public var region: String
  /// The city the organization is based in, one of the directory's search terms.
  public var city: String
  /// Services offered, such as `settlement` or `legal information`.
  public var services: [String] = []
  /// Target client groups, such as `refugee claimants` or `youth`.
  public var clientGroups: [String] = []
  /// Languages services are offered in.
  public var languages: [String] = []
  /// How to reach the organization.
  public var contact: String = ""
}

/// An organization applied for membership.
@BinaryEvent
public struct MemberApplied: CouncilEvent {
  /// The applicant organization's identifier; its stream is `member-` followed by it.
  public var member: MemberID
  /// The profile as the applicant gave it; it may change later (``MemberProfileUpdated``).
  public var profile: MemberProfile
  /// The day it applied.
  public var on: Day
}

/// The office approved the application: the member joins, and its first term begins.
@BinaryEvent
public struct MemberApproved: CouncilEvent {
  /// The day it joined: it never changes, whatever happens later.
  public var joinedOn: Day
  /// The first term's last day.
  public var termEnds: Day
  /// Days after a term's end during which a renewal still extends it.
  public var graceDays: Int
  /// The administrative account the office creates with the approval.
  public var administrativeAccount: AccountID
}

/// The office rejected the application.
@BinaryEvent
public struct MemberRejected: CouncilEvent {
  /// The day of the decision.
  public var on: Day
  /// Why.
  public var reason: String
}

/// The member's profile changed.
@BinaryEvent
public struct MemberProfileUpdated: CouncilEvent {
  /// The whole new profile.
  public var profile: MemberProfile
}

/// The member renewed. Within its term or grace period the term is extended; after it
/// lapsed, a new term starts and the gap between the terms stays in the history.
@BinaryEvent
public struct MembershipRenewed: CouncilEvent {
  /// The day of the renewal.
  public var on: Day
  /// The first day of the term this renewal belongs to: the current term's start when it
  /// extends it, the renewal day when it starts a new term.
  public var termStarts: Day
  /// The term's new last day.
  public var termEnds: Day
  /// Whether the renewal started a new term after a lapse (a rejoin).
  public var startsNewTerm: Bool
}

/// The member's term and grace period passed without a renewal.
@BinaryEvent
public struct MembershipLapsed: CouncilEvent {
  /// The day it was recorded.
  public var on: Day
}

/// The member withdrew from the council.
@BinaryEvent
public struct MemberWithdrew: CouncilEvent {
  /// The day it withdrew.
  public var on: Day
  /// Why, as given.
  public var reason: String
}

/// The office reinstated a lapsed or withdrawn member: a new term starts.
@BinaryEvent
public struct MemberReinstated: CouncilEvent {
  /// The new term's first day.
  public var termStarts: Day
  /// The new term's last day.
  public var termEnds: Day
}

/// Every event of a member organization's stream (`member-ID`).
@EventFamily(CouncilEvent.self)
public enum MemberEvent: CouncilEventFamily {
  case applied(MemberApplied)
  case approved(MemberApproved)
  case rejected(MemberRejected)
  case profileUpdated(MemberProfileUpdated)
  case renewed(MembershipRenewed)
  case lapsed(MembershipLapsed)
  case withdrew(MemberWithdrew)
  case reinstated(MemberReinstated)
}
