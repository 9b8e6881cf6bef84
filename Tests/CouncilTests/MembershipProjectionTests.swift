import Council
import CouncilSamples
import EventLog
import Testing

/// A simulated council log (members and accounts), shared by the tests below.
func simulatedMembershipLog(seed: UInt64 = 2018, commands: Int = 2500) async throws -> (
  InMemoryEventStore, [RecordedEvent]
) {
  let recording = ManualClock(Day(2016, 1, 1).start)
  let store = InMemoryEventStore(clock: recording.clock)
  let clock = EventClock.fixed(Day(2016, 1, 1).start)
  let council = Council(store: store, clock: clock, ids: .seeded(seed, clock: clock))
  try await council.establish(
    name: "Test council", policy: MembershipPolicy(termMonths: 12, graceDays: 30), by: .office)
  var simulation = CouncilSimulation(council: council, seed: seed, recordingClock: recording)
  let outcome = try await simulation.runMembership(commands: commands)
  #expect(outcome.accepted > commands / 10)
  #expect(outcome.refused > commands / 20)
  let events = try await store.readLog(from: .first, limit: 1_000_000).events
  return (store, events)
}

/// The directory's figures, folded here from raw events, independently of the projection.
struct PlainDirectoryFold {
  var active: [String: Bool] = [:]
  var region: [String: String] = [:]
  var accounts: [String: Set<String>] = [:]
  var accountOwner: [String: String] = [:]

  mutating func add(_ event: RecordedEvent) throws {
    let id = event.stream.id ?? ""
    switch event.stream.category {
    case "member":
      switch try event.decode(as: MemberEvent.self) {
      case .applied(let e):
        region[id] = e.profile.region
        active[id] = false
      case .profileUpdated(let e): region[id] = e.profile.region
      case .approved, .renewed, .reinstated: active[id] = true
      case .rejected, .lapsed, .withdrew: active[id] = false
      }
    case "account":
      switch try event.decode(as: AccountEvent.self) {
      case .administrativeCreated(let e):
        accounts[e.member.rawValue, default: []].insert(id)
        accountOwner[id] = e.member.rawValue
      case .individualCreated(let e):
        accounts[e.member.rawValue, default: []].insert(id)
        accountOwner[id] = e.member.rawValue
      case .deactivated: if let owner = accountOwner[id] { accounts[owner]?.remove(id) }
      case .subscribed, .unsubscribed: break
      }
    default: break
    }
  }

  var countsByRegion: [String: Int] {
    var counts: [String: Int] = [:]
    for (member, isActive) in active where isActive { counts[region[member]!, default: 0] += 1 }
    return counts
  }

  static func of(_ events: some Sequence<RecordedEvent>) throws -> PlainDirectoryFold {
    var fold = PlainDirectoryFold()
    for event in events { try fold.add(event) }
    return fold
  }
}

/// Membership movements per year, counted here from raw events.
func plainYearCounts(_ events: [RecordedEvent]) throws -> [Int: MembershipYear] {
  var years: [Int: MembershipYear] = [:]
  for event in events where event.stream.category == "member" {
    switch try event.decode(as: MemberEvent.self) {
    case .approved(let e): years[e.joinedOn.components.year, default: .init()].joined += 1
    case .renewed(let e) where e.startsNewTerm:
      years[e.on.components.year, default: .init()].rejoined += 1
    case .renewed(let e): years[e.on.components.year, default: .init()].renewed += 1
    case .reinstated(let e): years[e.termStarts.components.year, default: .init()].rejoined += 1
    case .lapsed(let e): years[e.on.components.year, default: .init()].lapsed += 1
    case .withdrew(let e): years[e.on.components.year, default: .init()].withdrew += 1
    default: break
    }
  }
  return years
}

