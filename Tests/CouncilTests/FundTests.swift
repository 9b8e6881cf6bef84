import Council
import CouncilSamples
import EventLog
import Testing

extension FundEvent: CouncilEventWrapper { var anyPayload: any CouncilEvent { payload } }

let fundEstablished = FundEvent.fundEstablished(CouncilSetup.fund)
let budget = FundEvent.fundBudgetSet(FundBudgetSet(consultation: "fall-2018", amount: 300_000))
let submission = ApplicationSubmitted(
  application: "app-1", fund: "amina-malko", component: "participation", candidate: "Samira",
  supportingMember: "42", consultation: "fall-2018", year: 2018, requestedAmount: 120_000,
  on: Day(2018, 9, 1))
/// The submission as the decider records it: the candidate's name given to their subject.
let submitted = FundEvent.applicationSubmitted(
  {
    var sealed = submission
    sealed.candidate = submission.candidate.of(.applicant(submission.application))
    return sealed
  }())
func approvedEvent(_ amount: Int, full: Bool = false) -> FundEvent {
  .applicationApproved(
    ApplicationApproved(
      amount: amount, full: full, decidedBy: "office", on: Day(2018, 9, 15),
      reason: "strong candidate"))
}

@Suite("The participation fund: given events, when a command, then events or an error")
struct FundTests {
  let fund = FundDecider()
  let applications = ApplicationDecider()
  var fundState: FundState { fund.given([fundEstablished, budget]).state }

