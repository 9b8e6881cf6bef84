import EventLog

/// Where one registration stands.
public enum RegistrationStatus: String, JSONReadable, Sendable, Hashable, Codable, JSONWritable {
  /// Awaiting the office's approval (does not hold a place yet).
  case awaitingApproval
  /// Holding a place.
  case confirmed
  /// Admitted after closing as an explicit exception (outside capacity).
  case exception
  /// On the waitlist.
  case waitlisted
  /// Offered a freed place, not yet accepted.
  case offered
  /// Cancelled.
  case cancelled
  /// Rejected by the office.
  case rejected
  /// Its offer lapsed.
  case lapsed
}

/// One registration as the gathering knows it.
public struct RegistrationRecord: Sendable, Hashable {
  /// Who.
  public var participant: Participant
  /// Where it stands.
  public var status: RegistrationStatus
  /// For an offered place, the last day to accept it.
  public var offerExpires: Day?
  /// Checked in at the gathering.
  public var checkedIn = false
  /// Recorded as a no-show.
  public var noShow = false
  /// Evaluated the gathering.
  public var evaluated = false
  /// How many people have held it: 1, plus one for each transfer.
  public var holders = 1

  /// Whether it holds a place within capacity (confirmed, or offered and not yet lapsed).
  var holdsPlace: Bool { status == .confirmed || status == .offered }
  /// Whether the person may attend.
  var mayAttend: Bool { status == .confirmed || status == .exception }
}

/// What a gathering's stream folds to.
public struct GatheringState: Sendable, Hashable {
  /// What was scheduled, once it was.
  public var scheduled: GatheringScheduled?
  /// Whether registration has opened.
  public var open = false
  /// Whether registration has closed.
  public var closed = false
  /// Every registration.
  public var registrations: [RegistrationID: RegistrationRecord] = [:]
  /// The waitlist, first in line first.
  public var waitlist: [RegistrationID] = []
  /// Places held (confirmed and offered).
  public var placesHeld = 0
  /// Sessions and their kinds.
  public var sessions: [SessionID: SessionKind] = [:]
  /// The evaluation's statements, once defined.
  public var statements: [String]?

  /// What a stream with no events folds to: the same as ``GatheringDecider/initialState``.
  public init() {}

  /// Places still free within capacity.
  public var freePlaces: Int { max(0, (scheduled?.capacity ?? 0) - placesHeld) }
}

/// What may be asked of a gathering.
public enum GatheringCommand: Sendable {
  /// The office schedules it.
  case schedule(GatheringScheduled, by: Issuer)
  /// The office opens registration.
  case openRegistration(on: Day, by: Issuer)
  /// The office closes registration before capacity is reached.
  case closeRegistration(on: Day, by: Issuer)
  /// Anyone registers (the member rate needs an issuer acting for a member, or the office).
  case register(RegistrationID, Participant, on: Day, by: Issuer)
  /// The office approves a registration awaiting approval.
  case approve(RegistrationID, on: Day, by: Issuer)
  /// The office rejects a registration awaiting approval.
  case reject(RegistrationID, on: Day, reason: String, by: Issuer)
  /// After closing, the office admits a participant as an explicit exception.
  case admitException(RegistrationID, Participant, on: Day, reason: String, by: Issuer)
  /// The registration is cancelled (by the office or on the participant's behalf).
  case cancel(RegistrationID, on: Day, by: Issuer)
  /// The waitlisted participant accepts the place offered.
  case acceptOffer(RegistrationID, on: Day, by: Issuer)
  /// The office records that an offer expired, and the place goes to the next in line.
  case recordLapsedOffer(RegistrationID, on: Day, by: Issuer)
  /// The registration passes to another person, keeping its place.
  case transfer(RegistrationID, to: Participant, on: Day, by: Issuer)
  /// The office checks a participant in.
  case checkIn(RegistrationID, on: Day, by: Issuer)
  /// The office records a participant who did not come.
  case recordNoShow(RegistrationID, on: Day, by: Issuer)
  /// The office schedules a session.
  case scheduleSession(
    SessionID, kind: SessionKind, title: String, on: Day, interpretation: [String], by: Issuer)
  /// The office records a workshop's outcome.
  case recordOutcome(SessionID, category: OutcomeCategory, text: String, by: Issuer)
  /// The office defines the evaluation's statements.
  case defineEvaluation([String], by: Issuer)
  /// A participant who attended evaluates the gathering.
  case evaluate(RegistrationID, answers: [Int], comment: String?, by: Issuer)
}

