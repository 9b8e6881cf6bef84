import EventLog
import EventLogMacros

// The Amina Malko Refugee Participation Fund, from the member guide (`000_e44055bfb5ba5aef.txt`,
// "Amina Malko Refugee Participation Fund"): a fund "to cover part of expenses in attending CCR
// meetings for a certain number of refugees supported by a CCR member organization", with a
// participation component (one consultation) and a leadership component (three meetings for a
// year). Funds (stream `fund-ID`) and applications (stream `application-ID`). This file was
// generated once from a field list and is maintained by hand.

/// The office established a fund and its components.
@BinaryEvent
public struct FundEstablished: CouncilEvent {
  /// The fund's identifier; its stream is `fund-` followed by it.
  public var fund: FundID
  /// The name applicants know, such as the Amina Malko Refugee Participation Fund.
  public var name: String
  /// Its components, such as participation and leadership.
  public var components: [FundComponent]
}

/// The office set the fund's budget for a consultation.
@BinaryEvent
public struct FundBudgetSet: CouncilEvent {
  /// The consultation the budget is for; setting it again replaces the budget.
  public var consultation: GatheringID
  /// The budget, in cents.
  public var amount: Int
}

/// An approval committed part of a consultation's budget.
@BinaryEvent
public struct BudgetCommitted: CouncilEvent {
  /// The approved application the amount is committed to.
  public var application: ApplicationID
  /// The consultation whose budget the amount comes out of.
  public var consultation: GatheringID
  /// The amount, in cents.
  public var amount: Int
}

/// An approved application was withdrawn: its amount returns to the budget.
@BinaryEvent
public struct BudgetReleased: CouncilEvent {
  /// The withdrawn application whose commitment is released.
  public var application: ApplicationID
  /// The consultation whose budget gets the amount back.
  public var consultation: GatheringID
  /// The amount, in cents.
  public var amount: Int
}

/// A member organization applied for a refugee candidate.
@BinaryEvent
public struct ApplicationSubmitted: CouncilEvent {
  /// The application's identifier; its stream is `application-` followed by it.
  public var application: ApplicationID
  /// The fund applied to; the approval commits budget in this fund's stream.
  public var fund: FundID
  /// The component applied to.
  public var component: String
  /// The refugee candidate's name, personal data of ``DataSubject/applicant(_:)``.
  public var candidate: Personal<String>
  /// The member organization supporting the candidate.
  public var supportingMember: MemberID
  /// The consultation whose expenses it covers (the first of the meetings, for leadership).
  public var consultation: GatheringID
  /// The year the meetings fall in.
  public var year: Int
  /// The amount requested, in cents.
  public var requestedAmount: Int
  /// The day it was submitted.
  public var on: Day
}

/// The office asked for more information.
@BinaryEvent
public struct MoreInformationRequested: CouncilEvent {
  /// What it asked.
  public var question: String
  /// Who asked.
  public var decidedBy: String
  /// The day the question was asked.
  public var on: Day
}

/// The supporting member answered.
@BinaryEvent
public struct InformationProvided: CouncilEvent {
  /// The supporting member's reply to the last ``MoreInformationRequested``.
  public var answer: Personal<String>
  /// The day the supporting member answered.
  public var on: Day
}

/// The office approved the application, fully or partly.
@BinaryEvent
public struct ApplicationApproved: CouncilEvent {
  /// The amount approved, in cents.
  public var amount: Int
  /// Whether it is the full amount requested.
  public var full: Bool
  /// Who decided.
  public var decidedBy: String
  /// The day it was approved.
  public var on: Day
  /// Why.
  public var reason: String
}

/// The office declined the application.
@BinaryEvent
public struct ApplicationDeclined: CouncilEvent {
  /// Who decided.
  public var decidedBy: String
  /// The day it was declined.
  public var on: Day
  /// Why.
  public var reason: String
}

/// The application was withdrawn.
@BinaryEvent
public struct ApplicationWithdrawn: CouncilEvent {
  /// Who withdrew it.
  public var by: String
  /// The day it was withdrawn.
  public var on: Day
  /// Why.
  public var reason: String
}

/// The office paid the approved amount.
@BinaryEvent
public struct ApplicationPaid: CouncilEvent {
  /// The amount paid, in cents.
  public var amount: Int
  /// Who paid.
  public var decidedBy: String
  /// The day the grant was paid.
  public var on: Day
}

/// Every event of a fund's stream (`fund-ID`) or an application's stream (`application-ID`).
@EventFamily(CouncilEvent.self)
public enum FundEvent: CouncilEventFamily {
  case fundEstablished(FundEstablished)
  case fundBudgetSet(FundBudgetSet)
  case budgetCommitted(BudgetCommitted)
  case budgetReleased(BudgetReleased)
  case applicationSubmitted(ApplicationSubmitted)
  case moreInformationRequested(MoreInformationRequested)
  case informationProvided(InformationProvided)
  case applicationApproved(ApplicationApproved)
  case applicationDeclined(ApplicationDeclined)
  case applicationWithdrawn(ApplicationWithdrawn)
  case applicationPaid(ApplicationPaid)
}
