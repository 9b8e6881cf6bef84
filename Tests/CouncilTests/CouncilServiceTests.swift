import Council
import EventLog
import Testing

/// A council on an in-memory store, on 2018-02-01, with its settings and lists.
func makeCouncil() async throws -> (Council, InMemoryEventStore) {
  let store = InMemoryEventStore()
  let clock = EventClock.fixed(Day(2018, 2, 1).start)
  let council = Council(store: store, clock: clock, ids: .seeded(7, clock: clock))
  try await council.establish(
    name: "Canadian Council for Refugees", policy: MembershipPolicy(termMonths: 12, graceDays: 60),
    by: .office)
  try await council.establishMailingList(
    MailingListEstablished(
      list: "ccrlist", name: "CCRLIST", audience: .anyone,
      excludedAffiliations: ["media", "government"]),
    by: .office)
  return (council, store)
}

/// ``makeCouncil()`` with member 42 applied and approved by the office, its administrative
/// account `a-42` (`office@fcj.example`).
func makeCouncilWithMember() async throws -> (Council, InMemoryEventStore) {
  let (council, store) = try await makeCouncil()
  try await council.apply("42", profile: profile, by: .office)
  try await council.approve(
    "42",
    administrator: AdministrativeAccountRequest(
      account: "a-42", name: "FCJ", email: "office@fcj.example"), by: .office)
  return (council, store)
}

@Suite("The council's front door")
struct CouncilServiceTests {
  @Test func approvalCreatesExactlyOneAdministrativeAccountAtomically() async throws {
    let (council, store) = try await makeCouncil()
    try await council.apply("42", profile: profile, by: .publicPerson(name: "Loly"))
    try await council.approve(
      "42",
      administrator: AdministrativeAccountRequest(
        account: "a-42", name: "FCJ", email: "office@fcj.example"), by: .office)
    let member = try await council.member("42")
    #expect(member.status == .active)
    #expect(member.administrativeAccount == "a-42")
    #expect(try await council.account("a-42").isAdministrative)
    let head = await store.headPosition()
    // A second approval is refused by the member decider, and writes nothing.
    await #expect(throws: MemberError.notAnApplicant(.active)) {
      try await council.approve(
        "42",
        administrator: AdministrativeAccountRequest(
          account: "a-43", name: "x", email: "x@fcj.example"), by: .office)
    }
    #expect(await store.headPosition() == head)
  }

  @Test func emailAddressesAreUniqueAcrossAccounts() async throws {
    let (council, store) = try await makeCouncilWithMember()
    try await council.apply("43", profile: profile, by: .office)
    let head = await store.headPosition()
    await #expect(throws: AccountError.emailInUse("office@fcj.example")) {
      try await council.approve(
        "43",
        administrator: AdministrativeAccountRequest(
          account: "a-43", name: "Other", email: " OFFICE@fcj.example"), by: .office)
    }
    #expect(await store.headPosition() == head, "the refused approval wrote nothing")
    #expect(try await council.member("43").status == .applicant)
    await #expect(throws: AccountError.emailInUse("office@fcj.example")) {
      try await council.createIndividualAccount(
        "i-1", member: "42", name: "Ana", email: "office@fcj.example", role: .staff, by: admin)
    }
  }

  @Test func concurrentAccountsRacingForOneAddressLeaveExactlyOneWinner() async throws {
    let (council, store) = try await makeCouncilWithMember()
    // Each task's error, or nil for the winner.
    let failures = await withTaskGroup(of: (any Error)?.self) { group in
      for n in 0..<20 {
        group.addTask {
          do {
            try await council.createIndividualAccount(
              "i-\(n)", member: "42", name: "N\(n)", email: "shared@fcj.example", role: .staff,
              by: admin)
            return nil
          } catch {
            return error
          }
        }
      }
      return await group.reduce(into: [(any Error)?]()) { $0.append($1) }
    }
    #expect(failures.count == 20)
    #expect(failures.filter { $0 == nil }.count == 1)
    // Every loser lost because the address was taken, not through a conflict it gave up on.
    for case let failure? in failures {
      #expect(failure as? AccountError == .emailInUse("shared@fcj.example"), "lost with \(failure)")
    }
    let reservations = try await store.readStream(Streams.email("shared@fcj.example"))
    #expect(reservations.count == 1)
  }

  @Test func individualAccountsOnlyForMembersInGoodStanding() async throws {
    let (council, _) = try await makeCouncilWithMember()
    try await council.createIndividualAccount(
      "i-1", member: "42", name: "Ana", email: "ana@fcj.example", role: .staff, on: Day(2018, 3, 1),
      by: admin)
    await #expect(throws: AccountError.memberNotInGoodStanding("42")) {
      try await council.createIndividualAccount(
        "i-2", member: "42", name: "Ben", email: "ben@fcj.example", role: .staff,
        on: Day(2019, 6, 1), by: admin)
    }
  }

  @Test func theCCRLISTRefusesAGovernmentRepresentative() async throws {
    let (council, store) = try await makeCouncil()
    let head = await store.headPosition()
    await #expect(
      throws: SubscriptionError.excludedAffiliation(list: "CCRLIST", affiliation: "government")
    ) {
      try await council.subscribePublic(
        email: "official@gc.example", name: "Official", affiliation: "government", to: "ccrlist",
        by: .publicPerson(name: "Official"))
    }
    #expect(await store.headPosition() == head)
    try await council.subscribePublic(
      email: "ana@ngo.example", name: "Ana", affiliation: "ngo", to: "ccrlist",
      by: .publicPerson(name: "Ana"))
  }

  @Test func theEventsCarryTheIssuerAsActor() async throws {
    let (council, store) = try await makeCouncil()
    try await council.apply("42", profile: profile, by: .publicPerson(name: "Loly"))
    let events = try await store.readStream(Streams.member("42"))
    // A member of the public is recorded without their name: it could not be erased.
    #expect(events.first?.metadata.actor == "public")
    #expect(events.first?.metadata.time == Day(2018, 2, 1).start)
  }
}