  @Test func aMemberInGoodStandingSubmitsForARefugeeCandidate() {
    #expect(
      applications.given([]).when(
        .submit(submission, memberInGoodStanding: true, fund: fundState, by: admin))
        == .success([submitted]))
    #expect(
      applications.given([]).when(
        .submit(submission, memberInGoodStanding: false, fund: fundState, by: admin))
        == .failure(.memberNotInGoodStanding("42")))
    var other = submission
    other.component = "travel"
    #expect(
      applications.given([]).when(
        .submit(other, memberInGoodStanding: true, fund: fundState, by: admin))
        == .failure(.noSuchComponent("travel")))
    guard
      case .failure(.notPermitted) = applications.given([]).when(
        .submit(submission, memberInGoodStanding: true, fund: fundState, by: stranger))
    else {
      Issue.record("another member applied for member 42")
      return
    }
  }

  @Test func moreInformationThenADecision() {
    let asked = FundEvent.moreInformationRequested(
      MoreInformationRequested(
        question: "Which sessions?", decidedBy: "office", on: Day(2018, 9, 5)))
    #expect(
      applications.given([submitted]).when(
        .requestInformation(question: "Which sessions?", on: Day(2018, 9, 5), by: .office))
        == .success([asked]))
    #expect(
      applications.given([submitted, asked]).when(
        .approve(amount: 1, remainingBudget: 10, on: Day(2018, 9, 6), reason: "x", by: .office))
        == .failure(.wrongStatus(.awaitingInformation)))
    let answered = FundEvent.informationProvided(
      InformationProvided(
        answer: Personal("Youth caucus", of: .applicant("app-1")), on: Day(2018, 9, 7)))
    #expect(
      applications.given([submitted, asked]).when(
        .provideInformation(answer: "Youth caucus", on: Day(2018, 9, 7), by: admin))
        == .success([answered]))
    #expect(applications.given([submitted, asked, answered]).state.status == .submitted)
  }

  @Test func approvalsAreFullOrPartialAndRecordWhoWhenWhy() {
    #expect(
      applications.given([submitted]).when(
        .approve(
          amount: 120_000, remainingBudget: 300_000, on: Day(2018, 9, 15),
          reason: "strong candidate", by: .office))
        == .success([approvedEvent(120_000, full: true)]))
    #expect(
      applications.given([submitted]).when(
        .approve(
          amount: 80_000, remainingBudget: 300_000, on: Day(2018, 9, 15),
          reason: "strong candidate", by: .office)) == .success([approvedEvent(80_000)]))
    #expect(
      applications.given([submitted]).when(
        .approve(
          amount: 130_000, remainingBudget: 300_000, on: Day(2018, 9, 15), reason: "x", by: .office)
      ) == .failure(.invalidAmount(130_000)))
    guard
      case .failure(.notPermitted) = applications.given([submitted]).when(
        .approve(amount: 1, remainingBudget: 10, on: Day(2018, 9, 15), reason: "x", by: admin))
    else {
      Issue.record("a member approved")
      return
    }
  }

  @Test func approvalsNeverExceedTheConsultationsBudget() {
    #expect(
      applications.given([submitted]).when(
        .approve(
          amount: 100_000, remainingBudget: 50_000, on: Day(2018, 9, 15), reason: "x", by: .office))
        == .failure(.exceedsBudget(requested: 100_000, remaining: 50_000)))
    let committed = FundEvent.budgetCommitted(
      BudgetCommitted(application: "app-0", consultation: "fall-2018", amount: 250_000))
    #expect(
      fund.given([fundEstablished, budget, committed]).when(
        .commit("app-1", consultation: "fall-2018", amount: 60_000))
        == .failure(.exceedsBudget(requested: 60_000, remaining: 50_000)))
    #expect(
      fund.given([fundEstablished, budget, committed]).when(
        .commit("app-1", consultation: "fall-2018", amount: 50_000))
        == .success([
          .budgetCommitted(
            BudgetCommitted(application: "app-1", consultation: "fall-2018", amount: 50_000))
        ]))
  }

  @Test func transitionsAreEnforced() {
    let paid = FundEvent.applicationPaid(
      ApplicationPaid(amount: 80_000, decidedBy: "office", on: Day(2018, 12, 1)))
    #expect(
      applications.given([submitted, approvedEvent(80_000), paid]).when(
        .withdraw(on: Day(2018, 12, 2), reason: "x", by: admin)) == .failure(.wrongStatus(.paid)))
    #expect(
      applications.given([submitted, approvedEvent(80_000)]).when(
        .pay(amount: 90_000, on: Day(2018, 12, 1), by: .office))
        == .failure(.exceedsApproval(approved: 80_000)))
    #expect(
      applications.given([submitted, approvedEvent(80_000)]).when(
        .pay(amount: 80_000, on: Day(2018, 12, 1), by: .office)) == .success([paid]))
    #expect(
      applications.given([submitted]).when(.pay(amount: 1, on: Day(2018, 12, 1), by: .office))
        == .failure(.wrongStatus(.submitted)))
    let declined = FundEvent.applicationDeclined(
      ApplicationDeclined(decidedBy: "office", on: Day(2018, 9, 15), reason: "outside the criteria")
    )
    #expect(
      applications.given([submitted]).when(
        .decline(on: Day(2018, 9, 15), reason: "outside the criteria", by: .office))
        == .success([declined]))
    #expect(
      applications.given([submitted, declined]).when(
        .withdraw(on: Day(2018, 9, 16), reason: "x", by: admin))
        == .failure(.wrongStatus(.declined)))
    #expect(
      applications.given([submitted]).when(
        .withdraw(on: Day(2018, 9, 16), reason: "candidate unavailable", by: admin))
        == .success([
          .applicationWithdrawn(
            ApplicationWithdrawn(
              by: admin.description, on: Day(2018, 9, 16), reason: "candidate unavailable"))
        ]))
  }

  @Test func everyFundEventRoundTrips() throws {
    let events: [FundEvent] = [
      fundEstablished, budget,
      .budgetCommitted(BudgetCommitted(application: "a", consultation: "c", amount: 1)),
      .budgetReleased(BudgetReleased(application: "a", consultation: "c", amount: 1)), submitted,
      .moreInformationRequested(
        MoreInformationRequested(question: "q", decidedBy: "o", on: Day(2018, 1, 1))),
      .informationProvided(
        InformationProvided(answer: Personal("a", of: .applicant("a")), on: Day(2018, 1, 1))),
      approvedEvent(5),
      .applicationDeclined(ApplicationDeclined(decidedBy: "o", on: Day(2018, 1, 1), reason: "r")),
      .applicationWithdrawn(ApplicationWithdrawn(by: "b", on: Day(2018, 1, 1), reason: "r")),
      .applicationPaid(ApplicationPaid(amount: 5, decidedBy: "o", on: Day(2018, 1, 1))),
    ]
    #expect(Set(events.map(\.eventType)) == Set(FundEvent.eventTypes))
    for event in events { try expectRoundTrip(event) }
  }
}

@Suite("The participation fund through the front door")
struct FundServiceTests {
  func setUp() async throws -> (Council, InMemoryEventStore) {
    let store = InMemoryEventStore()
    let clock = EventClock.fixed(Day(2018, 9, 1).start)
    let council = Council(store: store, clock: clock, ids: .seeded(5, clock: clock))
    try await CouncilSetup.recordSeedCouncil(in: council)
    try await council.apply("42", profile: profile, on: Day(2018, 1, 10), by: .office)
    try await council.approve(
      "42", administrator: .init(account: "a-42", name: "FCJ", email: "office@fcj.example"),
      on: Day(2018, 2, 1), by: .office)
    try await council.setBudget(of: "amina-malko", for: "fall-2018", amount: 200_000, by: .office)
    return (council, store)
  }

