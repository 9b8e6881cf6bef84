import Council
import CouncilSamples
import EventLog
import Testing

/// A simulated council of every kind of event, shared by the tests below.
func simulatedCouncilLog(seed: UInt64, commands: Int) async throws -> (
  InMemoryEventStore, [RecordedEvent]
) {
  let recording = ManualClock(Day(2016, 1, 1).start)
  let store = InMemoryEventStore(clock: recording.clock)
  let clock = EventClock.fixed(Day(2016, 1, 1).start)
  let council = Council(store: store, clock: clock, ids: .seeded(seed, clock: clock))
  try await CouncilSetup.recordSeedCouncil(in: council)
  var simulation = CouncilSimulation(
    council: council, seed: seed, members: 120, recordingClock: recording)
  _ = try await simulation.runCouncil(commands: commands)
  return (store, try await store.readLog(from: .first, limit: 10_000_000).events)
}

@Suite("Registration counts, evaluation summaries, fund ledger, resolution register")
struct CouncilProjectionTests {
  @Test func registrationCountsAndEvaluationsMatchAnIndependentFold() async throws {
    let (store, events) = try await simulatedCouncilLog(seed: 31, commands: 4000)
    let reports = try await GatheringReportsProjection().state(in: store, asOf: .now).value
    // Plain counts, per gathering stream, straight from the events.
    var plain: [String: [String: Int]] = [:]
    var attendees: [String: [RegistrationID: Participant]] = [:]
    var people: [String: [RegistrationID: Participant]] = [:]
    var agreed: [String: [Int]] = [:]
    for event in events where event.stream.category == "gathering" {
      let g = event.stream.id!
      plain[g, default: [:]][event.eventType, default: 0] += 1
      switch try event.decode(as: GatheringEvent.self) {
      case .participantRegistered(let e): people[g, default: [:]][e.registration] = e.participant
      case .participantWaitlisted(let e): people[g, default: [:]][e.registration] = e.participant
      case .exceptionAdmitted(let e): people[g, default: [:]][e.registration] = e.participant
      case .registrationTransferred(let e): people[g, default: [:]][e.registration] = e.to
      case .participantCheckedIn(let e):
        attendees[g, default: [:]][e.registration] = people[g]?[e.registration]
      case .evaluationFormDefined(let e): agreed[g] = Array(repeating: 0, count: e.statements.count)
      case .evaluationSubmitted(let e):
        for (i, answer) in e.answers.enumerated() where answer >= 4 { agreed[g]?[i] += 1 }
      default: break
      }
    }
    #expect(plain.count >= 4, "several consultations were held")
    #expect(
      plain.values.contains {
        ($0["ParticipantWaitlisted"] ?? 0) > 0 && ($0["RegistrationCancelled"] ?? 0) > 0
          && ($0["ExceptionAdmitted"] ?? 0) > 0
      })
    for (g, types) in plain {
      let counts = try #require(reports.registrationCounts(GatheringID(g)))
      #expect(counts.registered == types["ParticipantRegistered"] ?? 0)
      #expect(counts.cancelled == types["RegistrationCancelled"] ?? 0)
      #expect(counts.waitlisted == types["ParticipantWaitlisted"] ?? 0)
      #expect(counts.exceptions == types["ExceptionAdmitted"] ?? 0)
      #expect(counts.checkedIn == types["ParticipantCheckedIn"] ?? 0)
      #expect(counts.noShows == types["NoShowRecorded"] ?? 0)
      #expect(counts.sessions == types["SessionScheduled"] ?? 0)
      let present = Array(attendees[g, default: [:]].values)
      #expect(counts.byRate["member", default: 0] == present.filter { $0.rate == .member }.count)
      #expect(counts.countries == Set(present.map(\.country)).count)
      #expect(counts.fromOutsideHostCountry == present.filter { $0.country != "Canada" }.count)
      #expect(counts.refugees == present.filter(\.refugee).count)
      #expect(counts.youth == present.filter(\.youth).count)
      #expect(counts.funded == present.filter(\.funded).count)
      let summary = try #require(reports.evaluationSummary(GatheringID(g)))
      #expect(summary.responses == types["EvaluationSubmitted"] ?? 0)
      #expect(summary.statements.map(\.agreed) == agreed[g] ?? [])
    }
  }

  @Test func theFundLedgerAndResolutionRegisterMatchAnIndependentFold() async throws {
    let (store, events) = try await simulatedCouncilLog(seed: 34, commands: 4000)
    let models = try await CouncilReadModelsProjection().state(in: store, asOf: .now).value
    var status: [String: String] = [:]
    var committed: [String: Int] = [:]
    var resolutionStatus: [String: String] = [:]
    var resolutionGroup: [String: WorkingGroupID] = [:]
    for event in events {
      switch event.stream.category {
      case "application":
        let name: String? =
          switch event.eventType {
          case "ApplicationSubmitted", "InformationProvided": "submitted"
          case "MoreInformationRequested": "awaitingInformation"
          case "ApplicationApproved": "approved"
          case "ApplicationDeclined": "declined"
          case "ApplicationWithdrawn": "withdrawn"
          case "ApplicationPaid": "paid"
          default: nil
          }
        if let name { status[event.stream.id!] = name }
      case "fund":
        switch try event.decode(as: FundEvent.self) {
        case .budgetCommitted(let e): committed[e.consultation.rawValue, default: 0] += e.amount
        case .budgetReleased(let e): committed[e.consultation.rawValue, default: 0] -= e.amount
        default: break
        }
      case "resolution":
        switch try event.decode(as: ResolutionEvent.self) {
        case .resolutionProposed(let e):
          resolutionStatus[event.stream.id!] = "proposed"
          resolutionGroup[event.stream.id!] = e.workingGroup
        case .resolutionAdopted: resolutionStatus[event.stream.id!] = "adopted"
        case .resolutionDefeated: resolutionStatus[event.stream.id!] = "defeated"
        case .resolutionWithdrawn: resolutionStatus[event.stream.id!] = "withdrawn"
        case .resolutionAmended: break
        }
      default: break
      }
    }
    #expect(
      models.fund.applicationsByStatus
        == status.values.reduce(into: [:]) { $0[$1, default: 0] += 1 })
    #expect(Set(status.values).isSuperset(of: ["paid", "declined"]))
    #expect(status.count > 5)
    for (consultation, figures) in models.fund.consultations {
      #expect(figures.approved == committed[consultation.rawValue] ?? 0)
      #expect(figures.approved <= figures.budget, "approvals never exceed the budget")
    }
    let adopted = resolutionStatus.filter { $0.value == "adopted" }
    #expect(!adopted.isEmpty)
    #expect(models.resolutions.policyBase.values.map(\.count).reduce(0, +) == adopted.count)
    for (group, resolutions) in models.resolutions.policyBase {
      #expect(resolutions.allSatisfy { resolutionGroup[$0.resolution.rawValue] == group })
    }
    for name in ["proposed", "defeated", "withdrawn"] {
      #expect(
        models.resolutions.with(status: name).count
          == resolutionStatus.values.filter { $0 == name }.count)
    }
  }

  @Test func everyReadModelAgreesWhetherRebuiltOrCaughtUpFromRandomCheckpoints() async throws {
    let (store, events) = try await simulatedCouncilLog(seed: 33, commands: 2500)
    let rebuilt = ProjectionRunner(CouncilReadModelsProjection(), store: store)
    try await rebuilt.rebuild()
    var random = SplitMix64(seed: 4)
    for round in 0..<6 {
      let stop = LogPosition(random.next() % UInt64(events.count))
      let first = ProjectionRunner(
        CouncilReadModelsProjection(), store: store,
        options: .init(pageSize: Int(1 + random.next() % 200), saveEvery: 1 + random.next() % 500))
      try await first.catchUp(until: stop)
      let resumed = ProjectionRunner(CouncilReadModelsProjection(), store: store)
      try await resumed.load()
      try await resumed.catchUp()
      #expect(resumed.state == rebuilt.state, "round \(round), stopped near \(stop)")
    }
    // As of a past position, the same as folding the prefix.
    let cut = events[events.count / 2].position
    let asOf = try await CouncilReadModelsProjection().state(in: store, asOf: .position(cut))
    let prefix = InMemoryEventStore()
    for event in events.prefix(while: { $0.position <= cut }) {
      try await prefix.append(
        [event.data], to: event.stream,
        expectedVersion: .exactly(StreamVersion(event.version.rawValue - 1)).orNoStream)
    }
    #expect(
      asOf.value == (try await CouncilReadModelsProjection().state(in: prefix, asOf: .now)).value)
    #expect(asOf.position == cut)
  }
}

extension ExpectedVersion {
  /// `.noStream` for "exactly 0".
  var orNoStream: ExpectedVersion { self == .exactly(0) ? .noStream : self }
}
