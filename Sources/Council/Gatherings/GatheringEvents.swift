import EventLog

// Events of a national consultation or conference (stream `gathering-ID`), from the member
// guide (`000_e44055bfb5ba5aef.txt`, "National Consultations") and the 2018 conference
// report (`003_2599d789fd2f37a9.txt`). This file was generated once from a field list and is
// maintained by hand.

/// The office scheduled a national consultation or a conference.
public struct GatheringScheduled: CouncilEvent {
  /// `GatheringScheduled`.
  public static let eventType = "GatheringScheduled"
  /// The gathering.
  public var gathering: GatheringID
  /// A national consultation or a conference.
  public var kind: GatheringKind
  /// `fall` or `spring` for a national consultation (member guide: "Once in fall and once in spring").
  public var season: String?
  /// Its name.
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

  /// Creates the event.
  public init(
    gathering: GatheringID, kind: GatheringKind, season: String? = nil, name: String, city: String,
    country: String, starts: Day, ends: Day, capacity: Int, languages: [String],
    requiresApproval: Bool, offerDays: Int
  ) {
    self.gathering = gathering
    self.kind = kind
    self.season = season
    self.name = name
    self.city = city
    self.country = country
    self.starts = starts
    self.ends = ends
    self.capacity = capacity
    self.languages = languages
    self.requiresApproval = requiresApproval
    self.offerDays = offerDays
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(gathering)
    writer.write(kind)
    writer.write(season)
    writer.write(name)
    writer.write(city)
    writer.write(country)
    writer.write(starts)
    writer.write(ends)
    writer.write(capacity)
    writer.write(languages)
    writer.write(requiresApproval)
    writer.write(offerDays)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      gathering: try reader.read(GatheringID.self), kind: try reader.read(GatheringKind.self),
      season: try reader.read(String?.self), name: try reader.read(String.self),
      city: try reader.read(String.self), country: try reader.read(String.self),
      starts: try reader.read(Day.self), ends: try reader.read(Day.self),
      capacity: try reader.read(Int.self), languages: try reader.read([String].self),
      requiresApproval: try reader.read(Bool.self), offerDays: try reader.read(Int.self))
  }
}

/// The office opened registration.
public struct RegistrationOpened: CouncilEvent {
  /// `RegistrationOpened`.
  public static let eventType = "RegistrationOpened"
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(on: Day) {
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(on: try reader.read(Day.self))
  }
}

/// Registration closed: at capacity, or by the office.
public struct RegistrationClosed: CouncilEvent {
  /// `RegistrationClosed`.
  public static let eventType = "RegistrationClosed"
  /// The day.
  public var on: Day
  /// Whether it closed because the last place was taken.
  public var atCapacity: Bool

  /// Creates the event.
  public init(on: Day, atCapacity: Bool) {
    self.on = on
    self.atCapacity = atCapacity
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(on)
    writer.write(atCapacity)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(on: try reader.read(Day.self), atCapacity: try reader.read(Bool.self))
  }
}

/// A participant registered.
public struct ParticipantRegistered: CouncilEvent {
  /// `ParticipantRegistered`.
  public static let eventType = "ParticipantRegistered"
  /// The registration.
  public var registration: RegistrationID
  /// Who.
  public var participant: Participant
  /// The day.
  public var on: Day
  /// Whether it awaits the office's approval.
  public var awaitingApproval: Bool

  /// Creates the event.
  public init(
    registration: RegistrationID, participant: Participant, on: Day, awaitingApproval: Bool
  ) {
    self.registration = registration
    self.participant = participant
    self.on = on
    self.awaitingApproval = awaitingApproval
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(participant)
    writer.write(on)
    writer.write(awaitingApproval)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      registration: try reader.read(RegistrationID.self),
      participant: try reader.read(Participant.self), on: try reader.read(Day.self),
      awaitingApproval: try reader.read(Bool.self))
  }
}

/// The office approved a registration awaiting approval.
public struct RegistrationApproved: CouncilEvent {
  /// `RegistrationApproved`.
  public static let eventType = "RegistrationApproved"
  /// The registration.
  public var registration: RegistrationID
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(registration: RegistrationID, on: Day) {
    self.registration = registration
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(registration: try reader.read(RegistrationID.self), on: try reader.read(Day.self))
  }
}