@Suite("Member directory and membership history")
struct MembershipProjectionTests {
  @Test func theDirectoryMatchesAnIndependentFold() async throws {
    let (store, events) = try await simulatedMembershipLog()
    let answer = try await MemberDirectoryProjection().state(in: store, asOf: .now)
    let expected = try PlainDirectoryFold.of(events)
    let all = answer.value.search(DirectoryQuery(pageSize: 100_000), as: .office)
    #expect(all.countsByRegion == expected.countsByRegion)
    #expect(all.total == expected.active.values.filter { $0 }.count)
    for entry in all.entries {
      #expect(
        Set(entry.accounts.map(\.account.rawValue)) == expected.accounts[entry.member.rawValue]
          ?? [])
    }
    #expect(answer.position == events.last?.position)
    #expect(events.contains { $0.eventType == MembershipLapsed.eventType })
    #expect(events.contains { $0.eventType == MemberReinstated.eventType })
  }

  @Test func theDirectoryAsOfAnyPositionOrDayMatchesThePrefix() async throws {
    let (store, events) = try await simulatedMembershipLog(seed: 7, commands: 1200)
    var random = SplitMix64(seed: 1)
    for _ in 0..<6 {
      let cut = Int(random.next() % UInt64(events.count))
      let answer = try await MemberDirectoryProjection().state(
        in: store, asOf: .position(events[cut].position))
      let expected = try PlainDirectoryFold.of(events[...cut])
      #expect(
        answer.value.search(DirectoryQuery(pageSize: 100_000), as: .office).countsByRegion
          == expected.countsByRegion)
      #expect(answer.position == events[cut].position)
      // Asked again at the position it carries, the same figures.
      let again = try await MemberDirectoryProjection().state(
        in: store, asOf: .position(answer.position))
      #expect(again.value == answer.value)
    }
    let day = Day(events[events.count / 2].metadata.time)
    let byDay = try await MemberDirectoryProjection().state(in: store, asOf: .endOf(day))
    let prefix = events.prefix { Day($0.metadata.time) <= day }
    #expect(byDay.position == prefix.last?.position)
    #expect(
      byDay.value.search(DirectoryQuery(pageSize: 100_000), as: .office).countsByRegion
        == (try PlainDirectoryFold.of(prefix)).countsByRegion)
    // The end of a day is the core's moment at the start of the next day.
    #expect(AsOf.endOf(day) == .time(day.adding(days: 1).start))
    #expect(AsOf.endOf(Day(2018, 5, 18)) == .time(Timestamp(year: 2018, month: 5, day: 19)))
  }

  @Test func searchByRegionServiceClientGroupLanguageAndAccentInsensitiveText() async throws {
    let (store, _) = try await simulatedMembershipLog(seed: 3, commands: 1500)
    let directory = try await MemberDirectoryProjection().state(in: store, asOf: .now).value
    let everyone = directory.search(DirectoryQuery(pageSize: 100_000), as: .office).entries
    #expect(!everyone.isEmpty)
    let quebec = directory.search(DirectoryQuery(region: "quebec", pageSize: 100_000), as: .office)
    #expect(quebec.entries.allSatisfy { $0.profile.region == "Quebec" })
    #expect(quebec.total == everyone.filter { $0.profile.region == "Quebec" }.count)
    let montreal = directory.search(DirectoryQuery(text: "montreal"), as: .office)
    #expect(montreal.entries.allSatisfy { $0.profile.city == "Montréal" })
    #expect(montreal.total == everyone.filter { $0.profile.city == "Montréal" }.count)
    let housing = directory.search(
      DirectoryQuery(service: "Housing", pageSize: 100_000), as: .office)
    #expect(housing.total == everyone.filter { $0.profile.services.contains("housing") }.count)
    let youth = directory.search(
      DirectoryQuery(clientGroup: "youth", language: "fr", pageSize: 100_000), as: .office)
    #expect(
      youth.total
        == everyone.filter {
          $0.profile.clientGroups.contains("youth") && $0.profile.languages.contains("fr")
        }.count)
    // Pages, sorted by name, cover everyone once.
    var paged: [DirectoryEntry] = []
    for page in 0..<100 {
      let result = directory.search(DirectoryQuery(page: page, pageSize: 7), as: .office)
      if result.entries.isEmpty { break }
      paged += result.entries
    }
    #expect(paged == everyone)
    #expect(everyone.map(\.profile.nameEnglish) == everyone.map(\.profile.nameEnglish).sorted())
    // E-mail addresses are shown to the office only.
    let asMember = directory.search(
      DirectoryQuery(pageSize: 100_000), as: .memberAdministrator(member: "1", account: "admin-1"))
    #expect(asMember.entries.flatMap(\.accounts).allSatisfy { $0.email == nil })
    #expect(everyone.flatMap(\.accounts).contains { $0.email != nil })
  }

  @Test func yearlyMovementsMatchAnIndependentCount() async throws {
    let (store, events) = try await simulatedMembershipLog(seed: 11)
    let histories = try await MembershipHistoryProjection().state(in: store, asOf: .now).value
    #expect(histories.years == (try plainYearCounts(events)))
    #expect(histories.years.values.contains { $0.lapsed > 0 && $0.rejoined > 0 })
  }

  @Test func aMemberHistoryKeepsItsGaps() async throws {
    let store = InMemoryEventStore()
    let council = Council(store: store, clock: .fixed(Day(2016, 1, 1).start))
    try await council.establish(
      name: "c", policy: MembershipPolicy(termMonths: 12, graceDays: 30), by: .office)
    try await council.apply("1", profile: profile, on: Day(2016, 1, 5), by: .office)
    try await council.approve(
      "1", administrator: .init(account: "a-1", name: "A", email: "a@one.example"),
      on: Day(2016, 2, 1), by: .office)
    try await council.recordLapse("1", on: Day(2017, 4, 1), by: .office)
    try await council.renew("1", on: Day(2017, 9, 1), by: .office)
    let history = try #require(
      try await MembershipHistoryProjection().state(in: store, asOf: .now).value.members["1"])
    #expect(history.joinedOn == Day(2016, 2, 1))
    #expect(history.gaps == [MembershipTerm(starts: Day(2017, 2, 1), ends: Day(2017, 8, 31))])
    #expect(history.status(on: Day(2016, 6, 1)) == .active)
    #expect(history.status(on: Day(2017, 5, 1)) == .lapsed)
    #expect(history.status(on: Day(2017, 9, 1)) == .active)
    #expect(history.status(on: Day(2015, 1, 1)) == MembershipStatus.none)
  }

  @Test func rebuildingAndCatchingUpFromRandomCheckpointsAgree() async throws {
    let (store, _) = try await simulatedMembershipLog(seed: 5, commands: 1500)
    let rebuilt = ProjectionRunner(MemberDirectoryProjection(), store: store)
    try await rebuilt.rebuild()
    var random = SplitMix64(seed: 9)
    let head = await store.headPosition()
    for round in 0..<5 {
      let stop = LogPosition(random.next() % head.rawValue)
      let first = ProjectionRunner(
        MemberDirectoryProjection(), store: store,
        options: .init(pageSize: 13, saveEvery: 1 + random.next() % 100))
      try await first.catchUp(until: stop)
      let resumed = ProjectionRunner(
        MemberDirectoryProjection(), store: store, options: .init(pageSize: 29))
      try await resumed.load()
      try await resumed.catchUp()
      #expect(resumed.state == rebuilt.state, "round \(round)")
      let history = ProjectionRunner(
        MembershipHistoryProjection(), store: store, options: .init(pageSize: 17, saveEvery: 50))
      try await history.catchUp(until: stop)
      try await history.catchUp()
      #expect(
        history.state
          == (try await MembershipHistoryProjection().state(in: store, asOf: .now)).value)
    }
  }

  @Test func aDirectoryLoadedFromItsSavedFormStillRemovesTheAccountsDeactivatedAfter()
    async throws
  {
    // The saved form does not hold who owns each account: a load finds the owners in the
    // members' records, and a deactivation caught up after the load must find them there.
    let (council, store) = try await makeCouncilWithMember()
    for n in 1...3 {
      try await council.createIndividualAccount(
        AccountID("i-\(n)"), member: "42", name: "Person \(n)", email: "p\(n)@fcj.example",
        role: .staff, by: admin)
    }
    let saved = ProjectionRunner(MemberDirectoryProjection(), store: store)
    try await saved.catchUp()
    let accountsBefore = saved.state.activeEntries.first?.accounts.map(\.account)
    #expect(accountsBefore == ["a-42", "i-1", "i-2", "i-3"])
    try await council.deactivate("i-2", reason: "left", by: admin)
    let loaded = ProjectionRunner(MemberDirectoryProjection(), store: store)
    #expect(try await loaded.load())
    #expect(loaded.state == saved.state)
    try await loaded.catchUp()
    #expect(loaded.state.activeEntries.first?.accounts.map(\.account) == ["a-42", "i-1", "i-3"])
    let rebuilt = ProjectionRunner(MemberDirectoryProjection(), store: store)
    try await rebuilt.rebuild()
    #expect(loaded.state == rebuilt.state)
  }
}