/// Why a gathering command was refused.
public enum GatheringError: Error, Hashable, Sendable {
  /// The issuer may not issue this command.
  case notPermitted(NotPermitted)
  /// Scheduled already.
  case alreadyScheduled
  /// Not scheduled.
  case notScheduled
  /// The dates, capacity or season do not make sense.
  case invalidSchedule(String)
  /// Registration is not open.
  case registrationNotOpen
  /// Registration is open already, or closed already.
  case registrationAlreadyOpened
  /// Registration is closed: the command needs it open.
  case registrationClosed
  /// Registration is still open: exceptions are for after closing.
  case registrationStillOpen
  /// The member rate is for member organizations' people (or the office registering them).
  case memberRateNeedsMember
  /// No such registration.
  case unknownRegistration(RegistrationID)
  /// The registration exists already.
  case duplicateRegistration(RegistrationID)
  /// The registration is not in the status the command needs.
  case wrongStatus(RegistrationID, RegistrationStatus)
  /// The offer expired on `expired`.
  case offerExpired(expired: Day)
  /// The offer runs until `expires`: it has not lapsed.
  case offerStillOpen(expires: Day)
  /// The day is outside the gathering's days.
  case notDuringGathering(Day)
  /// Checked in already, or recorded as a no-show already.
  case attendanceRecorded(RegistrationID)
  /// No such session, or the session exists already.
  case session(SessionID, String)
  /// Outcomes are recorded for workshops only.
  case notAWorkshop(SessionID)
  /// The evaluation form is not defined, or is defined already.
  case evaluationForm(String)
  /// Only participants who checked in evaluate, once.
  case cannotEvaluate(RegistrationID, String)
  /// Answers must be one per statement, each 0 to 5.
  case invalidAnswers(String)
}

/// The rules of consultations and conferences: scheduling, registration with capacity,
/// approval, closing, exceptions, the waitlist and offers, transfers, attendance, sessions,
/// outcomes and evaluations.
public struct GatheringDecider: Decider {
  /// The decider keeps nothing between calls: one value serves every stream.
  public init() {}

  /// A stream with no events.
  public var initialState: GatheringState { GatheringState() }

