import Council
import EventLog

/// The 2018 International Refugee Rights Conference (7–9 June 2018, York University,
/// Toronto), recorded as events from its report (`003_2599d789fd2f37a9.txt`).
///
/// What the report states is recorded as stated: 650 participants from 36 countries, 80 of
/// them from outside Canada; funding for 25 non-Canadian participants and for the travel of
/// 19 refugees or former refugees; about 45 youth; registration closed at capacity on 18 May
/// 2018 with exceptions made thereafter and others turned away; 47 sessions by kind (3
/// plenaries, 6 preliminary sessions, 24 workshops, 8 caucus sessions, 6 networking sessions);
/// workshop outcomes in four categories; 102 evaluation responses agreeing with seven
/// statements at 89, 87, 89, 81, 75.5, 85 and 95 per cent.
///
/// What the report leaves out is filled in, and said here: the capacity (610 places), who
/// cancelled, waited and did not come, names and organizations (generated), the rates paid, and
/// each respondent's answers (chosen so that the shares agreeing round to the report's).
public enum Conference2018 {
  /// The conference's identifier.
  public static let gathering: GatheringID = "irrc-2018"

  /// The seven evaluation statements, as the report words them.
  public static let statements = [
    "The conference helped me to increase my understanding of refugee needs, trends, and barriers.",
    "The conference was successful overall and I would recommend others to participate in the future.",
    "The conference helped me to acquire knowledge, understanding and contacts that will be useful in my work.",
    "The conference provided good opportunities to participate and contribute to the dialogue.",
    "The conference reached its goal of promoting NGO networking across borders for better global protection for refugees and vulnerable migrants.",
    "There was a good range of world regions, sectors, perspectives etc. represented at the conference.",
    "There were significant efforts to promote bilingualism (English-French).",
  ]

  /// How many of the 102 respondents agreed with each statement: 91/102 = 89.2 %, 89 = 87.3 %,
  /// 91 = 89.2 %, 83 = 81.4 %, 77 = 75.5 %, 87 = 85.3 %, 97 = 95.1 %.
  public static let agreeing = [91, 89, 91, 83, 77, 87, 97]

  /// The comments participants gave ("Participants appreciated…").
  public static let comments = [
    "Opportunity for networking and knowledge sharing, as well as the knowledge level of the resource persons",
    "Inclusion that was accomplished in every aspect of the conference",
    "The opportunity to meet and learn about experiences and read situations of the refugee and immigrant in different countries and areas in the world",
    "The focus on youth, and having both a panel on youth, but also a large number of youth participating in the conference",
    "The diversity in the conference. The multiculturalism made the interactions joyful. Bi/trilingualism efforts promoted. Great job promoting accessibility, generally!",
    "Discussions and different views on the same area",
    "Connecting international & national issues",
    "Meeting amazing individuals who come from refugee backgrounds, who are contributing back to CCR and Canadian community",
    "Workshops that made us talk in small groups were good - helps support networking",
    "The positive, proactive attitude; well-prepared presenters",
    "Alternative pathways for resettlement",
  ]

  /// The 47 sessions by kind, with the titles the report lists.
  public static let sessions: [(SessionKind, String)] =
    [
      "Opening plenary with international perspectives", "Plenary on world regional perspectives",
      "Closing plenary on Canadian perspectives",
    ].map { (.plenary, $0) }
    + [
      "Enforcement", "Global Protection", "Welcome and integration", "Protection",
      "Rights and Status",
      "Durable solutions",
    ].map { (.preliminarySession, $0) }
    + [
      "Global Compact on Refugees", "Detention", "Settlement", "Mental health", "Security vetting",
      "Youth",
      "Public opinion", "Effective protection", "Durable solutions", "Economic and social rights",
      "Interdiction",
      "Faith", "Sexual orientation and Gender identity and expression (SOGIE)", "Children's rights",
      "Post-deportation", "Statelessness", "UNHCR Role", "Trafficking", "Citizenship",
      "Family Reunification",
      "Welcoming communities", "Private sponsorship", "Gender and displacement",
      "Refugee determination",
    ]
    .map { (.workshop, $0) }
    + [
      "Immigration and Refugee Board (IRB)", "Refugee Women", "Rohingya",
      "Mental health and detention",
      "Technology", "Complementary pathways", "African Refugee Network", "Refugees in Israel",
    ]
    .map { (.caucus, $0) }
    + ["Mexico-US-Canada", "LGBT", "Resettlement", "Communications", "Trafficking", "Youth"]
    .map { (.networkingSession, $0) }

