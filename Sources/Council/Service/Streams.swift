import EventLog
import EventLogPersonalData
import Foundation

/// The council's stream names, one category per aggregate. A category is the part before
/// the first `-`, so categories here contain no `-`.
public enum Streams {
  /// `member-ID`: a member organization.
  public static func member(_ id: MemberID) -> StreamName {
    StreamName(category: "member", id: id.rawValue)
  }
  /// `account-ID`: a user account.
  public static func account(_ id: AccountID) -> StreamName {
    StreamName(category: "account", id: id.rawValue)
  }
  /// `email-DIGEST`: the reservation of a normalized e-mail address (unique across
  /// accounts). The stream is named by a ``Pseudonym`` of the address, never the address: a
  /// stream name cannot be erased.
  public static func email(_ address: String) -> StreamName {
    StreamName(category: "email", id: Pseudonym.of(normalizedEmail(address)))
  }
  /// `subscriber-DIGEST`: someone from the public subscribed to open lists, named by a
  /// ``Pseudonym`` of their normalized address.
  public static func subscriber(_ address: String) -> StreamName {
    StreamName(category: "subscriber", id: Pseudonym.of(normalizedEmail(address)))
  }
  /// `mailinglist-ID`: a mailing list and its rules.
  public static func mailingList(_ id: MailingListID) -> StreamName {
    StreamName(category: "mailinglist", id: id.rawValue)
  }
  /// `workinggroup-ID`: a working group and its meetings.
  public static func workingGroup(_ id: WorkingGroupID) -> StreamName {
    StreamName(category: "workinggroup", id: id.rawValue)
  }
  /// `resolution-ID`: a resolution.
  public static func resolution(_ id: ResolutionID) -> StreamName {
    StreamName(category: "resolution", id: id.rawValue)
  }
  /// `fund-ID`: a fund, its components and its budgets.
  public static func fund(_ id: FundID) -> StreamName {
    StreamName(category: "fund", id: id.rawValue)
  }
  /// `application-ID`: an application to a fund.
  public static func application(_ id: ApplicationID) -> StreamName {
    StreamName(category: "application", id: id.rawValue)
  }
  /// `gathering-ID`: a national consultation or conference, with its registrations,
  /// sessions, outcomes and evaluations.
  public static func gathering(_ id: GatheringID) -> StreamName {
    StreamName(category: "gathering", id: id.rawValue)
  }
  /// `council-ID`: the council's own settings (membership policy).
  public static func council(_ id: String) -> StreamName { StreamName(category: "council", id: id) }

  /// An e-mail address trimmed and lower-cased, so that `Ana@Example.org ` and
  /// `ana@example.org` are one address.
  public static func normalizedEmail(_ address: String) -> String {
    address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
  }
}
