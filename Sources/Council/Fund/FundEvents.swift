import EventLog

// The Amina Malko Refugee Participation Fund, from the member guide (`000_e44055bfb5ba5aef.txt`,
// "Amina Malko Refugee Participation Fund"): a fund "to cover part of expenses in attending CCR
// meetings for a certain number of refugees supported by a CCR member organization", with a
// participation component (one consultation) and a leadership component (three meetings for a
// year). Funds (stream `fund-ID`) and applications (stream `application-ID`). This file was
// generated once from a field list and is maintained by hand.

/// The office established a fund and its components.
public struct FundEstablished: CouncilEvent {
  /// `FundEstablished`.
  public static let eventType = "FundEstablished"
  /// The fund.
  public var fund: FundID
  /// Its name.
  public var name: String
  /// Its components, such as participation and leadership.
  public var components: [FundComponent]

  /// Creates the event.
  public init(fund: FundID, name: String, components: [FundComponent]) {
    self.fund = fund
    self.name = name
    self.components = components
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(fund)
    writer.write(name)
    writer.write(components)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      fund: try reader.read(FundID.self), name: try reader.read(String.self),
      components: try reader.read([FundComponent].self))
  }
}

/// The office set the fund's budget for a consultation.
public struct FundBudgetSet: CouncilEvent {
  /// `FundBudgetSet`.
  public static let eventType = "FundBudgetSet"
  /// The consultation.
  public var consultation: GatheringID
  /// The budget, in cents.
  public var amount: Int

  /// Creates the event.
  public init(consultation: GatheringID, amount: Int) {
    self.consultation = consultation
    self.amount = amount
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(consultation)
    writer.write(amount)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(consultation: try reader.read(GatheringID.self), amount: try reader.read(Int.self))
  }
}

/// An approval committed part of a consultation's budget.
public struct BudgetCommitted: CouncilEvent {
  /// `BudgetCommitted`.
  public static let eventType = "BudgetCommitted"
  /// The application.
  public var application: ApplicationID
  /// The consultation.
  public var consultation: GatheringID
  /// The amount, in cents.
  public var amount: Int

  /// Creates the event.
  public init(application: ApplicationID, consultation: GatheringID, amount: Int) {
    self.application = application
    self.consultation = consultation
    self.amount = amount
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(application)
    writer.write(consultation)
    writer.write(amount)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      application: try reader.read(ApplicationID.self),
      consultation: try reader.read(GatheringID.self), amount: try reader.read(Int.self))
  }
}

/// An approved application was withdrawn: its amount returns to the budget.
public struct BudgetReleased: CouncilEvent {
  /// `BudgetReleased`.
  public static let eventType = "BudgetReleased"
  /// The application.
  public var application: ApplicationID
  /// The consultation.
  public var consultation: GatheringID
  /// The amount, in cents.
  public var amount: Int

  /// Creates the event.
  public init(application: ApplicationID, consultation: GatheringID, amount: Int) {
    self.application = application
    self.consultation = consultation
    self.amount = amount
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(application)
    writer.write(consultation)
    writer.write(amount)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      application: try reader.read(ApplicationID.self),
      consultation: try reader.read(GatheringID.self), amount: try reader.read(Int.self))
  }
}

/// A member organization applied for a refugee candidate.
public struct ApplicationSubmitted: CouncilEvent {
  /// `ApplicationSubmitted`.
  public static let eventType = "ApplicationSubmitted"
  /// The application.
  public var application: ApplicationID
  /// The fund.
  public var fund: FundID
  /// The component applied to.
  public var component: String
  /// The refugee candidate.
  public var candidate: String
  /// The member organization supporting the candidate.
  public var supportingMember: MemberID
  /// The consultation whose expenses it covers (the first of the meetings, for leadership).
  public var consultation: GatheringID
  /// The year the meetings fall in.
  public var year: Int
  /// The amount requested, in cents.
  public var requestedAmount: Int
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(
    application: ApplicationID, fund: FundID, component: String, candidate: String,
    supportingMember: MemberID, consultation: GatheringID, year: Int, requestedAmount: Int, on: Day
  ) {
    self.application = application
    self.fund = fund
    self.component = component
    self.candidate = candidate
    self.supportingMember = supportingMember
    self.consultation = consultation
    self.year = year
    self.requestedAmount = requestedAmount
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(application)
    writer.write(fund)
    writer.write(component)
    writer.write(candidate)
    writer.write(supportingMember)
    writer.write(consultation)
    writer.write(year)
    writer.write(requestedAmount)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      application: try reader.read(ApplicationID.self), fund: try reader.read(FundID.self),
      component: try reader.read(String.self), candidate: try reader.read(String.self),
      supportingMember: try reader.read(MemberID.self),
      consultation: try reader.read(GatheringID.self), year: try reader.read(Int.self),
      requestedAmount: try reader.read(Int.self), on: try reader.read(Day.self))
  }
}

/// The office asked for more information.
public struct MoreInformationRequested: CouncilEvent {
  /// `MoreInformationRequested`.
  public static let eventType = "MoreInformationRequested"
  /// What it asked.
  public var question: String
  /// Who asked.
  public var decidedBy: String
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(question: String, decidedBy: String, on: Day) {
    self.question = question
    self.decidedBy = decidedBy
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(question)
    writer.write(decidedBy)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      question: try reader.read(String.self), decidedBy: try reader.read(String.self),
      on: try reader.read(Day.self))
  }
}

/// The supporting member answered.
public struct InformationProvided: CouncilEvent {
  /// `InformationProvided`.
  public static let eventType = "InformationProvided"
  /// The answer.
  public var answer: String
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(answer: String, on: Day) {
    self.answer = answer
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(answer)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(answer: try reader.read(String.self), on: try reader.read(Day.self))
  }
}

