// sample: readme-library-in-use
import Council
import CouncilSamples
import EventLogLMDB

// end sample

// The README's and the Council overview's samples of the council, as written there. They write
// logs in the working directory ("council-log", "log"), so they are compiled and not run; what
// they do is tested elsewhere (CouncilServiceTests, the projection tests).
enum CouncilDocSamples {
  static func libraryInUse(profile: MemberProfile) async throws {
    // sample: readme-library-in-use
    let council = Council(store: try LMDBEventStore(path: "council-log"))  // a directory
    try await CouncilSetup.recordSeedCouncil(in: council)  // working groups, fund, lists
    try await council.apply("42", profile: profile, by: .publicPerson(name: "Loly"))
    try await council.approve(
      "42",
      administrator: .init(
        account: "a-42", name: "FCJ",
        email: "office@fcj.example"), by: .office)  // + admin account

    let directory = try await MemberDirectoryProjection().state(in: council.store, asOf: .now)
    let page = directory.value.search(
      DirectoryQuery(region: "Ontario", text: "montreal"), as: .office)
    print(page.total, "members, as of log position", directory.position)
    // end sample
  }

  static func genericLayer(myEvent: some RecordableEvent) async throws {
    // sample: readme-generic-layer
    let store = try LMDBEventStore(path: "log")
    try await store.append(
      [
        try EventData(
          myEvent, id: .random(), metadata: EventMetadata(time: EventClock.system.now()))
      ],
      to: "member-42", expectedVersion: .noStream)  // append
    for event in try await store.readStream("member-42") { print(event.position, event.eventType) }
    for try await event in store.follow(from: .first) { print(event.stream) }  // catch up, then live
    // end sample
  }

  static func querying(council: Council) async throws {
    // sample: readme-querying
    let store: any EventStore = council.store
    // Member directory: active members only; search by region, service, client group, language,
    // and text in either name (case and accents ignored); e-mail addresses for the office only.
    let directory = try await MemberDirectoryProjection().state(
      in: store, asOf: .endOf(Day(2018, 5, 18)))
    let page = directory.value.search(
      DirectoryQuery(service: "housing", clientGroup: "youth", page: 0), as: .office)

    // Registration counts and evaluation summaries, per consultation or conference.
    let reports = try await GatheringReportsProjection().state(in: store, asOf: .now).value
    let counts = reports.registrationCounts("irrc-2018")  // registered, cancelled, waitlisted, exceptions, …
    let summary = reports.evaluationSummary("irrc-2018")  // responses, rate, share agreeing per statement

    // Fund ledger: by status and component, approved against each consultation's budget.
    let ledger = try await FundLedgerProjection().state(in: store, asOf: .position(12_345)).value
    let fall = ledger.consultations["fall-2018"]  // (budget, approved, remaining, paid)

    // Resolution register: the policy base by working group and date; pending, defeated, withdrawn.
    let register = try await ResolutionRegisterProjection().state(in: store, asOf: .now).value
    let policies = register.policyBase["IP"]

    // Membership history: terms, gaps and status on any day; per year joined/renewed/lapsed/rejoined.
    let histories = try await MembershipHistoryProjection().state(in: store, asOf: .now).value
    let status = histories.members["42"]?.status(on: Day(2019, 6, 1))
    let year = histories.years[2019]
    // end sample
    _ = (page, counts, summary, fall, policies, status, year)
  }

  static func councilOverview(profile: MemberProfile) async throws {
    // sample: council-overview
    let council = Council(store: try LMDBEventStore(path: "council-log"))
    try await CouncilSetup.recordSeedCouncil(in: council)
    try await council.apply("42", profile: profile, by: .publicPerson(name: "Loly"))
    try await council.approve(
      "42",
      administrator: .init(
        account: "a-42", name: "FCJ",
        email: "office@fcj.example"), by: .office)
    // end sample
  }
}
