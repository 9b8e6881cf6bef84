import EventLog

/// What a fund's stream folds to.
public struct FundState: Sendable, Hashable {
  /// The fund, once established.
  public var established: FundEstablished?
  /// Budgets by consultation, in cents.
  public var budgets: [GatheringID: Int] = [:]
  /// Amounts committed by approvals, net of releases, by consultation.
  public var committed: [GatheringID: Int] = [:]

  /// What a stream with no events folds to: the same as ``FundDecider/initialState``.
  public init() {}

  /// What remains of a consultation's budget.
  public func remaining(for consultation: GatheringID) -> Int {
    (budgets[consultation] ?? 0) - (committed[consultation] ?? 0)
  }

  /// The component with this identifier.
  public func component(_ id: String) -> FundComponent? {
    established?.components.first { $0.id == id }
  }
}

/// Where an application stands.
public enum ApplicationStatus: String, JSONReadable, Sendable, Hashable, Codable, JSONWritable {
  /// Not submitted.
  case none
  /// Submitted, awaiting a decision.
  case submitted
  /// The office asked for more information.
  case awaitingInformation
  /// Approved with an amount.
  case approved
  /// Declined: final.
  case declined
  /// Withdrawn: final.
  case withdrawn
  /// Paid: final.
  case paid
}

/// What an application's stream folds to.
public struct ApplicationState: Sendable, Hashable {
  /// The submission, once made.
  public var submission: ApplicationSubmitted?
  /// Where it stands.
  public var status: ApplicationStatus = .none
  /// The amount approved.
  public var approvedAmount = 0

  /// What a stream with no events folds to: the same as ``ApplicationDecider/initialState``.
  public init() {}
}

/// What may be asked of a fund.
public enum FundCommand: Sendable {
  /// The office establishes the fund.
  case establish(FundEstablished, by: Issuer)
  /// The office sets a consultation's budget.
  case setBudget(consultation: GatheringID, amount: Int, by: Issuer)
  /// An approval commits part of the budget (decided with the approval, same append).
  case commit(ApplicationID, consultation: GatheringID, amount: Int)
  /// A withdrawn approval releases its amount.
  case release(ApplicationID, consultation: GatheringID, amount: Int)
}

/// What may be asked of an application.
public enum ApplicationCommand: Sendable {
  /// The supporting member's accounts or the office submit it, for a member in good
  /// standing, to a fund and component that exist.
  case submit(ApplicationSubmitted, memberInGoodStanding: Bool, fund: FundState, by: Issuer)
  /// The office asks for more information.
  case requestInformation(question: String, on: Day, by: Issuer)
  /// The supporting member's accounts answer.
  case provideInformation(answer: String, on: Day, by: Issuer)
  /// The office approves an amount, within what remains of the consultation's budget.
  case approve(amount: Int, remainingBudget: Int, on: Day, reason: String, by: Issuer)
  /// The office declines it.
  case decline(on: Day, reason: String, by: Issuer)
  /// The supporting member's accounts or the office withdraw it (not once paid).
  case withdraw(on: Day, reason: String, by: Issuer)
  /// The office pays the approved amount (or less).
  case pay(amount: Int, on: Day, by: Issuer)
}

/// Why a fund or application command was refused.
public enum FundError: Error, Hashable, Sendable {
  /// The issuer may not issue this command.
  case notPermitted(NotPermitted)
  /// Established or submitted already.
  case alreadyExists
  /// The fund does not exist.
  case noSuchFund(FundID)
  /// The fund has no such component.
  case noSuchComponent(String)
  /// The fund was not established.
  case notEstablished
  /// Only members in good standing support candidates.
  case memberNotInGoodStanding(MemberID)
  /// An amount must be positive.
  case invalidAmount(Int)
  /// The approval exceeds what remains of the consultation's budget.
  case exceedsBudget(requested: Int, remaining: Int)
  /// The application is `status`, and the command needs another.
  case wrongStatus(ApplicationStatus)
  /// A payment cannot exceed the amount approved.
  case exceedsApproval(approved: Int)
}

/// The rules of the fund itself: established by the office, budgets per consultation.
public struct FundDecider: Decider {
  /// The decider keeps nothing between calls: one value serves every stream.
  public init() {}

  /// A stream with no events.
  public var initialState: FundState { FundState() }

  /// Decides a fund command.
  public func decide(_ command: FundCommand, state: FundState) throws(FundError) -> [FundEvent] {
    switch command {
    case .establish(let event, let issuer):
      guard issuer.isOffice else {
        throw .notPermitted(NotPermitted(issuer, "establish a fund", allowed: "the office"))
      }
      guard state.established == nil else { throw .alreadyExists }
      return [.fundEstablished(event)]
    case .setBudget(let consultation, let amount, let issuer):
      guard issuer.isOffice else {
        throw .notPermitted(NotPermitted(issuer, "set a budget", allowed: "the office"))
      }
      guard state.established != nil else { throw .notEstablished }
      guard amount >= (state.committed[consultation] ?? 0) else {
        throw .exceedsBudget(requested: state.committed[consultation] ?? 0, remaining: amount)
      }
      return [.fundBudgetSet(FundBudgetSet(consultation: consultation, amount: amount))]
    case .commit(let application, let consultation, let amount):
      guard amount > 0 else { throw .invalidAmount(amount) }
      guard amount <= state.remaining(for: consultation) else {
        throw .exceedsBudget(requested: amount, remaining: state.remaining(for: consultation))
      }
      return [
        .budgetCommitted(
          BudgetCommitted(application: application, consultation: consultation, amount: amount))
      ]
    case .release(let application, let consultation, let amount):
      return [
        .budgetReleased(
          BudgetReleased(application: application, consultation: consultation, amount: amount))
      ]
    }
  }

