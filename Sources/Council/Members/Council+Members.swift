import EventLog

/// A request for the administrative account created with a member's approval.
public struct AdministrativeAccountRequest: Sendable, Hashable {
  /// The account's identifier.
  public var account: AccountID
  /// The person or office it is for.
  public var name: String
  /// Its e-mail address (unique across all accounts).
  public var email: String

  /// The approval creates this account with the member and reserves `email` in the same append.
  public init(account: AccountID, name: String, email: String) {
    self.account = account
    self.name = name
    self.email = email
  }
}

extension Council {
  /// The stream of the council's settings.
  public static let settingsStream = Streams.council("settings")

  /// Records the council's name and membership policy (once, by the office).
  public func establish(name: String, policy: MembershipPolicy, by issuer: Issuer) async throws {
    try await run(
      SettingsDecider(),
      (
        CouncilEstablished(name: name, termMonths: policy.termMonths, graceDays: policy.graceDays),
        by: issuer
      ),
      on: Self.settingsStream, by: issuer)
  }

  /// The membership policy recorded by ``establish(name:policy:by:)``, or the default one.
  public func membershipPolicy() async throws -> MembershipPolicy {
    try await load(SettingsDecider(), Self.settingsStream).state?.policy ?? MembershipPolicy()
  }

  /// An organization applies for membership.
  public func apply(
    _ member: MemberID, profile: MemberProfile, on day: Day? = nil, by issuer: Issuer
  )
    async throws
  {
    try await run(
      MemberDecider(), .apply(member, profile, on: day ?? today, by: issuer),
      on: Streams.member(member),
      by: issuer)
  }

  /// The office approves a member; its administrative account is created and its e-mail
  /// address reserved in the same atomic append, so a member has exactly one.
  ///
  /// The decision reads the member, the council's settings (the membership policy), the new
  /// account and the address's reservation; the settings are required unchanged at the
  /// append, though not written.
  ///
  /// - Throws: ``MemberError`` or ``AccountError`` from the deciders (nothing is written then),
  ///   ``AccountError/emailInUse(_:)`` when another account holds the address.
  public func approve(
    _ member: MemberID, administrator: AdministrativeAccountRequest, on day: Day? = nil,
    by issuer: Issuer
  ) async throws {
    let day = day ?? today
    try await decide(by: issuer) { decision in
      let settings = try await decision.read(Self.settingsStream, through: SettingsDecider())
      let policy = settings.state?.policy ?? MembershipPolicy()
      let memberStream = Streams.member(member)
      let memberState = try await decision.read(memberStream, through: MemberDecider()).state
      let memberEvents = try MemberDecider().decide(
        .approve(on: day, administrativeAccount: administrator.account, policy: policy, by: issuer),
        state: memberState)
      try decision.append(memberEvents, to: memberStream)
      try await createAccount(
        administrator.account, email: administrator.email, in: &decision
      ) { state in
        try AccountDecider().decide(
          .createAdministrative(
            administrator.account, member: member, name: administrator.name,
            email: administrator.email, on: day, by: issuer),
          state: state)
      }
    }
  }

  /// Within `decision`: reads the account's stream and decides its events with `decide`,
  /// then reads the reservation of its e-mail address and, when the address is free, records
  /// the account's events and the reservation. Both streams are required at the versions read
  /// (a new account and a free address: no stream yet), so of two commands reserving the
  /// same address concurrently one is refused by the store, decides again, and finds the
  /// address taken.
  ///
  /// - Throws: the error `decide` throws; ``AccountError/emailInUse(_:)`` when the address is
  ///   reserved already.
  func createAccount(
    _ account: AccountID, email: String, in decision: inout MultiStreamDecision,
    decide: (AccountState) throws -> [AccountEvent]
  ) async throws {
    let address = Streams.normalizedEmail(email)
    let emailStream = Streams.email(address)
    let accountStream = Streams.account(account)
    let accountEvents = try decide(
      try await decision.read(accountStream, through: AccountDecider()).state)
    guard try await decision.version(of: emailStream) == nil else {
      throw AccountError.emailInUse(address)
    }
    try decision.append(accountEvents, to: accountStream)
    try decision.append(
      [EmailReserved(address: Personal(address, of: .account(account)), account: account)],
      to: emailStream)
  }

  /// The office rejects an application.
  public func reject(_ member: MemberID, reason: String, on day: Day? = nil, by issuer: Issuer)
    async throws
  {
    try await run(
      MemberDecider(), .reject(on: day ?? today, reason: reason, by: issuer),
      on: Streams.member(member), by: issuer)
  }

  /// The office or the member's administrator updates the profile.
  public func updateProfile(_ member: MemberID, _ profile: MemberProfile, by issuer: Issuer)
    async throws
  {
    try await run(
      MemberDecider(), .updateProfile(profile, by: issuer), on: Streams.member(member), by: issuer)
  }

  /// The office or the member's administrator renews the membership.
  public func renew(_ member: MemberID, on day: Day? = nil, by issuer: Issuer) async throws {
    let policy = try await membershipPolicy()
    try await run(
      MemberDecider(), .renew(on: day ?? today, policy: policy, by: issuer),
      on: Streams.member(member), by: issuer)
  }

  /// The office records that a member's term and grace period passed.
  public func recordLapse(_ member: MemberID, on day: Day? = nil, by issuer: Issuer) async throws {
    try await run(
      MemberDecider(), .recordLapse(on: day ?? today, by: issuer), on: Streams.member(member),
      by: issuer)
  }

  /// The member's administrator or the office withdraws the member.
  public func withdraw(_ member: MemberID, reason: String, on day: Day? = nil, by issuer: Issuer)
    async throws
  {
    try await run(
      MemberDecider(), .withdraw(on: day ?? today, reason: reason, by: issuer),
      on: Streams.member(member), by: issuer)
  }

  /// The office reinstates a lapsed or withdrawn member.
  public func reinstate(_ member: MemberID, on day: Day? = nil, by issuer: Issuer) async throws {
    let policy = try await membershipPolicy()
    try await run(
      MemberDecider(), .reinstate(on: day ?? today, policy: policy, by: issuer),
      on: Streams.member(member), by: issuer)
  }
}
