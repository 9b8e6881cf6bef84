import EventLog

/// A request for the administrative account created with a member's approval.
public struct AdministrativeAccountRequest: Sendable, Hashable {
  /// The account's identifier.
  public var account: AccountID
  /// The person or office it is for.
  public var name: String
  /// Its e-mail address (unique across all accounts).
  public var email: String

  /// Creates a request.
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
  /// - Throws: ``MemberError`` or ``AccountError`` from the deciders (nothing is written then),
  ///   ``AccountError/emailInUse(_:)`` when another account holds the address.
  public func approve(
    _ member: MemberID, administrator: AdministrativeAccountRequest, on day: Day? = nil,
    by issuer: Issuer
  ) async throws {
    let day = day ?? today
    let policy = try await membershipPolicy()
    try await retryingConflicts {
      let (memberState, memberVersion) = try await load(MemberDecider(), Streams.member(member))
      let memberEvents = try MemberDecider().decide(
        .approve(on: day, administrativeAccount: administrator.account, policy: policy, by: issuer),
        state: memberState)
      let accountEvents = try AccountDecider().decide(
        .createAdministrative(
          administrator.account, member: member, name: administrator.name,
          email: administrator.email,
          on: day, by: issuer),
        state: try await load(AccountDecider(), Streams.account(administrator.account)).state)
      try await commitAccount(
        administrator.account, email: administrator.email, accountEvents: accountEvents,
        also: StreamAppend(
          stream: Streams.member(member), expectedVersion: .at(memberVersion),
          events: try eventData(memberEvents, by: issuer, correlation: ids.next())),
        by: issuer)
    }
  }

  /// Appends a new account's events, the reservation of its e-mail address, and `other`, in
  /// one atomic append.
  func commitAccount(
    _ account: AccountID, email: String, accountEvents: [AccountEvent], also other: StreamAppend?,
    by issuer: Issuer
  ) async throws {
    let address = Streams.normalizedEmail(email)
    let emailStream = Streams.email(address)
    if try await store.currentVersion(of: emailStream) != nil {
      throw AccountError.emailInUse(address)
    }
    let correlation = other?.events.first?.metadata.correlationID ?? ids.next()
    var appends = [
      StreamAppend(
        stream: Streams.account(account), expectedVersion: .noStream,
        events: try eventData(accountEvents, by: issuer, correlation: correlation)),
      StreamAppend(
        stream: emailStream, expectedVersion: .noStream,
        events: try eventData(
          [EmailReserved(address: address, account: account)], by: issuer, correlation: correlation)
      ),
    ]
    if let other { appends.insert(other, at: 0) }
    do {
      _ = try await store.append(appends)
    } catch let error as EventStoreError
      where error.code == .wrongExpectedVersion && error.stream == emailStream
    {
      throw AccountError.emailInUse(address)
    } catch let error as EventStoreError
      where error.code == .wrongExpectedVersion && error.stream == Streams.account(account)
    {
      throw AccountError.alreadyExists(account)
    }
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
