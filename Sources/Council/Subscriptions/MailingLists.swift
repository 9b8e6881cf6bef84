import EventLog
import EventLogMacros
import Foundation

// Mailings and lists, from the member guide (`000_e44055bfb5ba5aef.txt`, "KEEPING YOU
// INFORMED" and "Anti-Trafficking"): member mailings go to "the email address of all user
// accounts"; the Chronicle is "available to all"; "The CCRLIST is open to everyone except
// media and government representatives"; and there is a trafficking newsletter. The lists
// and their rules are data, recorded by ``MailingListEstablished``.

/// Who may subscribe to a list.
public enum ListAudience: String, TextEnum {
  /// Only user accounts (member mailings).
  case accounts
  /// Anyone: accounts and members of the public, less the excluded affiliations.
  case anyone
}

/// The office established a mailing list and its rules.
@BinaryEvent
public struct MailingListEstablished: CouncilEvent {
  /// The list's identifier; its stream is `mailinglist-` followed by it.
  public var list: MailingListID
  /// Its name, such as `CCRLIST`.
  public var name: String
  /// Who may subscribe.
  public var audience: ListAudience
  /// Affiliations refused, such as `media` and `government` for the CCRLIST.
  public var excludedAffiliations: [String] = []
}

/// A mailing list as its stream (`mailinglist-ID`) folds.
public struct MailingList: Sendable, Hashable {
  /// The identifier the list's stream (`mailinglist-ID`) is named after.
  public var id: MailingListID
  /// The name subscribers know, such as `CCRLIST`.
  public var name: String
  /// Who may subscribe.
  public var audience: ListAudience
  /// Affiliations refused, lower-cased.
  public var excludedAffiliations: Set<String>

  /// Lower-cases the excluded affiliations, so that refusing one ignores case.
  public init(
    id: MailingListID, name: String, audience: ListAudience, excludedAffiliations: Set<String>
  ) {
    self.id = id
    self.name = name
    self.audience = audience
    self.excludedAffiliations = Set(excludedAffiliations.map { $0.lowercased() })
  }
}

/// A subscriber from the public joined a list open to anyone.
@BinaryEvent
public struct PublicSubscribed: CouncilEvent {
  /// The list joined, which must be open to anyone and not exclude the affiliation.
  public var list: MailingListID
  /// The subscriber's name, personal data of ``DataSubject/Kind/subscriber``.
  public var name: Personal<String>
  /// The subscriber's affiliation, such as `ngo`, `academic`, `media` or `government`.
  public var affiliation: String
  /// The day the person subscribed.
  public var on: Day
  /// The address subscribed (recorded since personal data is sealed: before, the stream's
  /// name held it).
  public var email: Personal<String>? = nil
}

/// A subscriber from the public left a list.
@BinaryEvent
public struct PublicUnsubscribed: CouncilEvent {
  /// The list the subscriber leaves.
  public var list: MailingListID
  /// The day the person unsubscribed.
  public var on: Day
}

/// Every event of a mailing list's stream or a public subscriber's stream.
@EventFamily(CouncilEvent.self)
public enum SubscriptionEvent: CouncilEventFamily {
  case listEstablished(MailingListEstablished)
  case subscribed(PublicSubscribed)
  case unsubscribed(PublicUnsubscribed)
}

/// What a mailing list's stream, or a public subscriber's stream, folds to.
public struct SubscriptionState: Sendable, Hashable {
  /// The list, in a mailing list's stream.
  public var list: MailingList?
  /// The lists a public subscriber receives.
  public var subscriptions: Set<MailingListID> = []

  /// What a stream with no events folds to: the same as ``SubscriptionDecider/initialState``.
  public init() {}
}

/// What may be asked of mailing lists and public subscribers.
public enum SubscriptionCommand: Sendable {
  /// The office establishes a list (in the list's stream).
  case establish(MailingListEstablished, by: Issuer)
  /// Someone from the public subscribes (in their subscriber stream) to `list`; the name and
  /// address carry the subscriber's ``DataSubject`` (``DataSubject/subscriber(_:)``).
  case subscribe(
    MailingList, name: Personal<String>, affiliation: String, on: Day, by: Issuer,
    email: Personal<String>? = nil)
  /// A public subscriber leaves a list.
  case unsubscribe(MailingListID, on: Day, by: Issuer)
}

/// Why a subscription command was refused.
public enum SubscriptionError: Error, Hashable, Sendable {
  /// The issuer may not issue this command.
  case notPermitted(NotPermitted)
  /// The list exists already.
  case listExists(MailingListID)
  /// The list takes only user accounts (member mailings).
  case accountsOnly(MailingListID)
  /// The list refuses this affiliation: "The CCRLIST is open to everyone except media and
  /// government representatives."
  case excludedAffiliation(list: String, affiliation: String)
  /// Already subscribed.
  case alreadySubscribed(MailingListID)
  /// Not subscribed.
  case notSubscribed(MailingListID)
  /// No such list was established.
  case noSuchList(MailingListID)
}

/// The rules of mailing lists and of subscribers from the public.
public struct SubscriptionDecider: Decider {
  /// The decider keeps nothing between calls: one value serves every stream.
  public init() {}

  /// A stream with no events.
  public var initialState: SubscriptionState { SubscriptionState() }

  /// Decides a subscription command.
  public func decide(_ command: SubscriptionCommand, state: SubscriptionState)
    throws(SubscriptionError) -> [SubscriptionEvent]
  {
    switch command {
    case .establish(let event, let issuer):
      guard issuer.isOffice else {
        throw .notPermitted(NotPermitted(issuer, "establish a mailing list", allowed: "the office"))
      }
      guard state.list == nil else { throw .listExists(event.list) }
      return [.listEstablished(event)]

    case .subscribe(let list, let name, let affiliation, let day, let issuer, let email):
      guard issuer.isOffice || issuer.publicName != nil else {
        throw .notPermitted(
          NotPermitted(
            issuer, "subscribe as a member of the public", allowed: "the public or the office"))
      }
      guard list.audience == .anyone else { throw .accountsOnly(list.id) }
      let normalized = affiliation.trimmingCharacters(in: .whitespaces).lowercased()
      guard !list.excludedAffiliations.contains(normalized) else {
        throw .excludedAffiliation(list: list.name, affiliation: normalized)
      }
      guard !state.subscriptions.contains(list.id) else { throw .alreadySubscribed(list.id) }
      return [
        .subscribed(
          PublicSubscribed(
            list: list.id, name: name, affiliation: normalized, on: day, email: email))
      ]

    case .unsubscribe(let list, let day, let issuer):
      guard issuer.isOffice || issuer.publicName != nil else {
        throw .notPermitted(
          NotPermitted(
            issuer, "unsubscribe a member of the public", allowed: "the public or the office"))
      }
      guard state.subscriptions.contains(list) else { throw .notSubscribed(list) }
      return [.unsubscribed(PublicUnsubscribed(list: list, on: day))]
    }
  }

  /// Folds one event into the state.
  public func evolve(_ state: SubscriptionState, _ event: SubscriptionEvent) -> SubscriptionState {
    var state = state
    switch event {
    case .listEstablished(let e):
      state.list = MailingList(
        id: e.list, name: e.name, audience: e.audience,
        excludedAffiliations: Set(e.excludedAffiliations))
    case .subscribed(let e):
      state.subscriptions.insert(e.list)
    case .unsubscribed(let e):
      state.subscriptions.remove(e.list)
    }
    return state
  }
}
