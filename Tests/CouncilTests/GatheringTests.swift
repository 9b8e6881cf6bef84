import Council
import EventLog
import Testing

let conference = GatheringScheduled(
  gathering: "irrc-2018", kind: .conference, name: "International Refugee Rights Conference",
  city: "Toronto", country: "Canada", starts: Day(2018, 6, 7), ends: Day(2018, 6, 9), capacity: 2,
  languages: ["en", "fr", "es"], requiresApproval: false, offerDays: 3)
let ana = Participant(
  name: "Ana", organization: "FCJ", country: "Canada", rate: .member, refugee: true)
let ben = Participant(name: "Ben", organization: "UNHCR", country: "Switzerland", rate: .nonMember)
let cleo = Participant(
  name: "Cleo", organization: "Asylum Access", country: "Mexico", rate: .nonMember, youth: true,
  funded: true)
let scheduled = GatheringEvent.gatheringScheduled(conference)
let opened = GatheringEvent.registrationOpened(RegistrationOpened(on: Day(2018, 3, 1)))
func registered(_ id: RegistrationID, _ p: Participant, awaiting: Bool = false) -> GatheringEvent {
  .participantRegistered(
    ParticipantRegistered(
      registration: id, participant: p.holding(id), on: Day(2018, 4, 1),
      awaitingApproval: awaiting))
}

extension Participant {
  /// The participant as the conference's decider records them for registration `id`: their
  /// personal fields given to the registration's data subject.
  func holding(_ id: RegistrationID, holder: Int = 1) -> Participant {
    of(.participant("irrc-2018", id, holder: holder))
  }
}
let full: [GatheringEvent] = [
  scheduled, opened, registered("r1", ana), registered("r2", ben),
  .registrationClosed(RegistrationClosed(on: Day(2018, 4, 1), atCapacity: true)),
]

extension GatheringEvent: CouncilEventWrapper { var anyPayload: any CouncilEvent { payload } }

@Suite("Gatherings: given events, when a command, then events or an error")
struct GatheringTests {
  let gatherings = GatheringDecider()

