import EventLog
import EventLogMacros

// Registration counts and evaluation summaries per consultation or conference, the figures
// of the 2018 conference report (`003_2599d789fd2f37a9.txt`, "4. Participants and
// Evaluation results").

/// The registration figures of one gathering. Participant figures (by rate, countries,
/// refugees, youth, funded) count the participants who attended (checked in).
public struct RegistrationCounts: Hashable, Sendable, Codable {
  /// The gathering's name.
  public var name: String
  /// Places registration offered.
  public var capacity: Int
  /// Registrations made while registration was open.
  public var registered: Int
  /// Registrations cancelled.
  public var cancelled: Int
  /// Registrations that joined the waitlist after closing.
  public var waitlisted: Int
  /// Waitlisted registrations that got a place (offer accepted).
  public var offersAccepted: Int
  /// Participants admitted after closing as explicit exceptions.
  public var exceptions: Int
  /// Participants checked in: those who attended.
  public var checkedIn: Int
  /// Participants recorded as no-shows.
  public var noShows: Int
  /// The day registration closed, if it did.
  public var closedOn: Day?
  /// Whether it closed because it reached capacity.
  public var closedAtCapacity: Bool
  /// Attendees by rate.
  public var byRate: [String: Int]
  /// Attendees from outside the host country.
  public var fromOutsideHostCountry: Int
  /// Distinct countries attendees came from (the host country included).
  public var countries: Int
  /// Attendees who are refugees or former refugees.
  public var refugees: Int
  /// Attendees who are youth.
  public var youth: Int
  /// Attendees whose participation was funded.
  public var funded: Int
  /// Funded attendees from outside the host country.
  public var fundedFromOutsideHostCountry: Int
  /// Funded attendees who are refugees or former refugees.
  public var fundedRefugees: Int
  /// Sessions by kind.
  public var sessionsByKind: [String: Int]
  /// Sessions in all.
  public var sessions: Int
  /// Workshop outcomes by category.
  public var outcomesByCategory: [String: Int]
}

/// What a group of people thought of one statement.
public struct StatementSummary: Hashable, Sendable, Codable {
  /// The statement's text, as the evaluation form defined it (``EvaluationFormDefined``).
  public var statement: String
  /// Respondents who answered it.
  public var answered: Int
  /// Respondents who agreed or strongly agreed (4 or 5).
  public var agreed: Int
  /// The share agreeing among those who answered, in per cent.
  public var percentAgreeing: Double
}

/// The evaluation figures of one gathering.
public struct EvaluationSummary: Hashable, Sendable, Codable {
  /// The gathering's name.
  public var name: String
  /// Evaluations received.
  public var responses: Int
  /// Participants who attended.
  public var attendance: Int
  /// Responses per attendee, in per cent.
  public var responseRate: Double
  /// Each statement's figures, in the form's order.
  public var statements: [StatementSummary]
  /// The comments given.
  public var comments: [Personal<String>]
}

/// What the reports fold for one gathering.
@BinaryCodable
public struct GatheringTally: Hashable, Sendable, BinaryCodable {
  var name: String = ""
  var hostCountry: String = ""
  var capacity: Int = 0
  var registered: Int = 0
  var cancelled: Int = 0
  var waitlisted: Int = 0
  var offersAccepted: Int = 0
  var exceptions: Int = 0
  var noShows: Int = 0
  var responses: Int = 0
  var closedOn: Day?
  var closedAtCapacity: Bool = false
  var participants: [RegistrationID: Participant] = [:]
  var checkedIn: Set<RegistrationID> = []
  var sessionsByKind: [String: Int] = [:]
  var outcomesByCategory: [String: Int] = [:]
  var statements: [String] = []
  var answered: [Int] = []
  var agreed: [Int] = []
  var comments: [Personal<String>] = []

  init() {}