/// The office approved the application, fully or partly.
public struct ApplicationApproved: CouncilEvent {
  /// `ApplicationApproved`.
  public static let eventType = "ApplicationApproved"
  /// The amount approved, in cents.
  public var amount: Int
  /// Whether it is the full amount requested.
  public var full: Bool
  /// Who decided.
  public var decidedBy: String
  /// The day.
  public var on: Day
  /// Why.
  public var reason: String

  /// Creates the event.
  public init(amount: Int, full: Bool, decidedBy: String, on: Day, reason: String) {
    self.amount = amount
    self.full = full
    self.decidedBy = decidedBy
    self.on = on
    self.reason = reason
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(amount)
    writer.write(full)
    writer.write(decidedBy)
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      amount: try reader.read(Int.self), full: try reader.read(Bool.self),
      decidedBy: try reader.read(String.self), on: try reader.read(Day.self),
      reason: try reader.read(String.self))
  }
}

/// The office declined the application.
public struct ApplicationDeclined: CouncilEvent {
  /// `ApplicationDeclined`.
  public static let eventType = "ApplicationDeclined"
  /// Who decided.
  public var decidedBy: String
  /// The day.
  public var on: Day
  /// Why.
  public var reason: String

  /// Creates the event.
  public init(decidedBy: String, on: Day, reason: String) {
    self.decidedBy = decidedBy
    self.on = on
    self.reason = reason
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(decidedBy)
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      decidedBy: try reader.read(String.self), on: try reader.read(Day.self),
      reason: try reader.read(String.self))
  }
}

/// The application was withdrawn.
public struct ApplicationWithdrawn: CouncilEvent {
  /// `ApplicationWithdrawn`.
  public static let eventType = "ApplicationWithdrawn"
  /// Who withdrew it.
  public var by: String
  /// The day.
  public var on: Day
  /// Why.
  public var reason: String

  /// Creates the event.
  public init(by: String, on: Day, reason: String) {
    self.by = by
    self.on = on
    self.reason = reason
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(by)
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      by: try reader.read(String.self), on: try reader.read(Day.self),
      reason: try reader.read(String.self))
  }
}

/// The office paid the approved amount.
public struct ApplicationPaid: CouncilEvent {
  /// `ApplicationPaid`.
  public static let eventType = "ApplicationPaid"
  /// The amount paid, in cents.
  public var amount: Int
  /// Who paid.
  public var decidedBy: String
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(amount: Int, decidedBy: String, on: Day) {
    self.amount = amount
    self.decidedBy = decidedBy
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(amount)
    writer.write(decidedBy)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      amount: try reader.read(Int.self), decidedBy: try reader.read(String.self),
      on: try reader.read(Day.self))
  }
}

/// Every event of a fund's stream (`fund-ID`) or an application's stream (`application-ID`).
public enum FundEvent: CouncilEventFamily {
  /// See ``FundEstablished``.
  case fundEstablished(FundEstablished)
  /// See ``FundBudgetSet``.
  case fundBudgetSet(FundBudgetSet)
  /// See ``BudgetCommitted``.
  case budgetCommitted(BudgetCommitted)
  /// See ``BudgetReleased``.
  case budgetReleased(BudgetReleased)
  /// See ``ApplicationSubmitted``.
  case applicationSubmitted(ApplicationSubmitted)
  /// See ``MoreInformationRequested``.
  case moreInformationRequested(MoreInformationRequested)
  /// See ``InformationProvided``.
  case informationProvided(InformationProvided)
  /// See ``ApplicationApproved``.
  case applicationApproved(ApplicationApproved)
  /// See ``ApplicationDeclined``.
  case applicationDeclined(ApplicationDeclined)
  /// See ``ApplicationWithdrawn``.
  case applicationWithdrawn(ApplicationWithdrawn)
  /// See ``ApplicationPaid``.
  case applicationPaid(ApplicationPaid)

  /// Each case's type and how to read it.
  public static let decoders = PayloadDecoders<FundEvent>(
    .binary(FundEstablished.self, Self.fundEstablished),
    .binary(FundBudgetSet.self, Self.fundBudgetSet),
    .binary(BudgetCommitted.self, Self.budgetCommitted),
    .binary(BudgetReleased.self, Self.budgetReleased),
    .binary(ApplicationSubmitted.self, Self.applicationSubmitted),
    .binary(MoreInformationRequested.self, Self.moreInformationRequested),
    .binary(InformationProvided.self, Self.informationProvided),
    .binary(ApplicationApproved.self, Self.applicationApproved),
    .binary(ApplicationDeclined.self, Self.applicationDeclined),
    .binary(ApplicationWithdrawn.self, Self.applicationWithdrawn),
    .binary(ApplicationPaid.self, Self.applicationPaid))

  /// The payload, whatever the case.
  public var payload: any CouncilEvent {
    switch self {
    case .fundEstablished(let e): return e
    case .fundBudgetSet(let e): return e
    case .budgetCommitted(let e): return e
    case .budgetReleased(let e): return e
    case .applicationSubmitted(let e): return e
    case .moreInformationRequested(let e): return e
    case .informationProvided(let e): return e
    case .applicationApproved(let e): return e
    case .applicationDeclined(let e): return e
    case .applicationWithdrawn(let e): return e
    case .applicationPaid(let e): return e
    }
  }

  /// The case's type name.
  public var eventType: String { type(of: payload).eventType }

  /// Writes the payload.
  public func encodePayload(to writer: inout BinaryWriter) { payload.encode(to: &writer) }

}