  @Test func concurrentApprovalsNeverExceedTheBudget() async throws {
    let (council, store) = try await setUp()
    for n in 1...6 {
      var application = submission
      application.application = ApplicationID("app-\(n)")
      try await council.submit(application, by: admin)
    }
    // Each application with its approval's error, or nil when it was approved.
    let outcomes = await withTaskGroup(of: (Int, (any Error)?).self) { group in
      for n in 1...6 {
        group.addTask {
          do {
            try await council.approveApplication(
              ApplicationID("app-\(n)"), amount: 60_000, reason: "ok", by: .office)
            return (n, nil)
          } catch {
            return (n, error)
          }
        }
      }
      return await group.reduce(into: [Int: (any Error)?]()) { $0[$1.0] = $1.1 }
    }
    #expect(outcomes.count == 6)
    let winners = outcomes.filter { $0.value == nil }.keys.sorted()
    #expect(winners.count == 3, "three of 60 000 fit a budget of 200 000")
    // Every loser lost because the budget was spent (60 000 asked, 20 000 left), not through
    // a conflict it gave up on.
    for case (let n, let failure?) in outcomes {
      #expect(
        failure as? FundError == .exceedsBudget(requested: 60_000, remaining: 20_000),
        "app-\(n) lost with \(failure)")
      #expect(try await council.application(ApplicationID("app-\(n)")).status == .submitted)
    }
    for n in winners {
      #expect(try await council.application(ApplicationID("app-\(n)")).status == .approved)
    }
    let fund = try await council.fund("amina-malko")
    #expect(fund.remaining(for: "fall-2018") == 20_000)
    let approvals = try await store.readLog(
      from: .first, limit: 10_000, filter: LogFilter(eventTypes: [ApplicationApproved.eventType])
    ).events
    #expect(approvals.count == 3)
  }

  @Test func withdrawingAnApprovedApplicationReleasesItsAmount() async throws {
    let (council, _) = try await setUp()
    try await council.submit(submission, by: admin)
    try await council.approveApplication("app-1", amount: 100_000, reason: "ok", by: .office)
    #expect(try await council.fund("amina-malko").remaining(for: "fall-2018") == 100_000)
    try await council.withdrawApplication("app-1", reason: "candidate unavailable", by: admin)
    #expect(try await council.fund("amina-malko").remaining(for: "fall-2018") == 200_000)
    #expect(try await council.application("app-1").status == .withdrawn)
  }

  @Test func aMemberNotInGoodStandingCannotApply() async throws {
    let (council, store) = try await setUp()
    let head = await store.headPosition()
    var late = submission
    late.on = Day(2019, 6, 1)
    await #expect(throws: FundError.memberNotInGoodStanding("42")) {
      try await council.submit(late, by: admin)
    }
    #expect(await store.headPosition() == head)
  }
}

@Suite("Random fund commands")
struct RandomFundCommandTests {
  @Test(arguments: [1, 2, 3] as [UInt64])
  func randomCommandsNeverBreakTheBudgetOrAPaidApplication(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    let fund = FundDecider()
    let applications = ApplicationDecider()
    var fundState = fund.given([fundEstablished, budget]).state
    var states: [ApplicationState] = Array(repeating: applications.initialState, count: 6)
    let issuers: [Issuer] = [.office, admin, stranger]
    for _ in 0..<4000 {
      let index = Int(random.next() % 6)
      let issuer = issuers[Int(random.next() % 3)]
      let amount = Int(random.next() % 150_000)
      var application = submission
      application.application = ApplicationID("app-\(index)")
      let command: ApplicationCommand
      switch random.next() % 7 {
      case 0:
        command = .submit(
          application, memberInGoodStanding: random.next() % 4 != 0, fund: fundState, by: issuer)
      case 1: command = .requestInformation(question: "q", on: Day(2018, 9, 2), by: issuer)
      case 2: command = .provideInformation(answer: "a", on: Day(2018, 9, 3), by: issuer)
      case 3:
        command = .approve(
          amount: amount, remainingBudget: fundState.remaining(for: "fall-2018"),
          on: Day(2018, 9, 4), reason: "r", by: issuer)
      case 4: command = .decline(on: Day(2018, 9, 4), reason: "r", by: issuer)
      case 5: command = .withdraw(on: Day(2018, 9, 5), reason: "r", by: issuer)
      default: command = .pay(amount: amount, on: Day(2018, 9, 6), by: issuer)
      }
      let before = states[index]
      guard let events = try? applications.decide(command, state: before) else { continue }
      // What the front door appends with an approval or a withdrawal of an approved one.
      if case .applicationApproved(let approval) = events.first {
        guard
          let commitment = try? fund.decide(
            .commit(application.application, consultation: "fall-2018", amount: approval.amount),
            state: fundState)
        else {
          Issue.record("an approval the budget could not hold")
          continue
        }
        fundState = fund.fold(commitment, from: fundState)
      }
      if case .applicationWithdrawn = events.first, before.status == .approved {
        guard
          let release = try? fund.decide(
            .release(
              application.application, consultation: "fall-2018", amount: before.approvedAmount),
            state: fundState)
        else {
          Issue.record("a withdrawn approval the fund could not release")
          continue
        }
        fundState = fund.fold(release, from: fundState)
      }
      states[index] = applications.fold(events, from: before)
      #expect(fundState.remaining(for: "fall-2018") >= 0, "the budget was exceeded")
      #expect(
        !(before.status == .paid && states[index].status != .paid), "a paid application changed")
      #expect(states[index].approvedAmount >= 0)
    }
    #expect(states.contains { $0.status != .none })
  }
}