  /// Some of the workshop outcomes the report gives, by category and workshop title.
  public static let outcomes: [(String, OutcomeCategory, String)] = [
    (
      "Gender and displacement", .resourcesRecommendation,
      "Circulate an updated toolkit on supporting local women's leadership."
    ),
    (
      "Sexual orientation and Gender identity and expression (SOGIE)", .resourcesRecommendation,
      "Develop resources that assist settlement workers in helping refugee claimants navigate the refugee claim process in a SOGIE context."
    ),
    (
      "Private sponsorship", .advocacyIssue,
      "Influence Australia so that civil society's fundraising benefits refugees directly."
    ),
    (
      "Family Reunification", .advocacyIssue,
      "Advocacy for excluded family members must be prioritized."
    ),
    (
      "Statelessness", .advocacyIssue,
      "Advocate for solutions to statelessness, from ratification of conventions to birth registration."
    ),
    (
      "Citizenship", .crossBorderCollaboration,
      "Keep sharing best practices on the impact of lack of citizenship on refugees."
    ),
    (
      "Interdiction", .crossBorderCollaboration,
      "Sustained public pressure and legal challenges to interdiction and containment policies."
    ),
    ("Public opinion", .recommendationForCouncil, "Hold a workshop on how to work with the media."),
    (
      "Post-deportation", .recommendationForCouncil,
      "The council to take a leadership role in creating post-deportation monitoring mechanisms."
    ),
  ]

  /// The 35 countries other than Canada that participants came from (the report says 36
  /// countries in all five continents; which ones is filled in).
  public static let countries = [
    "Mexico", "United States", "Colombia", "Guatemala", "Honduras", "Brazil", "Argentina", "Haiti",
    "United Kingdom", "France", "Germany", "Austria", "Switzerland", "Greece", "Italy", "Israel",
    "Lebanon", "Jordan", "Turkey", "Kenya", "Uganda", "South Africa", "Egypt", "Nigeria",
    "Democratic Republic of the Congo", "Ethiopia", "Bangladesh", "Myanmar", "Malaysia", "Thailand",
    "Indonesia", "South Korea", "Japan", "Australia", "New Zealand",
  ]