  /// Decides a gathering command.
  public func decide(_ command: GatheringCommand, state: GatheringState) throws(GatheringError)
    -> [GatheringEvent]
  {
    switch command {
    case .schedule(let event, let issuer):
      try office(issuer, "schedule a gathering")
      guard state.scheduled == nil else { throw .alreadyScheduled }
      guard event.starts <= event.ends else { throw .invalidSchedule("it ends before it starts") }
      guard event.capacity > 0 else { throw .invalidSchedule("capacity must be positive") }
      guard event.offerDays >= 0 else { throw .invalidSchedule("offer days cannot be negative") }
      if event.kind == .nationalConsultation, let season = event.season,
        !["fall", "spring"].contains(season)
      {
        throw .invalidSchedule("a national consultation is held in fall or spring, not \(season)")
      }
      return [.gatheringScheduled(event)]

    case .openRegistration(let day, let issuer):
      try office(issuer, "open registration")
      guard state.scheduled != nil else { throw .notScheduled }
      guard !state.open && !state.closed else { throw .registrationAlreadyOpened }
      return [.registrationOpened(RegistrationOpened(on: day))]

    case .closeRegistration(let day, let issuer):
      try office(issuer, "close registration")
      guard state.open, !state.closed else {
        throw state.closed ? .registrationClosed : .registrationNotOpen
      }
      return [.registrationClosed(RegistrationClosed(on: day, atCapacity: false))]

    case .register(let id, let participant, let day, let issuer):
      guard let scheduled = state.scheduled else { throw .notScheduled }
      let participant = participant.of(.participant(scheduled.gathering, id))
      guard state.registrations[id] == nil else { throw .duplicateRegistration(id) }
      guard participant.rate == .nonMember || issuer.isOffice || issuer.member != nil else {
        throw .memberRateNeedsMember
      }
      guard state.open else { throw .registrationNotOpen }
      if state.closed {
        var events: [GatheringEvent] = [
          .participantWaitlisted(
            ParticipantWaitlisted(registration: id, participant: participant, on: day))
        ]
        // A place freed with nobody waiting goes to the first newcomer.
        if state.freePlaces > 0 && state.waitlist.isEmpty {
          events.append(
            .placeOffered(
              PlaceOffered(
                registration: id, on: day, expires: day.adding(days: scheduled.offerDays))))
        }
        return events
      }
      if scheduled.requiresApproval {
        return [
          .participantRegistered(
            ParticipantRegistered(
              registration: id, participant: participant, on: day, awaitingApproval: true))
        ]
      }
      var events: [GatheringEvent] = [
        .participantRegistered(
          ParticipantRegistered(
            registration: id, participant: participant, on: day, awaitingApproval: false))
      ]
      if state.placesHeld + 1 >= scheduled.capacity {
        events.append(.registrationClosed(RegistrationClosed(on: day, atCapacity: true)))
      }
      return events

    case .approve(let id, let day, let issuer):
      try office(issuer, "approve a registration")
      guard let scheduled = state.scheduled else { throw .notScheduled }
      let record = try registration(id, in: state)
      guard record.status == .awaitingApproval else { throw .wrongStatus(id, record.status) }
      guard !state.closed else { throw .registrationClosed }
      var events: [GatheringEvent] = [
        .registrationApproved(RegistrationApproved(registration: id, on: day))
      ]
      if state.placesHeld + 1 >= scheduled.capacity {
        events.append(.registrationClosed(RegistrationClosed(on: day, atCapacity: true)))
      }
      return events

    case .reject(let id, let day, let reason, let issuer):
      try office(issuer, "reject a registration")
      let record = try registration(id, in: state)
      guard record.status == .awaitingApproval else { throw .wrongStatus(id, record.status) }
      return [
        .registrationRejected(RegistrationRejected(registration: id, on: day, reason: reason))
      ]

    case .admitException(let id, let participant, let day, let reason, let issuer):
      try office(issuer, "admit an exception")
      guard let scheduled = state.scheduled else { throw .notScheduled }
      let participant = participant.of(.participant(scheduled.gathering, id))
      guard state.closed else { throw .registrationStillOpen }
      if let record = state.registrations[id] {
        // A waitlisted person may be admitted as an exception.
        guard record.status == .waitlisted else { throw .duplicateRegistration(id) }
      }
      return [
        .exceptionAdmitted(
          ExceptionAdmitted(registration: id, participant: participant, on: day, reason: reason))
      ]

    case .cancel(let id, let day, _):
      guard let scheduled = state.scheduled else { throw .notScheduled }
      let record = try registration(id, in: state)
      guard
        [.awaitingApproval, .confirmed, .exception, .waitlisted, .offered].contains(record.status)
      else {
        throw .wrongStatus(id, record.status)
      }
      guard !record.checkedIn else { throw .attendanceRecorded(id) }
      var events: [GatheringEvent] = [
        .registrationCancelled(RegistrationCancelled(registration: id, on: day))
      ]
      if record.holdsPlace, let next = state.waitlist.first(where: { $0 != id }) {
        events.append(
          .placeOffered(
            PlaceOffered(
              registration: next, on: day, expires: day.adding(days: scheduled.offerDays))))
      }
      return events

    case .acceptOffer(let id, let day, _):
      let record = try registration(id, in: state)
      guard record.status == .offered, let expires = record.offerExpires else {
        throw .wrongStatus(id, record.status)
      }
      guard day <= expires else { throw .offerExpired(expired: expires) }
      return [.offerAccepted(OfferAccepted(registration: id, on: day))]

    case .recordLapsedOffer(let id, let day, let issuer):
      try office(issuer, "record a lapsed offer")
      guard let scheduled = state.scheduled else { throw .notScheduled }
      let record = try registration(id, in: state)
      guard record.status == .offered, let expires = record.offerExpires else {
        throw .wrongStatus(id, record.status)
      }
      guard day > expires else { throw .offerStillOpen(expires: expires) }
      var events: [GatheringEvent] = [.offerLapsed(OfferLapsed(registration: id, on: day))]
      if let next = state.waitlist.first(where: { $0 != id }) {
        events.append(
          .placeOffered(
            PlaceOffered(
              registration: next, on: day, expires: day.adding(days: scheduled.offerDays))))
      }
      return events

    case .transfer(let id, let participant, let day, _):
      let record = try registration(id, in: state)
      guard [.awaitingApproval, .confirmed, .exception].contains(record.status) else {
        throw .wrongStatus(id, record.status)
      }
      guard !record.checkedIn && !record.noShow else { throw .attendanceRecorded(id) }
      let gathering = try schedule(state).gathering
      let holder = participant.of(.participant(gathering, id, holder: record.holders + 1))
      return [
        .registrationTransferred(
          RegistrationTransferred(registration: id, to: holder, on: day))
      ]

    case .checkIn(let id, let day, let issuer):
      try office(issuer, "check a participant in")
      let scheduled = try schedule(state)
      let record = try registration(id, in: state)
      guard record.mayAttend else { throw .wrongStatus(id, record.status) }
      guard scheduled.starts <= day && day <= scheduled.ends else { throw .notDuringGathering(day) }
      guard !record.checkedIn && !record.noShow else { throw .attendanceRecorded(id) }
      return [.participantCheckedIn(ParticipantCheckedIn(registration: id, on: day))]

    case .recordNoShow(let id, let day, let issuer):
      try office(issuer, "record a no-show")
      let scheduled = try schedule(state)
      let record = try registration(id, in: state)
      guard record.mayAttend else { throw .wrongStatus(id, record.status) }
      guard day >= scheduled.starts else { throw .notDuringGathering(day) }
      guard !record.checkedIn && !record.noShow else { throw .attendanceRecorded(id) }
      return [.noShowRecorded(NoShowRecorded(registration: id, on: day))]

    case .scheduleSession(let id, let kind, let title, let day, let interpretation, let issuer):
      try office(issuer, "schedule a session")
      let scheduled = try schedule(state)
      guard state.sessions[id] == nil else { throw .session(id, "exists already") }
      guard scheduled.starts <= day && day <= scheduled.ends else { throw .notDuringGathering(day) }
      return [
        .sessionScheduled(
          SessionScheduled(
            session: id, kind: kind, title: title, on: day, interpretation: interpretation))
      ]

    case .recordOutcome(let id, let category, let text, let issuer):
      try office(issuer, "record a workshop outcome")
      guard let kind = state.sessions[id] else { throw .session(id, "is not scheduled") }
      guard kind == .workshop else { throw .notAWorkshop(id) }
      return [
        .workshopOutcomeRecorded(
          WorkshopOutcomeRecorded(session: id, category: category, text: text))
      ]

    case .defineEvaluation(let statements, let issuer):
      try office(issuer, "define the evaluation")
      _ = try schedule(state)
      guard state.statements == nil else { throw .evaluationForm("defined already") }
      guard !statements.isEmpty else { throw .evaluationForm("needs at least one statement") }
      return [.evaluationFormDefined(EvaluationFormDefined(statements: statements))]

    case .evaluate(let id, let answers, let comment, _):
      guard let statements = state.statements else { throw .evaluationForm("not defined") }
      let record = try registration(id, in: state)
      guard record.checkedIn else {
        throw .cannotEvaluate(id, "only participants who checked in evaluate")
      }
      guard !record.evaluated else { throw .cannotEvaluate(id, "evaluated already") }
      guard answers.count == statements.count else {
        throw .invalidAnswers("\(answers.count) answers for \(statements.count) statements")
      }
      guard answers.allSatisfy({ (0...5).contains($0) }) else {
        throw .invalidAnswers("each answer is 0 to 5")
      }
      let gathering = try schedule(state).gathering
      let holder =
        record.participant.subject ?? .participant(gathering, id, holder: record.holders)
      let author = DataSubject.respondent(holder)
      // An empty comment is no comment: what is sealed cannot be looked into later.
      let comment = comment.flatMap { $0.isEmpty ? nil : $0 }
      return [
        .evaluationSubmitted(
          EvaluationSubmitted(
            registration: id, answers: answers, comment: comment.map { Personal($0, of: author) }
          ))
      ]
    }
  }