  /// The registration figures.
  public var registrationCounts: RegistrationCounts {
    let attendees = checkedIn.compactMap { participants[$0] }
    var byRate: [String: Int] = [:]
    for attendee in attendees { byRate[attendee.rate.rawValue, default: 0] += 1 }
    return RegistrationCounts(
      name: name, capacity: capacity, registered: registered, cancelled: cancelled,
      waitlisted: waitlisted, offersAccepted: offersAccepted, exceptions: exceptions,
      checkedIn: checkedIn.count, noShows: noShows, closedOn: closedOn,
      closedAtCapacity: closedAtCapacity, byRate: byRate,
      fromOutsideHostCountry: attendees.filter { $0.country != hostCountry }.count,
      countries: Set(attendees.map(\.country)).count,
      refugees: attendees.filter(\.refugee).count, youth: attendees.filter(\.youth).count,
      funded: attendees.filter(\.funded).count,
      fundedFromOutsideHostCountry: attendees.filter { $0.funded && $0.country != hostCountry }
        .count,
      fundedRefugees: attendees.filter { $0.funded && $0.refugee }.count,
      sessionsByKind: sessionsByKind, sessions: sessionsByKind.values.reduce(0, +),
      outcomesByCategory: outcomesByCategory)
  }

  /// The evaluation figures.
  public var evaluationSummary: EvaluationSummary {
    EvaluationSummary(
      name: name, responses: responses, attendance: checkedIn.count,
      responseRate: checkedIn.isEmpty ? 0 : Double(responses) * 100 / Double(checkedIn.count),
      statements: statements.indices.map { index in
        StatementSummary(
          statement: statements[index], answered: answered[index], agreed: agreed[index],
          percentAgreeing: answered[index] == 0
            ? 0 : Double(agreed[index]) * 100 / Double(answered[index]))
      },
      comments: comments)
  }

  mutating func apply(_ event: GatheringEvent) {
    switch event {
    case .gatheringScheduled(let e):
      name = e.name
      hostCountry = e.country
      capacity = e.capacity
    case .registrationOpened:
      break
    case .registrationClosed(let e):
      closedOn = e.on
      closedAtCapacity = e.atCapacity
    case .participantRegistered(let e):
      registered += 1
      participants[e.registration] = e.participant
    case .registrationApproved, .registrationRejected, .placeOffered, .offerLapsed:
      break
    case .participantWaitlisted(let e):
      waitlisted += 1
      participants[e.registration] = e.participant
    case .exceptionAdmitted(let e):
      exceptions += 1
      participants[e.registration] = e.participant
    case .registrationCancelled:
      cancelled += 1
    case .offerAccepted:
      offersAccepted += 1
    case .registrationTransferred(let e):
      participants[e.registration] = e.to
    case .participantCheckedIn(let e):
      checkedIn.insert(e.registration)
    case .noShowRecorded:
      noShows += 1
    case .sessionScheduled(let e):
      sessionsByKind[e.kind.rawValue, default: 0] += 1
    case .workshopOutcomeRecorded(let e):
      outcomesByCategory[e.category.rawValue, default: 0] += 1
    case .evaluationFormDefined(let e):
      statements = e.statements
      answered = Array(repeating: 0, count: e.statements.count)
      agreed = Array(repeating: 0, count: e.statements.count)
    case .evaluationSubmitted(let e):
      responses += 1
      for (index, answer) in e.answers.enumerated() where index < answered.count && answer != 0 {
        answered[index] += 1
        if answer >= 4 { agreed[index] += 1 }
      }
      if let comment = e.comment { comments.append(comment) }
    }
  }

}

/// Every gathering's tally.
@BinaryCodable
public struct GatheringReports: Hashable, Sendable, BinaryCodable {
  /// The tallies by gathering.
  public var gatherings: [GatheringID: GatheringTally] = [:]

  /// No gatherings.
  public init() {}

  /// The registration figures of a gathering.
  public func registrationCounts(_ gathering: GatheringID) -> RegistrationCounts? {
    gatherings[gathering]?.registrationCounts
  }

  /// The evaluation figures of a gathering.
  public func evaluationSummary(_ gathering: GatheringID) -> EvaluationSummary? {
    gatherings[gathering]?.evaluationSummary
  }
}

/// Folds gathering events into registration counts and evaluation summaries.
public struct GatheringReportsProjection: Projection {
  /// Keeps nothing itself; what it folds is stored under `projection/gathering-reports@VERSION`.
  public init() {}

  /// `gathering-reports`.
  public var name: String { "gathering-reports" }
  /// Gathering streams.
  public var categories: Set<String>? { ["gathering"] }
  /// No gatherings.
  public var initialState: GatheringReports { GatheringReports() }

  /// Folds one event.
  public func apply(
    _ event: GatheringEvent, context: EventContext, to state: inout GatheringReports
  ) {
    state.gatherings[GatheringID(context.stream.id ?? ""), default: GatheringTally()].apply(event)
  }
}
