import Council
import EventLog

/// Records a realistic synthetic council in a log: organizations across regions apply, are
/// approved or rejected, renew, lapse, withdraw and come back, and their administrators create
/// individual accounts. The same seed gives the same log, event for event.
///
/// Commands are issued through ``Council`` as people would; the ones the rules refuse (a
/// renewal by a withdrawn member, say) are refused and counted, and append nothing.
public struct CouncilSimulation: Sendable {
  /// The regions organizations are in (provinces and territories of the seeds' council).
  public static let regions = [
    "Alberta", "British Columbia", "Manitoba", "New Brunswick", "Newfoundland and Labrador",
    "Nova Scotia", "Ontario", "Prince Edward Island", "Quebec", "Saskatchewan", "Yukon",
  ]
  /// Cities, one per region above.
  public static let cities = [
    "Calgary", "Vancouver", "Winnipeg", "Fredericton", "St. John's", "Halifax", "Toronto",
    "Charlottetown", "Montréal", "Regina", "Whitehorse",
  ]
  /// Services offered.
  public static let services = [
    "settlement", "legal information", "housing", "mental health", "language classes",
    "employment", "sponsorship", "youth programs", "detention visits",
  ]
  /// Target client groups.
  public static let clientGroups = [
    "refugee claimants", "resettled refugees", "youth", "women", "LGBTQ+ refugees",
    "detained migrants", "trafficked persons", "families",
  ]
  /// Languages.
  public static let languages = ["en", "fr", "es", "ar", "fa", "so", "ti"]

  /// The council to record in.
  public let council: Council
  /// The day the simulation has reached.
  public private(set) var day: Day
  /// The simulated time, which only moves forwards: every command is recorded at this time,
  /// so recorded times never decrease along the log the simulation writes.
  public private(set) var now: Timestamp
  /// How many member organizations take part.
  public let members: Int
  /// Set to the simulated now before each command, when given: share its clock with the
  /// store (`LMDBEventStore(path:clock:)`, `InMemoryEventStore(clock:)`) so that the store's
  /// recorded times follow the simulated calendar and a seeded log is the same every time.
  public let recordingClock: ManualClock?
  private var random: SplitMix64
  private var accounts = 0
  var consultationsHeld: Set<String> = []

  /// What a run did.
  public struct Outcome: Sendable, Hashable {
    /// Commands accepted.
    public var accepted = 0
    /// Commands refused by the rules (nothing appended for them).
    public var refused = 0
  }

  /// Creates a simulation of `council` beginning on `start`; the same seed gives the same
  /// commands. Its clock begins at the start of that day: whatever the log holds already
  /// should be recorded no later.
  public init(
    council: Council, start: Day = Day(2016, 1, 1), seed: UInt64, members: Int = 60,
    recordingClock: ManualClock? = nil
  ) {
    self.council = council
    self.recordingClock = recordingClock
    recordingClock?.advance(to: start.start)
    self.day = start
    self.now = start.start
    self.members = max(1, members)
    self.random = SplitMix64(seed: seed)
  }

  mutating func pick<T>(_ values: [T]) -> T {
    values[Int(random.next() % UInt64(values.count))]
  }

  mutating func next() -> UInt64 { random.next() }

  /// The council telling the time of a command meant for `time`: that time, or the simulated
  /// now when that is later already (the office records it late), and the simulated now
  /// moves on to it.
  mutating func council(at time: Timestamp) -> Council {
    now = max(now, time)
    recordingClock?.advance(to: now)
    return council.with(clock: .fixed(now))
  }

  /// Moves the simulation's day on to the day of the simulated now (after a consultation,
  /// whose commands run ahead of the day).
  mutating func catchUpDay() {
    day = max(day, Day(now))
  }

  /// Issues `commands` more random membership and account commands, carrying on from where
  /// the last call stopped.
  public mutating func runMembership(commands: Int) async throws -> Outcome {
    var outcome = Outcome()
    for _ in 0..<commands {
      // About members / 40 commands a day (at least 2): a log of any size spans a few years.
      if random.next() % UInt64(max(2, members / 40)) == 0 { day = day.adding(days: 1) }
      let council = self.council(at: day.start.advanced(byMinutes: 9 * 60))
      let number = Int(random.next() % UInt64(members))
      let member = MemberID("\(number)")
      let administrator = Issuer.memberAdministrator(member: member, account: "admin-\(number)")
      do {
        switch random.next() % 100 {
        case 0..<20:
          let region = Int(random.next() % UInt64(Self.regions.count))
          let name =
            "\(pick(["Refugee", "Newcomer", "Migrant", "Welcome"])) \(pick(["Centre", "Network", "Services", "Clinic"])) \(number)"
          let profile = MemberProfile(
            nameEnglish: name, nameFrench: "Centre \(number) pour personnes réfugiées",
            region: Self.regions[region], city: Self.cities[region],
            services: Array(Set((0..<3).map { _ in pick(Self.services) })).sorted(),
            clientGroups: Array(Set((0..<2).map { _ in pick(Self.clientGroups) })).sorted(),
            languages: Array(Set(["en", pick(Self.languages)])).sorted(),
            contact: "info@member\(number).example")
          try await council.apply(
            member, profile: profile, on: day, by: .publicPerson(name: "applicant \(number)"))
        case 20..<35:
          try await council.approve(
            member,
            administrator: AdministrativeAccountRequest(
              account: "admin-\(number)", name: "Office of member \(number)",
              email: "admin@member\(number).example"),
            on: day, by: .office)
        case 35..<38:
          try await council.reject(
            member, reason: "outside the council's mandate", on: day, by: .office)
        case 38..<55:
          try await council.renew(
            member, on: day, by: random.next() % 2 == 0 ? .office : administrator)
        case 55..<70:
          try await council.recordLapse(member, on: day, by: .office)
        case 70..<74:
          try await council.withdraw(
            member, reason: "merged with another organization", on: day, by: administrator)
        case 74..<80:
          try await council.reinstate(member, on: day, by: .office)
        case 80..<95:
          accounts += 1
          try await council.createIndividualAccount(
            "person-\(accounts)", member: member, name: "Person \(accounts)",
            email: "person\(accounts)@member\(number).example",
            role: pick([AccountRole.staff, .boardMember, .volunteerInStaffRole]), on: day,
            by: administrator)
        default:
          guard var profile = try await self.council.member(member).profile else {
            outcome.refused += 1
            continue
          }
          let service = pick(Self.services)
          if let index = profile.services.firstIndex(of: service) {
            profile.services.remove(at: index)
          } else {
            profile.services.append(service)
            profile.services.sort()
          }
          try await council.updateProfile(member, profile, by: administrator)
        }
        outcome.accepted += 1
      } catch is MemberError {
        outcome.refused += 1
      } catch is AccountError {
        outcome.refused += 1
      }
    }
    return outcome
  }
}