/// The office rejected a registration awaiting approval.
public struct RegistrationRejected: CouncilEvent {
  /// `RegistrationRejected`.
  public static let eventType = "RegistrationRejected"
  /// The registration.
  public var registration: RegistrationID
  /// The day.
  public var on: Day
  /// Why.
  public var reason: String

  /// Creates the event.
  public init(registration: RegistrationID, on: Day, reason: String) {
    self.registration = registration
    self.on = on
    self.reason = reason
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      registration: try reader.read(RegistrationID.self), on: try reader.read(Day.self),
      reason: try reader.read(String.self))
  }
}

/// Registration was closed: the participant joined the waitlist.
public struct ParticipantWaitlisted: CouncilEvent {
  /// `ParticipantWaitlisted`.
  public static let eventType = "ParticipantWaitlisted"
  /// The registration.
  public var registration: RegistrationID
  /// Who.
  public var participant: Participant
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(registration: RegistrationID, participant: Participant, on: Day) {
    self.registration = registration
    self.participant = participant
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(participant)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      registration: try reader.read(RegistrationID.self),
      participant: try reader.read(Participant.self), on: try reader.read(Day.self))
  }
}

/// After closing, the office admitted a participant as an explicit exception (conference report: "Some exceptions were made thereafter").
public struct ExceptionAdmitted: CouncilEvent {
  /// `ExceptionAdmitted`.
  public static let eventType = "ExceptionAdmitted"
  /// The registration.
  public var registration: RegistrationID
  /// Who.
  public var participant: Participant
  /// The day.
  public var on: Day
  /// Why.
  public var reason: String

  /// Creates the event.
  public init(registration: RegistrationID, participant: Participant, on: Day, reason: String) {
    self.registration = registration
    self.participant = participant
    self.on = on
    self.reason = reason
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(participant)
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      registration: try reader.read(RegistrationID.self),
      participant: try reader.read(Participant.self), on: try reader.read(Day.self),
      reason: try reader.read(String.self))
  }
}

/// A registration was cancelled, freeing its place.
public struct RegistrationCancelled: CouncilEvent {
  /// `RegistrationCancelled`.
  public static let eventType = "RegistrationCancelled"
  /// The registration.
  public var registration: RegistrationID
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(registration: RegistrationID, on: Day) {
    self.registration = registration
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(registration: try reader.read(RegistrationID.self), on: try reader.read(Day.self))
  }
}

/// A freed place was offered to the first on the waitlist.
public struct PlaceOffered: CouncilEvent {
  /// `PlaceOffered`.
  public static let eventType = "PlaceOffered"
  /// The waitlisted registration.
  public var registration: RegistrationID
  /// The day.
  public var on: Day
  /// The last day to accept.
  public var expires: Day

  /// Creates the event.
  public init(registration: RegistrationID, on: Day, expires: Day) {
    self.registration = registration
    self.on = on
    self.expires = expires
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(on)
    writer.write(expires)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      registration: try reader.read(RegistrationID.self), on: try reader.read(Day.self),
      expires: try reader.read(Day.self))
  }
}

/// The waitlisted participant accepted the offered place.
public struct OfferAccepted: CouncilEvent {
  /// `OfferAccepted`.
  public static let eventType = "OfferAccepted"
  /// The registration.
  public var registration: RegistrationID
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(registration: RegistrationID, on: Day) {
    self.registration = registration
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(registration: try reader.read(RegistrationID.self), on: try reader.read(Day.self))
  }
}

/// An offered place was not accepted in time.
public struct OfferLapsed: CouncilEvent {
  /// `OfferLapsed`.
  public static let eventType = "OfferLapsed"
  /// The registration.
  public var registration: RegistrationID
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(registration: RegistrationID, on: Day) {
    self.registration = registration
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(registration: try reader.read(RegistrationID.self), on: try reader.read(Day.self))
  }
}

/// A registration was transferred to another person, keeping its place.
public struct RegistrationTransferred: CouncilEvent {
  /// `RegistrationTransferred`.
  public static let eventType = "RegistrationTransferred"
  /// The registration.
  public var registration: RegistrationID
  /// The new participant.
  public var to: Participant
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(registration: RegistrationID, to: Participant, on: Day) {
    self.registration = registration
    self.to = to
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(to)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      registration: try reader.read(RegistrationID.self), to: try reader.read(Participant.self),
      on: try reader.read(Day.self))
  }
}