  @Test func theOfficeSchedulesAndOpens() {
    #expect(gatherings.given([]).when(.schedule(conference, by: .office)) == .success([scheduled]))
    #expect(
      gatherings.given([scheduled]).when(.schedule(conference, by: .office))
        == .failure(.alreadyScheduled))
    #expect(
      gatherings.given([scheduled]).when(.openRegistration(on: Day(2018, 3, 1), by: .office))
        == .success([opened]))
    #expect(
      gatherings.given([scheduled, opened]).when(
        .openRegistration(on: Day(2018, 3, 2), by: .office)) == .failure(.registrationAlreadyOpened)
    )
    guard case .failure(.notPermitted) = gatherings.given([]).when(.schedule(conference, by: admin))
    else {
      Issue.record("a member scheduled a conference")
      return
    }
  }

  @Test func aConsultationIsInFallOrSpring() {
    var consultation = conference
    consultation.kind = .nationalConsultation
    consultation.season = "summer"
    guard
      case .failure(.invalidSchedule) = gatherings.given([]).when(
        .schedule(consultation, by: .office))
    else {
      Issue.record("a summer consultation")
      return
    }
    consultation.season = "fall"
    #expect(
      gatherings.given([]).when(.schedule(consultation, by: .office))
        == .success([.gatheringScheduled(consultation)]))
  }

  @Test func registeringNeedsOpenRegistration() {
    #expect(
      gatherings.given([scheduled]).when(
        .register("r1", ben, on: Day(2018, 4, 1), by: .publicPerson(name: "Ben")))
        == .failure(.registrationNotOpen))
    #expect(
      gatherings.given([scheduled, opened]).when(
        .register("r1", ben, on: Day(2018, 4, 1), by: .publicPerson(name: "Ben")))
        == .success([registered("r1", ben)]))
  }

  @Test func theMemberRateIsForMembersPeople() {
    #expect(
      gatherings.given([scheduled, opened]).when(
        .register("r1", ana, on: Day(2018, 4, 1), by: .publicPerson(name: "Ana")))
        == .failure(.memberRateNeedsMember))
    #expect(
      gatherings.given([scheduled, opened]).when(
        .register("r1", ana, on: Day(2018, 4, 1), by: admin)) == .success([registered("r1", ana)]))
  }

  @Test func theRegistrationThatTakesTheLastPlaceClosesRegistration() {
    #expect(
      gatherings.given([scheduled, opened, registered("r1", ana)]).when(
        .register("r2", ben, on: Day(2018, 4, 1), by: .office))
        == .success([
          registered("r2", ben),
          .registrationClosed(RegistrationClosed(on: Day(2018, 4, 1), atCapacity: true)),
        ]))
  }

  @Test func afterClosingRegistrationsJoinTheWaitlist() {
    #expect(
      gatherings.given(full).when(
        .register("r3", cleo, on: Day(2018, 5, 20), by: .publicPerson(name: "Cleo")))
        == .success([
          .participantWaitlisted(
            ParticipantWaitlisted(
              registration: "r3", participant: cleo.holding("r3"), on: Day(2018, 5, 20)))
        ]))
  }

  @Test func exceptionsAreExplicitAndOnlyAfterClosing() {
    let admitted = GatheringEvent.exceptionAdmitted(
      ExceptionAdmitted(
        registration: "r3", participant: cleo.holding("r3"), on: Day(2018, 5, 25),
        reason: "resource person"))
    #expect(
      gatherings.given(full).when(
        .admitException("r3", cleo, on: Day(2018, 5, 25), reason: "resource person", by: .office))
        == .success([admitted]))
    #expect(
      gatherings.given([scheduled, opened]).when(
        .admitException("r3", cleo, on: Day(2018, 5, 25), reason: "x", by: .office))
        == .failure(.registrationStillOpen))
    guard
      case .failure(.notPermitted) = gatherings.given(full).when(
        .admitException("r3", cleo, on: Day(2018, 5, 25), reason: "x", by: admin))
    else {
      Issue.record("a member admitted an exception")
      return
    }
  }

  @Test func aCancellationOffersThePlaceToTheFirstOnTheWaitlist() {
    let waitlisted = GatheringEvent.participantWaitlisted(
      ParticipantWaitlisted(
        registration: "r3", participant: cleo.holding("r3"), on: Day(2018, 5, 20)))
    #expect(
      gatherings.given(full + [waitlisted]).when(.cancel("r1", on: Day(2018, 5, 22), by: .office))
        == .success([
          .registrationCancelled(RegistrationCancelled(registration: "r1", on: Day(2018, 5, 22))),
          .placeOffered(
            PlaceOffered(registration: "r3", on: Day(2018, 5, 22), expires: Day(2018, 5, 25))),
        ]))
  }

  @Test func anOfferIsAcceptedInTimeOrLapsesToTheNext() {
    let w3 = GatheringEvent.participantWaitlisted(
      ParticipantWaitlisted(
        registration: "r3", participant: cleo.holding("r3"), on: Day(2018, 5, 20)))
    let w4 = GatheringEvent.participantWaitlisted(
      ParticipantWaitlisted(
        registration: "r4", participant: ben.holding("r4"), on: Day(2018, 5, 21)))
    let cancelled = GatheringEvent.registrationCancelled(
      RegistrationCancelled(registration: "r1", on: Day(2018, 5, 22)))
    let offered = GatheringEvent.placeOffered(
      PlaceOffered(registration: "r3", on: Day(2018, 5, 22), expires: Day(2018, 5, 25)))
    let history = full + [w3, w4, cancelled, offered]
    #expect(
      gatherings.given(history).when(
        .acceptOffer("r3", on: Day(2018, 5, 25), by: .publicPerson(name: "Cleo")))
        == .success([.offerAccepted(OfferAccepted(registration: "r3", on: Day(2018, 5, 25)))]))
    #expect(
      gatherings.given(history).when(
        .acceptOffer("r3", on: Day(2018, 5, 26), by: .publicPerson(name: "Cleo")))
        == .failure(.offerExpired(expired: Day(2018, 5, 25))))
    #expect(
      gatherings.given(history).when(.recordLapsedOffer("r3", on: Day(2018, 5, 25), by: .office))
        == .failure(.offerStillOpen(expires: Day(2018, 5, 25))))
    #expect(
      gatherings.given(history).when(.recordLapsedOffer("r3", on: Day(2018, 5, 26), by: .office))
        == .success([
          .offerLapsed(OfferLapsed(registration: "r3", on: Day(2018, 5, 26))),
          .placeOffered(
            PlaceOffered(registration: "r4", on: Day(2018, 5, 26), expires: Day(2018, 5, 29))),
        ]))
  }

  @Test func approvalWhereTheGatheringRequiresIt() {
    var gathering = conference
    gathering.requiresApproval = true
    let history: [GatheringEvent] = [.gatheringScheduled(gathering), opened]
    #expect(
      gatherings.given(history).when(.register("r1", ben, on: Day(2018, 4, 1), by: .office))
        == .success([registered("r1", ben, awaiting: true)]))
    let awaiting = history + [registered("r1", ben, awaiting: true)]
    #expect(
      gatherings.given(awaiting).when(.approve("r1", on: Day(2018, 4, 2), by: .office))
        == .success([
          .registrationApproved(RegistrationApproved(registration: "r1", on: Day(2018, 4, 2)))
        ]))
    #expect(
      gatherings.given(awaiting).when(
        .reject("r1", on: Day(2018, 4, 2), reason: "no visa", by: .office))
        == .success([
          .registrationRejected(
            RegistrationRejected(registration: "r1", on: Day(2018, 4, 2), reason: "no visa"))
        ]))
    #expect(
      gatherings.given(full).when(.approve("r1", on: Day(2018, 4, 2), by: .office))
        == .failure(.wrongStatus("r1", .confirmed)))
  }

  @Test func aRegistrationIsTransferredKeepingItsPlace() {
    let transferred = GatheringEvent.registrationTransferred(
      RegistrationTransferred(
        registration: "r1", to: cleo.holding("r1", holder: 2), on: Day(2018, 5, 1)))
    #expect(
      gatherings.given(full).when(.transfer("r1", to: cleo, on: Day(2018, 5, 1), by: .office))
        == .success([transferred]))
    #expect(
      gatherings.given(full + [transferred]).state.registrations["r1"]?.participant
        == cleo.holding("r1", holder: 2))
    #expect(
      gatherings.given(full).when(.transfer("r9", to: cleo, on: Day(2018, 5, 1), by: .office))
        == .failure(.unknownRegistration("r9")))
  }

  @Test func checkInAndNoShowOnTheGatheringsDays() {
    #expect(
      gatherings.given(full).when(.checkIn("r1", on: Day(2018, 6, 7), by: .office))
        == .success([
          .participantCheckedIn(ParticipantCheckedIn(registration: "r1", on: Day(2018, 6, 7)))
        ]))
    #expect(
      gatherings.given(full).when(.checkIn("r1", on: Day(2018, 6, 10), by: .office))
        == .failure(.notDuringGathering(Day(2018, 6, 10))))
    let checkedIn = GatheringEvent.participantCheckedIn(
      ParticipantCheckedIn(registration: "r1", on: Day(2018, 6, 7)))
    #expect(
      gatherings.given(full + [checkedIn]).when(.checkIn("r1", on: Day(2018, 6, 8), by: .office))
        == .failure(.attendanceRecorded("r1")))
    #expect(
      gatherings.given(full).when(.recordNoShow("r2", on: Day(2018, 6, 9), by: .office))
        == .success([.noShowRecorded(NoShowRecorded(registration: "r2", on: Day(2018, 6, 9)))]))
    #expect(
      gatherings.given(full + [checkedIn]).when(
        .recordNoShow("r1", on: Day(2018, 6, 9), by: .office))
        == .failure(.attendanceRecorded("r1")))
  }

  @Test func sessionsAndWorkshopOutcomes() {
    let workshop = GatheringEvent.sessionScheduled(
      SessionScheduled(
        session: "w1", kind: .workshop, title: "Detention", on: Day(2018, 6, 8),
        interpretation: ["en", "fr"]))
    #expect(
      gatherings.given([scheduled]).when(
        .scheduleSession(
          "w1", kind: .workshop, title: "Detention", on: Day(2018, 6, 8),
          interpretation: ["en", "fr"], by: .office)) == .success([workshop]))
    #expect(
      gatherings.given([scheduled]).when(
        .scheduleSession(
          "w1", kind: .workshop, title: "x", on: Day(2018, 7, 1), interpretation: [], by: .office))
        == .failure(.notDuringGathering(Day(2018, 7, 1))))
    #expect(
      gatherings.given([scheduled, workshop]).when(
        .recordOutcome(
          "w1", category: .advocacyIssue, text: "alternatives to detention", by: .office))
        == .success([
          .workshopOutcomeRecorded(
            WorkshopOutcomeRecorded(
              session: "w1", category: .advocacyIssue, text: "alternatives to detention"))
        ]))
    let plenary = GatheringEvent.sessionScheduled(
      SessionScheduled(
        session: "p1", kind: .plenary, title: "Opening", on: Day(2018, 6, 7), interpretation: []))
    #expect(
      gatherings.given([scheduled, plenary]).when(
        .recordOutcome("p1", category: .advocacyIssue, text: "x", by: .office))
        == .failure(.notAWorkshop("p1")))
  }

  @Test func evaluationsComeOncePerParticipantWhoAttended() {
    let form = GatheringEvent.evaluationFormDefined(
      EvaluationFormDefined(statements: ["useful", "well organized"]))
    let checkedIn = GatheringEvent.participantCheckedIn(
      ParticipantCheckedIn(registration: "r1", on: Day(2018, 6, 7)))
    let history = full + [form, checkedIn]
    let submitted = GatheringEvent.evaluationSubmitted(
      EvaluationSubmitted(
        registration: "r1", answers: [5, 4],
        comment: Personal("Great", of: .respondent(.participant("irrc-2018", "r1")))))
    #expect(
      gatherings.given(history).when(
        .evaluate("r1", answers: [5, 4], comment: "Great", by: .office)) == .success([submitted]))
    #expect(
      gatherings.given(history + [submitted]).when(
        .evaluate("r1", answers: [5, 4], comment: nil, by: .office))
        == .failure(.cannotEvaluate("r1", "evaluated already")))
    #expect(
      gatherings.given(history).when(.evaluate("r2", answers: [5, 4], comment: nil, by: .office))
        == .failure(.cannotEvaluate("r2", "only participants who checked in evaluate")))
    #expect(
      gatherings.given(history).when(.evaluate("r1", answers: [5], comment: nil, by: .office))
        == .failure(.invalidAnswers("1 answers for 2 statements")))
    #expect(
      gatherings.given(history).when(.evaluate("r1", answers: [5, 6], comment: nil, by: .office))
        == .failure(.invalidAnswers("each answer is 0 to 5")))
    #expect(
      gatherings.given(full + [checkedIn]).when(
        .evaluate("r1", answers: [5], comment: nil, by: .office))
        == .failure(.evaluationForm("not defined")))
  }

  @Test func everyGatheringEventRoundTrips() throws {
    let events: [GatheringEvent] = [
      scheduled, opened,
      .registrationClosed(RegistrationClosed(on: Day(2018, 5, 18), atCapacity: true)),
      registered("r1", ana),
      .registrationApproved(RegistrationApproved(registration: "r", on: Day(2018, 1, 1))),
      .registrationRejected(
        RegistrationRejected(registration: "r", on: Day(2018, 1, 1), reason: "x")),
      .participantWaitlisted(
        ParticipantWaitlisted(
          registration: "r", participant: cleo.holding("r"), on: Day(2018, 1, 1))),
      .exceptionAdmitted(
        ExceptionAdmitted(
          registration: "r", participant: cleo.holding("r"), on: Day(2018, 1, 1), reason: "x")),
      .registrationCancelled(RegistrationCancelled(registration: "r", on: Day(2018, 1, 1))),
      .placeOffered(PlaceOffered(registration: "r", on: Day(2018, 1, 1), expires: Day(2018, 1, 4))),
      .offerAccepted(OfferAccepted(registration: "r", on: Day(2018, 1, 1))),
      .offerLapsed(OfferLapsed(registration: "r", on: Day(2018, 1, 1))),
      .registrationTransferred(
        RegistrationTransferred(
          registration: "r", to: ben.holding("r", holder: 2), on: Day(2018, 1, 1))),
      .participantCheckedIn(ParticipantCheckedIn(registration: "r", on: Day(2018, 1, 1))),
      .noShowRecorded(NoShowRecorded(registration: "r", on: Day(2018, 1, 1))),
      .sessionScheduled(
        SessionScheduled(
          session: "s", kind: .caucus, title: "t", on: Day(2018, 1, 1), interpretation: ["es"])),
      .workshopOutcomeRecorded(
        WorkshopOutcomeRecorded(session: "s", category: .crossBorderCollaboration, text: "t")),
      .evaluationFormDefined(EvaluationFormDefined(statements: ["a"])),
      .evaluationSubmitted(
        EvaluationSubmitted(registration: "r", answers: [1, 0, 5], comment: nil)),
    ]
    #expect(Set(events.map(\.eventType)) == Set(GatheringEvent.eventTypes))
    for event in events { try expectRoundTrip(event) }
  }
}