  /// Records the conference in `council`'s log: scheduling, registration until it closed at
  /// capacity on 18 May 2018, cancellations with places offered from the waitlist, exceptions,
  /// attendance, sessions, outcomes and evaluations. Returns the number of events recorded.
  ///
  /// Give `recordingClock` (the clock the store was opened with) to have the store record
  /// each event on the day it happened, so that questions as of a day of 2018 answer as the
  /// report does.
  @discardableResult
  public static func record(in council: Council, recordingClock: ManualClock? = nil)
    async throws -> Int
  {
    let start = try await council.store.headPosition()
    let capacity = 610
    let office = Issuer.office
    func at(_ day: Day) -> Council {
      let time = day.start.advanced(byMinutes: 10 * 60)
      recordingClock?.advance(to: time)
      return council.with(clock: .fixed(time))
    }
    var session = try await at(Day(2018, 1, 15)).handler(GatheringDecider()).session(
      on: Streams.gathering(gathering))
    func run(_ day: Day, _ command: GatheringCommand) async throws {
      session = StreamSession(copying: session, handler: at(day).handler(GatheringDecider()))
      try await session.handle(command, context: CommandContext(actor: office.description))
    }
    try await run(
      Day(2018, 1, 15),
      .schedule(
        GatheringScheduled(
          gathering: gathering, kind: .conference, season: nil,
          name: "International Refugee Rights Conference",
          city: "Toronto", country: "Canada", starts: Day(2018, 6, 7), ends: Day(2018, 6, 9),
          capacity: capacity,
          languages: ["en", "fr", "es"], requiresApproval: false, offerDays: 5),
        by: office))
    try await run(Day(2018, 2, 1), .openRegistration(on: Day(2018, 2, 1), by: office))

    // 650 attend: 610 places (12 of them passed from cancellations to the waitlist) and 52
    // exceptions, less 12 no-shows. 80 attendees come from outside Canada (all 35 other
    // countries), 25 of them funded; 19 refugees or former refugees from Canada are funded;
    // 45 attendees are youth. Who is funded, a refugee or young is known of each person when
    // they register, and recorded then: the people are chosen here from the registrations
    // that end up attending.
    let cancelled = Set((0..<12).map { $0 * 50 + 6 })  // people of reg-7, reg-57, …
    let attendingPeople = Set(0..<(capacity + 52 + 12)).subtracting(cancelled)
    let foreign = Set(attendingPeople.sorted().filter { $0 % 7 == 3 }.prefix(80))
    var people: [Participant] = []
    for index in 0..<(capacity + 52 + 40) {
      let abroad = foreign.contains(index)
      let country =
        abroad
        ? countries[people.filter { $0.country != "Canada" }.count % countries.count] : "Canada"
      people.append(
        Participant(
          name: "Participant \(index + 1)",
          organization: abroad ? "NGO \(index % 40 + 1)" : "Member organization \(index % 120 + 1)",
          country: country, rate: abroad || index % 3 == 0 ? .nonMember : .member))
    }
    // The registrations that will attend (every place but the 12 cancelled, the first 12 of
    // the waitlist and the 52 exceptions), each with its person, in the order of their IDs;
    // the last 12 from Canada will not come.
    let expectedAttending =
      ((0..<capacity).filter { !cancelled.contains($0) }.map { ("reg-\($0 + 1)", $0) }
      + (0..<12).map { ("wait-\($0 + 1)", capacity + 52 + $0) }
      + (0..<52).map { ("exc-\($0 + 1)", capacity + $0) })
      .sorted { $0.0.localizedStandardCompare($1.0) == .orderedAscending }
    let expectedNoShows = Set(
      expectedAttending.filter { people[$0.1].country == "Canada" }.suffix(12).map(\.0))
    var foreignFunded = 0
    var refugeesFunded = 0
    var youth = 0
    for (id, person) in expectedAttending where !expectedNoShows.contains(id) {
      if people[person].country != "Canada" && foreignFunded < 25 {
        people[person].funded = true
        foreignFunded += 1
      } else if people[person].country == "Canada" && refugeesFunded < 19 && id.hasPrefix("reg-") {
        people[person].refugee = true
        people[person].funded = true
        refugeesFunded += 1
      } else if youth < 45 && id.hasSuffix("3") {
        people[person].youth = true
        youth += 1
      }
    }
    // Registrations open 1 February; the 610th, on 18 May, fills the last place.
    let registrationDays = Day(2018, 5, 18).daysSince1970 - Day(2018, 2, 1).daysSince1970
    for index in 0..<capacity {
      let day = Day(2018, 2, 1).adding(days: index * registrationDays / (capacity - 1))
      try await run(
        day, .register(RegistrationID("reg-\(index + 1)"), people[index], on: day, by: office))
    }
    // After closing: 40 join the waitlist; 52 are admitted as exceptions.
    for index in 0..<40 {
      let day = Day(2018, 5, 19).adding(days: index % 14)
      try await run(
        day,
        .register(
          RegistrationID("wait-\(index + 1)"), people[capacity + 52 + index], on: day, by: office))
    }
    for index in 0..<52 {
      let day = Day(2018, 5, 20).adding(days: index % 15)
      try await run(
        day,
        .admitException(
          RegistrationID("exc-\(index + 1)"), people[capacity + index], on: day,
          reason: "resource person or partner", by: office))
    }
    // 12 cancellations; each place is offered to the next on the waitlist, who accepts.
    for index in 0..<12 {
      let day = Day(2018, 5, 22).adding(days: index)
      try await run(day, .cancel(RegistrationID("reg-\(index * 50 + 7)"), on: day, by: office))
      try await run(
        day.adding(days: 1),
        .acceptOffer(RegistrationID("wait-\(index + 1)"), on: day.adding(days: 1), by: office))
    }

    // The attendees, as the log has them, and the no-shows.
    let state = session.state
    var attending = state.registrations.filter {
      $0.value.status == .confirmed || $0.value.status == .exception
    }
    .map { ($0.key, $0.value.participant) }
    .sorted { $0.0.rawValue.localizedStandardCompare($1.0.rawValue) == .orderedAscending }
    let noShows = Set(attending.filter { $0.1.country == "Canada" }.suffix(12).map(\.0))
    attending.removeAll { noShows.contains($0.0) }
    for (index, (id, _)) in attending.enumerated() {
      let day = Day(2018, 6, 7).adding(days: index % 3 == 2 ? 1 : 0)
      try await run(day, .checkIn(id, on: day, by: office))
    }
    for id in noShows.sorted() {
      try await run(Day(2018, 6, 9), .recordNoShow(id, on: Day(2018, 6, 9), by: office))
    }

    // Sessions, outcomes, evaluations.
    for (index, (kind, title)) in sessions.enumerated() {
      let day =
        kind == .plenary
        ? (index == 2 ? Day(2018, 6, 9) : Day(2018, 6, 7)) : Day(2018, 6, 7).adding(days: index % 3)
      try await run(
        day,
        .scheduleSession(
          SessionID("session-\(index + 1)"), kind: kind, title: title, on: day,
          interpretation: kind == .plenary
            ? ["en", "fr", "es"] : (index % 4 == 0 ? ["en", "fr"] : []), by: office))
    }
    for (workshop, category, text) in outcomes {
      guard let index = sessions.firstIndex(where: { $0.0 == .workshop && $0.1 == workshop }) else {
        continue
      }
      try await run(
        Day(2018, 6, 9),
        .recordOutcome(
          SessionID("session-\(index + 1)"), category: category, text: text, by: office))
    }
    try await run(Day(2018, 6, 9), .defineEvaluation(statements, by: office))
    for respondent in 0..<102 {
      let answers = agreeing.map { agreed in
        respondent < agreed ? (respondent % 2 == 0 ? 5 : 4) : (respondent % 3 == 0 ? 2 : 3)
      }
      let comment = respondent < comments.count ? comments[respondent] : nil
      try await run(
        Day(2018, 6, 9),
        .evaluate(attending[respondent * 6].0, answers: answers, comment: comment, by: office))
    }
    return Int(try await council.store.headPosition().rawValue - start.rawValue)
  }
}
