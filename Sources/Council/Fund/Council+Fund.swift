import EventLog

extension Council {
  /// A fund's state.
  public func fund(_ id: FundID) async throws -> FundState {
    try await load(FundDecider(), Streams.fund(id)).state
  }

  /// An application's state.
  public func application(_ id: ApplicationID) async throws -> ApplicationState {
    try await load(ApplicationDecider(), Streams.application(id)).state
  }

  /// The office establishes a fund.
  public func establishFund(_ fund: FundEstablished, by issuer: Issuer) async throws {
    try await run(
      FundDecider(), .establish(fund, by: issuer), on: Streams.fund(fund.fund), by: issuer)
  }

  /// The office sets the fund's budget for a consultation.
  public func setBudget(
    of fund: FundID, for consultation: GatheringID, amount: Int, by issuer: Issuer
  ) async throws {
    try await run(
      FundDecider(), .setBudget(consultation: consultation, amount: amount, by: issuer),
      on: Streams.fund(fund), by: issuer)
  }

  /// A member applies for a refugee candidate; the service looks up the member's standing and
  /// the fund.
  public func submit(_ application: ApplicationSubmitted, by issuer: Issuer) async throws {
    let standing = try await member(application.supportingMember).isInGoodStanding(
      on: application.on)
    let fund = try await fund(application.fund)
    try await run(
      ApplicationDecider(),
      .submit(application, memberInGoodStanding: standing, fund: fund, by: issuer),
      on: Streams.application(application.application), by: issuer)
  }

  /// The office asks for more information.
  public func requestInformation(
    _ application: ApplicationID, question: String, on day: Day? = nil, by issuer: Issuer
  )
    async throws
  {
    try await run(
      ApplicationDecider(), .requestInformation(question: question, on: day ?? today, by: issuer),
      on: Streams.application(application), by: issuer)
  }

  /// The supporting member answers.
  public func provideInformation(
    _ application: ApplicationID, answer: String, on day: Day? = nil, by issuer: Issuer
  )
    async throws
  {
    try await run(
      ApplicationDecider(), .provideInformation(answer: answer, on: day ?? today, by: issuer),
      on: Streams.application(application), by: issuer)
  }

  /// The office approves an amount. The approval and the budget commitment are appended
  /// together, each stream required at the version it was read at, so concurrent approvals
  /// can never exceed the consultation's budget: of two that together would, the second to
  /// reach the store is refused, decides again on the fund as the first left it, and is
  /// refused with ``FundError``.
  public func approveApplication(
    _ application: ApplicationID, amount: Int, reason: String, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    let day = day ?? today
    let applicationStream = Streams.application(application)
    try await decide(by: issuer) { decision in
      let applicationState = try await decision.read(
        applicationStream, through: ApplicationDecider()
      ).state
      guard let submission = applicationState.submission else { throw FundError.wrongStatus(.none) }
      let fundStream = Streams.fund(submission.fund)
      let fundState = try await decision.read(fundStream, through: FundDecider()).state
      let approval = try ApplicationDecider().decide(
        .approve(
          amount: amount, remainingBudget: fundState.remaining(for: submission.consultation),
          on: day, reason: reason, by: issuer),
        state: applicationState)
      let commitment = try FundDecider().decide(
        .commit(application, consultation: submission.consultation, amount: amount),
        state: fundState)
      try decision.append(approval, to: applicationStream)
      try decision.append(commitment, to: fundStream)
    }
  }

  /// The office declines an application.
  public func declineApplication(
    _ application: ApplicationID, reason: String, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    try await run(
      ApplicationDecider(), .decline(on: day ?? today, reason: reason, by: issuer),
      on: Streams.application(application),
      by: issuer)
  }

  /// Withdraws an application; an approved one releases its amount to the budget in the same
  /// append, with the fund required at the version it was read at.
  public func withdrawApplication(
    _ application: ApplicationID, reason: String, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    let day = day ?? today
    let applicationStream = Streams.application(application)
    try await decide(by: issuer) { decision in
      let state = try await decision.read(applicationStream, through: ApplicationDecider()).state
      let withdrawal = try ApplicationDecider().decide(
        .withdraw(on: day, reason: reason, by: issuer), state: state)
      try decision.append(withdrawal, to: applicationStream)
      if state.status == .approved, let submission = state.submission {
        let fundStream = Streams.fund(submission.fund)
        let fundState = try await decision.read(fundStream, through: FundDecider()).state
        let release = try FundDecider().decide(
          .release(
            application, consultation: submission.consultation, amount: state.approvedAmount),
          state: fundState)
        try decision.append(release, to: fundStream)
      }
    }
  }

  /// The office pays an approved application.
  public func payApplication(
    _ application: ApplicationID, amount: Int, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    try await run(
      ApplicationDecider(), .pay(amount: amount, on: day ?? today, by: issuer),
      on: Streams.application(application),
      by: issuer)
  }
}