  /// Folds one event into the state (application events are not in a fund's stream).
  public func evolve(_ state: FundState, _ event: FundEvent) -> FundState {
    var state = state
    switch event {
    case .fundEstablished(let e): state.established = e
    case .fundBudgetSet(let e): state.budgets[e.consultation] = e.amount
    case .budgetCommitted(let e): state.committed[e.consultation, default: 0] += e.amount
    case .budgetReleased(let e): state.committed[e.consultation, default: 0] -= e.amount
    default: break
    }
    return state
  }
}

/// The rules of applications to the fund: submitted by a member in good standing for a refugee
/// candidate; more information; approved (full or partial, within the budget), declined,
/// withdrawn or paid; every decision records who, when and why.
public struct ApplicationDecider: Decider {
  /// The decider keeps nothing between calls: one value serves every stream.
  public init() {}

  /// A stream with no events.
  public var initialState: ApplicationState { ApplicationState() }

  /// Decides an application command.
  public func decide(_ command: ApplicationCommand, state: ApplicationState) throws(FundError)
    -> [FundEvent]
  {
    switch command {
    case .submit(let submission, let standing, let fund, let issuer):
      guard issuer.isOffice || issuer.acts(for: submission.supportingMember) else {
        throw .notPermitted(
          NotPermitted(
            issuer, "apply for member \(submission.supportingMember)",
            allowed: "the supporting member's accounts or the office"))
      }
      guard state.status == .none else { throw .alreadyExists }
      guard fund.established?.fund == submission.fund else { throw .noSuchFund(submission.fund) }
      guard fund.component(submission.component) != nil else {
        throw .noSuchComponent(submission.component)
      }
      guard standing else { throw .memberNotInGoodStanding(submission.supportingMember) }
      guard submission.requestedAmount > 0 else { throw .invalidAmount(submission.requestedAmount) }
      var sealed = submission
      sealed.candidate = submission.candidate.of(.applicant(submission.application))
      return [.applicationSubmitted(sealed)]
    case .requestInformation(let question, let day, let issuer):
      try office(issuer, "ask for more information")
      guard state.status == .submitted else { throw .wrongStatus(state.status) }
      return [
        .moreInformationRequested(
          MoreInformationRequested(question: question, decidedBy: issuer.description, on: day))
      ]
    case .provideInformation(let answer, let day, let issuer):
      try supporter(issuer, state, "answer for the application")
      guard state.status == .awaitingInformation else { throw .wrongStatus(state.status) }
      // The answer is about the candidate: free text of theirs.
      let answer =
        state.submission.map { Personal(answer, of: .applicant($0.application)) }
        ?? Personal(answer)
      return [.informationProvided(InformationProvided(answer: answer, on: day))]
    case .approve(let amount, let remaining, let day, let reason, let issuer):
      try office(issuer, "approve an application")
      guard state.status == .submitted, let submission = state.submission else {
        throw .wrongStatus(state.status)
      }
      guard amount > 0, amount <= submission.requestedAmount else { throw .invalidAmount(amount) }
      guard amount <= remaining else {
        throw .exceedsBudget(requested: amount, remaining: remaining)
      }
      return [
        .applicationApproved(
          ApplicationApproved(
            amount: amount, full: amount == submission.requestedAmount,
            decidedBy: issuer.description, on: day, reason: reason))
      ]
    case .decline(let day, let reason, let issuer):
      try office(issuer, "decline an application")
      guard state.status == .submitted || state.status == .awaitingInformation else {
        throw .wrongStatus(state.status)
      }
      return [
        .applicationDeclined(
          ApplicationDeclined(decidedBy: issuer.description, on: day, reason: reason))
      ]
    case .withdraw(let day, let reason, let issuer):
      try supporter(issuer, state, "withdraw the application")
      guard [.submitted, .awaitingInformation, .approved].contains(state.status) else {
        throw .wrongStatus(state.status)
      }
      return [
        .applicationWithdrawn(ApplicationWithdrawn(by: issuer.description, on: day, reason: reason))
      ]
    case .pay(let amount, let day, let issuer):
      try office(issuer, "pay an application")
      guard state.status == .approved else { throw .wrongStatus(state.status) }
      guard amount > 0 else { throw .invalidAmount(amount) }
      guard amount <= state.approvedAmount else {
        throw .exceedsApproval(approved: state.approvedAmount)
      }
      return [
        .applicationPaid(ApplicationPaid(amount: amount, decidedBy: issuer.description, on: day))
      ]
    }
  }

  /// Folds one event into the state (fund events are not in an application's stream).
  public func evolve(_ state: ApplicationState, _ event: FundEvent) -> ApplicationState {
    var state = state
    switch event {
    case .applicationSubmitted(let e):
      state.submission = e
      state.status = .submitted
    case .moreInformationRequested: state.status = .awaitingInformation
    case .informationProvided: state.status = .submitted
    case .applicationApproved(let e):
      state.status = .approved
      state.approvedAmount = e.amount
    case .applicationDeclined: state.status = .declined
    case .applicationWithdrawn: state.status = .withdrawn
    case .applicationPaid: state.status = .paid
    default: break
    }
    return state
  }

  private func office(_ issuer: Issuer, _ action: String) throws(FundError) {
    guard issuer.isOffice else {
      throw .notPermitted(NotPermitted(issuer, action, allowed: "the office"))
    }
  }

  private func supporter(_ issuer: Issuer, _ state: ApplicationState, _ action: String)
    throws(FundError)
  {
    guard let submission = state.submission else { throw .wrongStatus(.none) }
    guard issuer.isOffice || issuer.acts(for: submission.supportingMember) else {
      throw .notPermitted(
        NotPermitted(issuer, action, allowed: "the supporting member's accounts or the office"))
    }
  }
}
