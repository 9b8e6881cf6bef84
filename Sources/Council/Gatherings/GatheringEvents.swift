import EventLog
import EventLogMacros

// Events of a national consultation or conference (stream `gathering-ID`), from the member
// guide (`000_e44055bfb5ba5aef.txt`, "National Consultations") and the 2018 conference
// report (`003_2599d789fd2f37a9.txt`). This file was generated once from a field list and is
// maintained by hand.

/// The office scheduled a national consultation or a conference.
@BinaryEvent
public struct GatheringScheduled: CouncilEvent {
  /// The gathering's identifier; its stream is `gathering-` followed by it.
  public var gathering: GatheringID
  /// A national consultation or a conference.
  public var kind: GatheringKind
  /// `fall` or `spring` for a national consultation (member guide: "Once in fall and once in spring").
  public var season: String?
  /// The name participants see, such as the season's consultation or the year's conference.
  public var name: String
  /// The host city.
  public var city: String
  /// The host country.
  public var country: String
  /// Its first day.
  public var starts: Day
  /// Its last day.
  public var ends: Day
  /// How many places registration offers.
  public var capacity: Int
  /// Its languages, such as `en`, `fr`, `es`.
  public var languages: [String]
  /// Whether each registration awaits the office's approval.
  public var requiresApproval: Bool
  /// Days a waitlisted person has to accept an offered place.
  public var offerDays: Int
}

/// The office opened registration.
@BinaryEvent
public struct RegistrationOpened: CouncilEvent {
  /// The day registration opened.
  public var on: Day
}

/// Registration closed: at capacity, or by the office.
@BinaryEvent
public struct RegistrationClosed: CouncilEvent {
  /// The day registration closed.
  public var on: Day
  /// Whether it closed because the last place was taken.
  public var atCapacity: Bool
}

/// A participant registered.
@BinaryEvent
public struct ParticipantRegistered: CouncilEvent {
  /// The identifier the caller chose; the decider refuses one already used in this gathering.
  public var registration: RegistrationID
  /// Who.
  public var participant: Participant
  /// The day the participant registered.
  public var on: Day
  /// Whether it awaits the office's approval.
  public var awaitingApproval: Bool
}

/// The office approved a registration awaiting approval.
@BinaryEvent
public struct RegistrationApproved: CouncilEvent {
  /// The registration, which was awaiting approval; it now holds a place.
  public var registration: RegistrationID
  /// The day it was approved.
  public var on: Day
}

/// The office rejected a registration awaiting approval.
@BinaryEvent
public struct RegistrationRejected: CouncilEvent {
  /// The registration, which was awaiting approval; it holds no place.
  public var registration: RegistrationID
  /// The day it was rejected.
  public var on: Day
  /// Why.
  public var reason: String
}

/// Registration was closed: the participant joined the waitlist.
@BinaryEvent
public struct ParticipantWaitlisted: CouncilEvent {
  /// The new registration; it holds no place until a place is offered and accepted.
  public var registration: RegistrationID
  /// Who.
  public var participant: Participant
  /// The day the participant was waitlisted.
  public var on: Day
}

/// After closing, the office admitted a participant as an explicit exception (conference report: "Some exceptions were made thereafter").
@BinaryEvent
public struct ExceptionAdmitted: CouncilEvent {
  /// The registration admitted; it holds a place even though registration is closed.
  public var registration: RegistrationID
  /// Who.
  public var participant: Participant
  /// The day the exception was admitted.
  public var on: Day
  /// Why.
  public var reason: String
}

/// A registration was cancelled, freeing its place.
@BinaryEvent
public struct RegistrationCancelled: CouncilEvent {
  /// The registration cancelled; its place may be offered to the waitlist.
  public var registration: RegistrationID
  /// The day it was cancelled.
  public var on: Day
}

/// A freed place was offered to the first on the waitlist.
@BinaryEvent
public struct PlaceOffered: CouncilEvent {
  /// The waitlisted registration.
  public var registration: RegistrationID
  /// The day the place was offered.
  public var on: Day
  /// The last day to accept.
  public var expires: Day
}