/// A participant was checked in at the gathering.
public struct ParticipantCheckedIn: CouncilEvent {
  /// `ParticipantCheckedIn`.
  public static let eventType = "ParticipantCheckedIn"
  /// The registration.
  public var registration: RegistrationID
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(registration: RegistrationID, on: Day) {
    self.registration = registration
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(registration: try reader.read(RegistrationID.self), on: try reader.read(Day.self))
  }
}

/// A registered participant did not come.
public struct NoShowRecorded: CouncilEvent {
  /// `NoShowRecorded`.
  public static let eventType = "NoShowRecorded"
  /// The registration.
  public var registration: RegistrationID
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(registration: RegistrationID, on: Day) {
    self.registration = registration
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(registration: try reader.read(RegistrationID.self), on: try reader.read(Day.self))
  }
}

/// The office scheduled a session.
public struct SessionScheduled: CouncilEvent {
  /// `SessionScheduled`.
  public static let eventType = "SessionScheduled"
  /// The session.
  public var session: SessionID
  /// Its kind.
  public var kind: SessionKind
  /// Its title.
  public var title: String
  /// The day.
  public var on: Day
  /// Languages of simultaneous interpretation.
  public var interpretation: [String]

  /// Creates the event.
  public init(
    session: SessionID, kind: SessionKind, title: String, on: Day, interpretation: [String]
  ) {
    self.session = session
    self.kind = kind
    self.title = title
    self.on = on
    self.interpretation = interpretation
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(session)
    writer.write(kind)
    writer.write(title)
    writer.write(on)
    writer.write(interpretation)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      session: try reader.read(SessionID.self), kind: try reader.read(SessionKind.self),
      title: try reader.read(String.self), on: try reader.read(Day.self),
      interpretation: try reader.read([String].self))
  }
}

/// A workshop's outcome, in one of the report's four categories.
public struct WorkshopOutcomeRecorded: CouncilEvent {
  /// `WorkshopOutcomeRecorded`.
  public static let eventType = "WorkshopOutcomeRecorded"
  /// The workshop.
  public var session: SessionID
  /// The category.
  public var category: OutcomeCategory
  /// The outcome.
  public var text: String

  /// Creates the event.
  public init(session: SessionID, category: OutcomeCategory, text: String) {
    self.session = session
    self.category = category
    self.text = text
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(session)
    writer.write(category)
    writer.write(text)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      session: try reader.read(SessionID.self), category: try reader.read(OutcomeCategory.self),
      text: try reader.read(String.self))
  }
}

/// The office defined the evaluation's statements.
public struct EvaluationFormDefined: CouncilEvent {
  /// `EvaluationFormDefined`.
  public static let eventType = "EvaluationFormDefined"
  /// The statements participants agree or disagree with.
  public var statements: [String]

  /// Creates the event.
  public init(statements: [String]) {
    self.statements = statements
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(statements)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(statements: try reader.read([String].self))
  }
}

/// A participant who attended evaluated the gathering.
public struct EvaluationSubmitted: CouncilEvent {
  /// `EvaluationSubmitted`.
  public static let eventType = "EvaluationSubmitted"
  /// The registration.
  public var registration: RegistrationID
  /// One answer per statement: 1 strongly disagree … 5 strongly agree, 0 not answered.
  public var answers: [Int]
  /// An optional comment.
  public var comment: String?

  /// Creates the event.
  public init(registration: RegistrationID, answers: [Int], comment: String? = nil) {
    self.registration = registration
    self.answers = answers
    self.comment = comment
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(registration)
    writer.write(answers)
    writer.write(comment)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      registration: try reader.read(RegistrationID.self), answers: try reader.read([Int].self),
      comment: try reader.read(String?.self))
  }
}

