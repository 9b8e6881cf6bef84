import EventLog

extension Council {
  /// Creates an individual account for a board member, staff member or volunteer of a member
  /// in good standing, reserving its e-mail address in the same atomic append.
  ///
  /// The member's stream is read for its standing and required unchanged at the append,
  /// though not written: an account is never created for a member that lapsed or withdrew in
  /// between.
  public func createIndividualAccount(
    _ account: AccountID, member: MemberID, name: String, email: String, role: AccountRole,
    on day: Day? = nil, by issuer: Issuer
  ) async throws {
    let day = day ?? today
    try await decide(by: issuer) { decision in
      let standing = try await decision.read(Streams.member(member), through: MemberDecider())
        .state.isInGoodStanding(on: day)
      try await createAccount(account, email: email, in: &decision) { state in
        try AccountDecider().decide(
          .createIndividual(
            account, member: member, name: name, email: email, role: role, on: day,
            memberInGoodStanding: standing, by: issuer),
          state: state)
      }
    }
  }

  /// An account's state.
  public func account(_ id: AccountID) async throws -> AccountState {
    try await load(AccountDecider(), Streams.account(id)).state
  }

  /// Deactivates an account.
  public func deactivate(
    _ account: AccountID, reason: String, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    try await run(
      AccountDecider(), .deactivate(on: day ?? today, reason: reason, by: issuer),
      on: Streams.account(account), by: issuer)
  }

  /// The office establishes a mailing list with its rules.
  public func establishMailingList(_ list: MailingListEstablished, by issuer: Issuer) async throws {
    try await run(
      SubscriptionDecider(), .establish(list, by: issuer), on: Streams.mailingList(list.list),
      by: issuer)
  }

  /// A mailing list, as established.
  ///
  /// - Throws: ``SubscriptionError/noSuchList(_:)`` when it was never established.
  public func mailingList(_ id: MailingListID) async throws -> MailingList {
    guard let list = try await load(SubscriptionDecider(), Streams.mailingList(id)).state.list
    else {
      throw SubscriptionError.noSuchList(id)
    }
    return list
  }

  /// Subscribes an account to a list.
  public func subscribe(
    _ account: AccountID, to list: MailingListID, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    let list = try await mailingList(list)
    try await run(
      AccountDecider(), .subscribe(list, on: day ?? today, by: issuer),
      on: Streams.account(account), by: issuer)
  }

  /// Unsubscribes an account from a list.
  public func unsubscribe(
    _ account: AccountID, from list: MailingListID, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    try await run(
      AccountDecider(), .unsubscribe(list, on: day ?? today, by: issuer),
      on: Streams.account(account), by: issuer)
  }

  /// Subscribes someone from the public, by e-mail address, to a list open to anyone; refuses
  /// an excluded affiliation with ``SubscriptionError/excludedAffiliation(list:affiliation:)``.
  public func subscribePublic(
    email: String, name: String, affiliation: String, to list: MailingListID, on day: Day? = nil,
    by issuer: Issuer
  ) async throws {
    let list = try await mailingList(list)
    try await run(
      SubscriptionDecider(),
      .subscribe(
        list, name: Personal(name, of: .subscriber(email)), affiliation: affiliation,
        on: day ?? today, by: issuer,
        email: Personal(Streams.normalizedEmail(email), of: .subscriber(email))),
      on: Streams.subscriber(email), by: issuer)
  }
}