/// The waitlisted participant accepted the offered place.
@BinaryEvent
public struct OfferAccepted: CouncilEvent {
  /// The waitlisted registration, which now holds the place.
  public var registration: RegistrationID
  /// The day the offer was accepted.
  public var on: Day
}

/// An offered place was not accepted in time.
@BinaryEvent
public struct OfferLapsed: CouncilEvent {
  /// The registration whose offer lapsed; the place is offered to the next on the waitlist, if any.
  public var registration: RegistrationID
  /// The day the offer lapsed.
  public var on: Day
}

/// A registration was transferred to another person, keeping its place.
@BinaryEvent
public struct RegistrationTransferred: CouncilEvent {
  /// The registration, which keeps its status (and place, if it holds one) under the new participant.
  public var registration: RegistrationID
  /// The new participant.
  public var to: Participant
  /// The day it was transferred.
  public var on: Day
}

/// A participant was checked in at the gathering.
@BinaryEvent
public struct ParticipantCheckedIn: CouncilEvent {
  /// The registration checked in; only checked-in participants may evaluate.
  public var registration: RegistrationID
  /// The day the participant checked in.
  public var on: Day
}

/// A registered participant did not come.
@BinaryEvent
public struct NoShowRecorded: CouncilEvent {
  /// The registration that did not come; a no-show cannot also check in.
  public var registration: RegistrationID
  /// The day the no-show was recorded.
  public var on: Day
}

/// The office scheduled a session.
@BinaryEvent
public struct SessionScheduled: CouncilEvent {
  /// The session's identifier, unique within the gathering.
  public var session: SessionID
  /// Plenary or workshop; only workshops get outcomes (``WorkshopOutcomeRecorded``).
  public var kind: SessionKind
  /// The title as the programme lists it.
  public var title: String
  /// The day the session takes place.
  public var on: Day
  /// Languages of simultaneous interpretation.
  public var interpretation: [String]
}

/// A workshop's outcome, in one of the report's four categories.
@BinaryEvent
public struct WorkshopOutcomeRecorded: CouncilEvent {
  /// The session, which the decider checks is a workshop (``SessionKind/workshop``).
  public var session: SessionID
  /// Which of the report's four categories the outcome belongs to.
  public var category: OutcomeCategory
  /// The outcome in the workshop's words, as the report prints it.
  public var text: String
}

/// The office defined the evaluation's statements.
@BinaryEvent
public struct EvaluationFormDefined: CouncilEvent {
  /// The statements participants agree or disagree with.
  public var statements: [String]
}

/// A participant who attended evaluated the gathering.
@BinaryEvent
public struct EvaluationSubmitted: CouncilEvent {
  /// The evaluator's registration: checked in, and not yet evaluated.
  public var registration: RegistrationID
  /// One answer per statement: 1 strongly disagree … 5 strongly agree, 0 not answered.
  public var answers: [Int]
  /// An optional comment.
  public var comment: Personal<String>?
}

/// Every event of a gathering's stream (`gathering-ID`).
@EventFamily(CouncilEvent.self)
public enum GatheringEvent: CouncilEventFamily {
  case gatheringScheduled(GatheringScheduled)
  case registrationOpened(RegistrationOpened)
  case registrationClosed(RegistrationClosed)
  case participantRegistered(ParticipantRegistered)
  case registrationApproved(RegistrationApproved)
  case registrationRejected(RegistrationRejected)
  case participantWaitlisted(ParticipantWaitlisted)
  case exceptionAdmitted(ExceptionAdmitted)
  case registrationCancelled(RegistrationCancelled)
  case placeOffered(PlaceOffered)
  case offerAccepted(OfferAccepted)
  case offerLapsed(OfferLapsed)
  case registrationTransferred(RegistrationTransferred)
  case participantCheckedIn(ParticipantCheckedIn)
  case noShowRecorded(NoShowRecorded)
  case sessionScheduled(SessionScheduled)
  case workshopOutcomeRecorded(WorkshopOutcomeRecorded)
  case evaluationFormDefined(EvaluationFormDefined)
  case evaluationSubmitted(EvaluationSubmitted)
}