/// Every event of a gathering's stream (`gathering-ID`).
public enum GatheringEvent: CouncilEventFamily {
  /// See ``GatheringScheduled``.
  case gatheringScheduled(GatheringScheduled)
  /// See ``RegistrationOpened``.
  case registrationOpened(RegistrationOpened)
  /// See ``RegistrationClosed``.
  case registrationClosed(RegistrationClosed)
  /// See ``ParticipantRegistered``.
  case participantRegistered(ParticipantRegistered)
  /// See ``RegistrationApproved``.
  case registrationApproved(RegistrationApproved)
  /// See ``RegistrationRejected``.
  case registrationRejected(RegistrationRejected)
  /// See ``ParticipantWaitlisted``.
  case participantWaitlisted(ParticipantWaitlisted)
  /// See ``ExceptionAdmitted``.
  case exceptionAdmitted(ExceptionAdmitted)
  /// See ``RegistrationCancelled``.
  case registrationCancelled(RegistrationCancelled)
  /// See ``PlaceOffered``.
  case placeOffered(PlaceOffered)
  /// See ``OfferAccepted``.
  case offerAccepted(OfferAccepted)
  /// See ``OfferLapsed``.
  case offerLapsed(OfferLapsed)
  /// See ``RegistrationTransferred``.
  case registrationTransferred(RegistrationTransferred)
  /// See ``ParticipantCheckedIn``.
  case participantCheckedIn(ParticipantCheckedIn)
  /// See ``NoShowRecorded``.
  case noShowRecorded(NoShowRecorded)
  /// See ``SessionScheduled``.
  case sessionScheduled(SessionScheduled)
  /// See ``WorkshopOutcomeRecorded``.
  case workshopOutcomeRecorded(WorkshopOutcomeRecorded)
  /// See ``EvaluationFormDefined``.
  case evaluationFormDefined(EvaluationFormDefined)
  /// See ``EvaluationSubmitted``.
  case evaluationSubmitted(EvaluationSubmitted)

  /// Each case's type and how to read it.
  public static let decoders = PayloadDecoders<GatheringEvent>(
    .binary(GatheringScheduled.self, Self.gatheringScheduled),
    .binary(RegistrationOpened.self, Self.registrationOpened),
    .binary(RegistrationClosed.self, Self.registrationClosed),
    .binary(ParticipantRegistered.self, Self.participantRegistered),
    .binary(RegistrationApproved.self, Self.registrationApproved),
    .binary(RegistrationRejected.self, Self.registrationRejected),
    .binary(ParticipantWaitlisted.self, Self.participantWaitlisted),
    .binary(ExceptionAdmitted.self, Self.exceptionAdmitted),
    .binary(RegistrationCancelled.self, Self.registrationCancelled),
    .binary(PlaceOffered.self, Self.placeOffered),
    .binary(OfferAccepted.self, Self.offerAccepted),
    .binary(OfferLapsed.self, Self.offerLapsed),
    .binary(RegistrationTransferred.self, Self.registrationTransferred),
    .binary(ParticipantCheckedIn.self, Self.participantCheckedIn),
    .binary(NoShowRecorded.self, Self.noShowRecorded),
    .binary(SessionScheduled.self, Self.sessionScheduled),
    .binary(WorkshopOutcomeRecorded.self, Self.workshopOutcomeRecorded),
    .binary(EvaluationFormDefined.self, Self.evaluationFormDefined),
    .binary(EvaluationSubmitted.self, Self.evaluationSubmitted))

  /// The payload, whatever the case.
  public var payload: any CouncilEvent {
    switch self {
    case .gatheringScheduled(let e): return e
    case .registrationOpened(let e): return e
    case .registrationClosed(let e): return e
    case .participantRegistered(let e): return e
    case .registrationApproved(let e): return e
    case .registrationRejected(let e): return e
    case .participantWaitlisted(let e): return e
    case .exceptionAdmitted(let e): return e
    case .registrationCancelled(let e): return e
    case .placeOffered(let e): return e
    case .offerAccepted(let e): return e
    case .offerLapsed(let e): return e
    case .registrationTransferred(let e): return e
    case .participantCheckedIn(let e): return e
    case .noShowRecorded(let e): return e
    case .sessionScheduled(let e): return e
    case .workshopOutcomeRecorded(let e): return e
    case .evaluationFormDefined(let e): return e
    case .evaluationSubmitted(let e): return e
    }
  }

  /// The case's type name.
  public var eventType: String { type(of: payload).eventType }

  /// Writes the payload.
  public func encodePayload(to writer: inout BinaryWriter) { payload.encode(to: &writer) }

}