  /// Folds one event into the state.
  public func evolve(_ state: GatheringState, _ event: GatheringEvent) -> GatheringState {
    var state = state
    switch event {
    case .gatheringScheduled(let e):
      state.scheduled = e
    case .registrationOpened:
      state.open = true
    case .registrationClosed:
      state.closed = true
    case .participantRegistered(let e):
      state.registrations[e.registration] = RegistrationRecord(
        participant: e.participant, status: e.awaitingApproval ? .awaitingApproval : .confirmed)
      if !e.awaitingApproval { state.placesHeld += 1 }
    case .registrationApproved(let e):
      state.registrations[e.registration]?.status = .confirmed
      state.placesHeld += 1
    case .registrationRejected(let e):
      state.registrations[e.registration]?.status = .rejected
    case .participantWaitlisted(let e):
      state.registrations[e.registration] = RegistrationRecord(
        participant: e.participant, status: .waitlisted)
      state.waitlist.append(e.registration)
    case .exceptionAdmitted(let e):
      state.waitlist.removeAll { $0 == e.registration }
      state.registrations[e.registration] = RegistrationRecord(
        participant: e.participant, status: .exception)
    case .registrationCancelled(let e):
      if state.registrations[e.registration]?.holdsPlace == true { state.placesHeld -= 1 }
      state.registrations[e.registration]?.status = .cancelled
      state.waitlist.removeAll { $0 == e.registration }
    case .placeOffered(let e):
      state.waitlist.removeAll { $0 == e.registration }
      state.registrations[e.registration]?.status = .offered
      state.registrations[e.registration]?.offerExpires = e.expires
      state.placesHeld += 1
    case .offerAccepted(let e):
      state.registrations[e.registration]?.status = .confirmed
    case .offerLapsed(let e):
      state.registrations[e.registration]?.status = .lapsed
      state.placesHeld -= 1
    case .registrationTransferred(let e):
      state.registrations[e.registration]?.participant = e.to
      state.registrations[e.registration]?.holders += 1
    case .participantCheckedIn(let e):
      state.registrations[e.registration]?.checkedIn = true
    case .noShowRecorded(let e):
      state.registrations[e.registration]?.noShow = true
    case .sessionScheduled(let e):
      state.sessions[e.session] = e.kind
    case .workshopOutcomeRecorded:
      break
    case .evaluationFormDefined(let e):
      state.statements = e.statements
    case .evaluationSubmitted(let e):
      state.registrations[e.registration]?.evaluated = true
    }
    return state
  }

  private func office(_ issuer: Issuer, _ action: String) throws(GatheringError) {
    guard issuer.isOffice else {
      throw .notPermitted(NotPermitted(issuer, action, allowed: "the office"))
    }
  }

  private func schedule(_ state: GatheringState) throws(GatheringError) -> GatheringScheduled {
    guard let scheduled = state.scheduled else { throw .notScheduled }
    return scheduled
  }

  private func registration(_ id: RegistrationID, in state: GatheringState) throws(GatheringError)
    -> RegistrationRecord
  {
    guard let record = state.registrations[id] else { throw .unknownRegistration(id) }
    return record
  }
}
