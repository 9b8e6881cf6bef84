import Council
import CouncilSamples
import EventLog
import Foundation
import Testing

@Suite("The 2018 conference, recorded from its report")
struct Conference2018Tests {
  func recorded() async throws -> (InMemoryEventStore, GatheringReports) {
    let recording = ManualClock(Day(2018, 1, 15).start)
    let store = InMemoryEventStore(clock: recording.clock)
    let clock = EventClock.fixed(Day(2018, 1, 15).start)
    let council = Council(store: store, clock: clock, ids: .seeded(2018, clock: clock))
    try await Conference2018.record(in: council, recordingClock: recording)
    let reports = try await GatheringReportsProjection().state(in: store, asOf: .now).value
    return (store, reports)
  }

  @Test func theProjectionsReproduceTheReportsParticipantFigures() async throws {
    let (_, reports) = try await recorded()
    let counts = try #require(reports.registrationCounts(Conference2018.gathering))
    #expect(counts.checkedIn == 650, "650 participants")
    #expect(counts.countries == 36, "from 36 countries")
    #expect(counts.fromOutsideHostCountry == 80, "80 from outside Canada")
    #expect(counts.fundedFromOutsideHostCountry == 25, "25 non-Canadian participants funded")
    #expect(counts.fundedRefugees == 19, "19 refugees or former refugees supported")
    #expect(counts.youth == 45, "about 45 youth")
    #expect(counts.closedOn == Day(2018, 5, 18), "registration closed on 18 May 2018")
    #expect(counts.closedAtCapacity)
    #expect(counts.exceptions > 0, "exceptions were made thereafter")
    #expect(counts.waitlisted > counts.offersAccepted, "others were turned away")
    #expect(counts.sessions == 47)
    #expect(
      counts.sessionsByKind == [
        "plenary": 3, "preliminarySession": 6, "workshop": 24, "caucus": 8, "networkingSession": 6,
      ])
    #expect(Set(counts.outcomesByCategory.keys) == Set(OutcomeCategory.allCases.map(\.rawValue)))
    #expect((counts.byRate["member"] ?? 0) + (counts.byRate["nonMember"] ?? 0) == 650)
  }

  @Test("forgetting any one participant leaves every figure of the report as it was")
  func forgettingAParticipantKeepsEveryFigure() async throws {
    let recording = ManualClock(Day(2018, 1, 15).start)
    let store = InMemoryEventStore(clock: recording.clock)
    let clock = EventClock.fixed(Day(2018, 1, 15).start)
    let council = Council(store: store, clock: clock, ids: .seeded(2018, clock: clock))
    try await Conference2018.record(in: council, recordingClock: recording)
    func figures() async throws -> (RegistrationCounts?, EvaluationSummary?) {
      let reports = try await GatheringReportsProjection().state(in: store, asOf: .now).value
      return (
        reports.registrationCounts(Conference2018.gathering),
        reports.evaluationSummary(Conference2018.gathering)
      )
    }
    let (counts, evaluation) = try await figures()
    #expect(counts?.checkedIn == 650)

    // Three people unlike each other: the first who commented, a funded refugee, and the
    // second holder of a transferred registration.
    let state = try await council.gathering(Conference2018.gathering)
    let events = try await store.readLog(from: .first, limit: 100_000).events
    var commenter: (DataSubject, Personal<String>)?
    var transferee: DataSubject?
    for event in events {
      switch try event.decode(as: GatheringEvent.self) {
      case .evaluationSubmitted(let e) where commenter == nil:
        if let comment = e.comment,
          let holder = state.registrations[e.registration]?.participant.subject
        {
          commenter = (holder, comment)
        }
      case .registrationTransferred(let e) where transferee == nil:
        transferee = e.to.subject
      default: break
      }
    }
    let refugee = state.registrations.values.first {
      $0.participant.refugee && $0.participant.funded && $0.checkedIn
    }?.participant.subject
    // The report's recording may hold no transfer: then a youth who came instead.
    let youth = state.registrations.values.first {
      $0.participant.youth && $0.checkedIn && !$0.participant.refugee
    }?.participant.subject
    let (author, comment) = try #require(commenter)
    let people = [author, try #require(refugee), try #require(transferee ?? youth)]
    #expect(Set(people).count == 3)

    for person in people {
      try await council.forget(person, reason: "the participant asked", by: .office)
      let (countsAfter, evaluationAfter) = try await figures()
      #expect(countsAfter == counts, "the counts changed when \(person) was forgotten")
      #expect(evaluationAfter?.statements == evaluation?.statements)
      #expect(evaluationAfter?.responses == evaluation?.responses)
      #expect(evaluationAfter?.comments.count == evaluation?.comments.count)
    }
    #expect(try await council.reveal(comment, by: .office).isErased)
    let name = try #require(state.registrations.values.first { $0.participant.subject == author })
    #expect(try await council.reveal(name.participant.name, by: .office).isErased)
  }

  @Test("each event's personal values are where the catalog declares them, of its subjects")
  func personalValuesAreWhereTheCatalogSays() async throws {
    let (store, _) = try await recorded()
    let events =
      try await store.readLog(from: .first, limit: 100_000).events
      + generatedCouncilLog(seed: 5, events: 5_000)
    var seen: Set<String> = []
    for event in events {
      let json = try JSONSerialization.jsonObject(
        with: CouncilCatalog.json(CouncilCatalog.decode(event)))
      var found: Set<PersonalField> = []
      func walk(_ value: Any, _ path: String) {
        if let object = value as? [String: Any] {
          if let subject = (object["subject"] as? String).flatMap(DataSubject.init),
            object["sealed"] != nil
          {
            found.insert(PersonalField(path, subject.kind))
            return
          }
          for (key, inner) in object { walk(inner, path.isEmpty ? key : path + "." + key) }
        } else if let array = value as? [Any] {
          for inner in array { walk(inner, path) }
        }
      }
      walk(json, "")
      let declared = Set(CouncilCatalog.personalFields[event.eventType] ?? [])
      #expect(found.isSubset(of: declared), "\(event.eventType): \(found) not declared")
      if !found.isEmpty { seen.insert(event.eventType) }
    }
    #expect(seen.count >= 8, "only \(seen.sorted()) held personal values")
  }

  @Test func theProjectionsReproduceTheReportsEvaluation() async throws {
    let (_, reports) = try await recorded()
    let summary = try #require(reports.evaluationSummary(Conference2018.gathering))
    #expect(summary.responses == 102)
    #expect(summary.attendance == 650)
    let shares = summary.statements.map(\.percentAgreeing)
    let asReported = [89, 87, 89, 81, 75.5, 85, 95]
    for (share, reported) in zip(shares, asReported) {
      // The report rounds to whole per cent, and 75.5 to one decimal.
      let rounded = reported == reported.rounded() ? share.rounded() : (share * 10).rounded() / 10
      #expect(rounded == reported, "\(share) reported as \(reported)")
    }
    #expect(summary.comments.count == Conference2018.comments.count)
  }

  @Test func whoIsFundedARefugeeOrYoungIsRecordedWhenTheyRegisterNotByTransfers() async throws {
    let (store, _) = try await recorded()
    let events = try await store.readLog(from: .first, limit: 100_000).events
    var participants: [RegistrationID: Participant] = [:]
    var registered: [Participant] = []
    var transfers = 0
    for event in events {
      switch try event.decode(as: GatheringEvent.self) {
      case .participantRegistered(let e):
        participants[e.registration] = e.participant
        registered.append(e.participant)
      case .participantWaitlisted(let e):
        participants[e.registration] = e.participant
        registered.append(e.participant)
      case .exceptionAdmitted(let e):
        participants[e.registration] = e.participant
        registered.append(e.participant)
      case .registrationTransferred(let e):
        transfers += 1
        let from = participants[e.registration]
        #expect(from != nil, "a transfer of \(e.registration), which was never registered")
        #expect(from?.name != e.to.name, "a transfer of \(e.registration) to the same person")
        participants[e.registration] = e.to
      default: break
      }
    }
    #expect(transfers == 0, "the report mentions no transfer")
    // The report's figures are on the registrations themselves (every one of these people
    // attends).
    #expect(registered.count == 610 + 40 + 52)
    #expect(registered.filter { $0.funded && $0.country != "Canada" }.count == 25)
    #expect(registered.filter { $0.funded && $0.refugee }.count == 19)
    #expect(registered.filter(\.youth).count == 45)
  }

  @Test func theCountsOnTheDayRegistrationClosed() async throws {
    let (store, _) = try await recorded()
    let onClosing = try await GatheringReportsProjection().state(
      in: store, asOf: .endOf(Day(2018, 5, 18)))
    let counts = try #require(onClosing.value.registrationCounts(Conference2018.gathering))
    #expect(counts.registered == counts.capacity)
    #expect(counts.closedOn == Day(2018, 5, 18))
    #expect(counts.exceptions == 0 && counts.waitlisted == 0 && counts.checkedIn == 0)
    let before = try await GatheringReportsProjection().state(
      in: store, asOf: .endOf(Day(2018, 5, 17)))
    #expect(before.value.registrationCounts(Conference2018.gathering)?.closedOn == nil)
    let again = try await GatheringReportsProjection().state(
      in: store, asOf: .position(onClosing.position))
    #expect(
      again.value == onClosing.value, "the same question at the same position, the same figures")
  }
}
