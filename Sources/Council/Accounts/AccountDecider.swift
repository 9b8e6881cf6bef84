import EventLog
import Foundation

/// What the council knows of one account.
public struct AccountState: Sendable, Hashable {
  /// The account, once created.
  public var account: AccountID?
  /// The member organization it belongs to.
  public var member: MemberID?
  /// Whether it is the member's administrative account.
  public var isAdministrative = false
  /// The person's role, for individual accounts.
  public var role: AccountRole?
  /// Its e-mail address.
  public var email: Personal<String>?
  /// Whether it was deactivated.
  public var deactivated = false
  /// The mailing lists it receives.
  public var subscriptions: Set<MailingListID> = []

  /// What a stream with no events folds to: the same as ``AccountDecider/initialState``.
  public init() {}

  /// Whether the account exists and is not deactivated.
  public var isActive: Bool { account != nil && !deactivated }
}

/// What may be asked of an account.
public enum AccountCommand: Sendable, Hashable {
  /// The office creates a member's administrative account (done with the member's approval).
  case createAdministrative(
    AccountID, member: MemberID, name: String, email: String, on: Day, by: Issuer)
  /// The member's administrator or the office creates an individual account, only for a member
  /// in good standing.
  case createIndividual(
    AccountID, member: MemberID, name: String, email: String, role: AccountRole, on: Day,
    memberInGoodStanding: Bool, by: Issuer)
  /// The office, or the member's administrator for its individual accounts, deactivates it.
  case deactivate(on: Day, reason: String, by: Issuer)
  /// The account's holder, its member's administrator or the office subscribes it to a list
  /// open to accounts.
  case subscribe(MailingList, on: Day, by: Issuer)
  /// The account's holder, its member's administrator or the office unsubscribes it.
  case unsubscribe(MailingListID, on: Day, by: Issuer)
}

/// Why an account command was refused.
public enum AccountError: Error, Hashable, Sendable {
  /// The issuer may not issue this command.
  case notPermitted(NotPermitted)
  /// The account exists already.
  case alreadyExists(AccountID)
  /// The account does not exist.
  case notFound
  /// The account is deactivated.
  case deactivated
  /// Individual accounts are only for members in good standing.
  case memberNotInGoodStanding(MemberID)
  /// The e-mail address is not an address.
  case invalidEmail(String)
  /// The name is empty.
  case missingName
  /// The account is already on the list.
  case alreadySubscribed(MailingListID)
  /// The account is not on the list.
  case notSubscribed(MailingListID)
  /// Another account holds this (normalized) e-mail address.
  case emailInUse(String)
}

/// The rules of user accounts, from the member guide's "User accounts" and "Member mailings".
public struct AccountDecider: Decider {
  /// The decider keeps nothing between calls: one value serves every stream.
  public init() {}

  /// A stream with no events.
  public var initialState: AccountState { AccountState() }

  /// Decides an account command.
  public func decide(_ command: AccountCommand, state: AccountState) throws(AccountError)
    -> [AccountEvent]
  {
    switch command {
    case .createAdministrative(let account, let member, let name, let email, let day, let issuer):
      guard issuer.isOffice else {
        throw .notPermitted(
          NotPermitted(issuer, "create an administrative account", allowed: "the office"))
      }
      try Self.checkNew(state, account, name, email)
      return [
        .administrativeCreated(
          AdministrativeAccountCreated(
            account: account, member: member, name: Personal(name, of: .account(account)),
            email: Personal(Streams.normalizedEmail(email), of: .account(account)), on: day))
      ]

    case .createIndividual(
      let account, let member, let name, let email, let role, let day, let standing, let issuer):
      guard issuer.isOffice || issuer.isAdministrator(of: member) else {
        throw .notPermitted(
          NotPermitted(
            issuer, "create an individual account for member \(member)",
            allowed: "the office or the member's administrator"))
      }
      try Self.checkNew(state, account, name, email)
      guard standing else { throw .memberNotInGoodStanding(member) }
      return [
        .individualCreated(
          IndividualAccountCreated(
            account: account, member: member, name: Personal(name, of: .account(account)),
            email: Personal(Streams.normalizedEmail(email), of: .account(account)), role: role,
            on: day))
      ]

    case .deactivate(let day, let reason, let issuer):
      guard let member = state.member else { throw .notFound }
      let allowed =
        issuer.isOffice || (!state.isAdministrative && issuer.isAdministrator(of: member))
      guard allowed else {
        throw .notPermitted(
          NotPermitted(
            issuer, "deactivate this account",
            allowed: state.isAdministrative
              ? "the office" : "the office or the member's administrator"))
      }
      guard !state.deactivated else { throw .deactivated }
      return [.deactivated(AccountDeactivated(on: day, reason: reason))]

    case .subscribe(let list, let day, let issuer):
      try Self.requireHolderOrAdministrator(issuer, state, "subscribe this account")
      guard state.isActive else { throw state.account == nil ? .notFound : .deactivated }
      guard !state.subscriptions.contains(list.id) else { throw .alreadySubscribed(list.id) }
      return [.subscribed(AccountSubscribed(list: list.id, on: day))]

    case .unsubscribe(let list, let day, let issuer):
      try Self.requireHolderOrAdministrator(issuer, state, "unsubscribe this account")
      guard state.account != nil else { throw .notFound }
      guard state.subscriptions.contains(list) else { throw .notSubscribed(list) }
      return [.unsubscribed(AccountUnsubscribed(list: list, on: day))]
    }
  }

  /// Folds one event into the state.
  public func evolve(_ state: AccountState, _ event: AccountEvent) -> AccountState {
    var state = state
    switch event {
    case .administrativeCreated(let e):
      state.account = e.account
      state.member = e.member
      state.email = e.email
      state.isAdministrative = true
    case .individualCreated(let e):
      state.account = e.account
      state.member = e.member
      state.email = e.email
      state.role = e.role
    case .deactivated:
      state.deactivated = true
      state.subscriptions = []
    case .subscribed(let e):
      state.subscriptions.insert(e.list)
    case .unsubscribed(let e):
      state.subscriptions.remove(e.list)
    }
    return state
  }

  static func checkNew(_ state: AccountState, _ account: AccountID, _ name: String, _ email: String)
    throws(AccountError)
  {
    guard state.account == nil else { throw .alreadyExists(account) }
    guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .missingName }
    let address = Streams.normalizedEmail(email)
    let parts = address.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !address.contains(" ") else {
      throw .invalidEmail(email)
    }
  }

  static func requireHolderOrAdministrator(
    _ issuer: Issuer, _ state: AccountState, _ action: String
  )
    throws(AccountError)
  {
    let holder: Bool
    switch issuer {
    case .memberAdministrator(let member, let account), .individual(let member, let account):
      holder =
        account == state.account || (issuer.isAdministrator(of: member) && state.member == member)
    case .office:
      holder = true
    case .publicPerson:
      holder = false
    }
    guard holder else {
      throw .notPermitted(
        NotPermitted(
          issuer, action, allowed: "the account's holder, its member's administrator or the office")
      )
    }
  }
}