/// What must hold of every gathering state.
func gatheringInvariantViolations(_ state: GatheringState) -> [String] {
  var problems: [String] = []
  let held = state.registrations.values.filter { $0.status == .confirmed || $0.status == .offered }
    .count
  if held != state.placesHeld {
    problems.append("places held \(state.placesHeld) but \(held) registrations hold one")
  }
  if let capacity = state.scheduled?.capacity, held > capacity {
    problems.append("\(held) places held over capacity \(capacity)")
  }
  for id in state.waitlist where state.registrations[id]?.status != .waitlisted {
    problems.append(
      "\(id) is on the waitlist but \(String(describing: state.registrations[id]?.status))")
  }
  if Set(state.waitlist).count != state.waitlist.count {
    problems.append("someone is twice on the waitlist")
  }
  for (id, record) in state.registrations {
    if record.evaluated && !record.checkedIn {
      problems.append("\(id) evaluated without checking in")
    }
    if record.checkedIn && record.noShow { problems.append("\(id) both checked in and no-show") }
  }
  return problems
}

@Suite("Random gathering commands")
struct RandomGatheringCommandTests {
  @Test(arguments: [1, 2, 3] as [UInt64])
  func randomCommandsNeverBreakAGathering(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    let decider = GatheringDecider()
    var gathering = conference
    gathering.capacity = 5
    gathering.requiresApproval = seed == 2
    var state = decider.given([.gatheringScheduled(gathering), opened]).state
    let issuers: [Issuer] = [.office, admin, .publicPerson(name: "p")]
    let people = [ana, ben, cleo]
    for step in 0..<4000 {
      let id = RegistrationID("r\(random.next() % 25)")
      let issuer = issuers[Int(random.next() % 3)]
      let day = Day(2018, 5, 1).adding(days: Int(random.next() % 45))
      let person = people[Int(random.next() % 3)]
      let command: GatheringCommand
      switch random.next() % 13 {
      case 0, 1, 2: command = .register(id, person, on: day, by: issuer)
      case 3: command = .approve(id, on: day, by: issuer)
      case 4: command = .admitException(id, person, on: day, reason: "r", by: issuer)
      case 5: command = .cancel(id, on: day, by: issuer)
      case 6: command = .acceptOffer(id, on: day, by: issuer)
      case 7: command = .recordLapsedOffer(id, on: day, by: issuer)
      case 8: command = .transfer(id, to: person, on: day, by: issuer)
      case 9: command = .checkIn(id, on: day, by: issuer)
      case 10: command = .recordNoShow(id, on: day, by: issuer)
      case 11:
        command =
          step == 100
          ? .defineEvaluation(["s1", "s2"], by: .office) : .closeRegistration(on: day, by: issuer)
      default:
        command = .evaluate(
          id, answers: [Int(random.next() % 6), Int(random.next() % 6)], comment: nil, by: issuer)
      }
      guard let events = try? decider.decide(command, state: state) else { continue }
      state = decider.fold(events, from: state)
      #expect(gatheringInvariantViolations(state) == [], "after \(command)")
    }
    #expect(state.registrations.count > 5)
  }
}
