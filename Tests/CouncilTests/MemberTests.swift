import Council
import EventLog
import Testing

let profile = MemberProfile(
  nameEnglish: "FCJ Refugee Centre", nameFrench: "Centre FCJ pour réfugiés", region: "Ontario",
  city: "Toronto", services: ["settlement", "housing"], clientGroups: ["refugee claimants"],
  languages: ["en", "es"], contact: "info@fcj.example")
let policy = MembershipPolicy(termMonths: 12, graceDays: 60)
let admin = Issuer.memberAdministrator(member: "42", account: "a-42")
let stranger = Issuer.memberAdministrator(member: "7", account: "a-7")
let applied = MemberEvent.applied(
  MemberApplied(member: "42", profile: profile, on: Day(2018, 1, 10)))
let approved = MemberEvent.approved(
  MemberApproved(
    joinedOn: Day(2018, 2, 1), termEnds: Day(2019, 1, 31), graceDays: 60,
    administrativeAccount: "a-42"))

@Suite("Members: given events, when a command, then events or an error")
struct MemberTests {
  let members = MemberDecider()

  @Test func anOrganizationApplies() {
    #expect(
      members.given([]).when(
        .apply("42", profile, on: Day(2018, 1, 10), by: .publicPerson(name: "Loly")))
        == .success([applied]))
  }

  @Test func applyingTwiceIsRefused() {
    #expect(
      members.given([applied]).when(.apply("42", profile, on: Day(2018, 1, 11), by: .office))
        == .failure(.alreadyApplied("42")))
  }

  @Test func anIncompleteProfileIsRefused() {
    var blank = profile
    blank.region = " "
    #expect(
      members.given([]).when(.apply("42", blank, on: Day(2018, 1, 10), by: .office))
        == .failure(.incompleteProfile("region")))
  }

  @Test func aMemberCannotApplyForAnotherOrganization() {
    guard
      case .failure(.notPermitted) = members.given([]).when(
        .apply("43", profile, on: Day(2018, 1, 1), by: admin))
    else {
      Issue.record("an administrator applied")
      return
    }
  }

  @Test func theOfficeApprovesWithTheAdministrativeAccountAndAFirstTerm() {
    #expect(
      members.given([applied]).when(
        .approve(on: Day(2018, 2, 1), administrativeAccount: "a-42", policy: policy, by: .office))
        == .success([approved]))
    let state = members.given([applied, approved]).state
    #expect(state.status == .active)
    #expect(state.joinedOn == Day(2018, 2, 1))
    #expect(state.terms == [MembershipTerm(starts: Day(2018, 2, 1), ends: Day(2019, 1, 31))])
    #expect(state.administrativeAccount == "a-42")
  }

  @Test func onlyTheOfficeApproves() {
    let result = members.given([applied]).when(
      .approve(on: Day(2018, 2, 1), administrativeAccount: "a-42", policy: policy, by: admin))
    guard case .failure(.notPermitted(let refusal)) = result else {
      Issue.record("approved by \(admin): \(result)")
      return
    }
    #expect(refusal.description.contains("only the office may"))
  }

  @Test func approvingTwiceIsRefused() {
    #expect(
      members.given([applied, approved]).when(
        .approve(on: Day(2018, 3, 1), administrativeAccount: "a-99", policy: policy, by: .office))
        == .failure(.notAnApplicant(.active)))
  }

  @Test func theOfficeRejectsAnApplicant() {
    #expect(
      members.given([applied]).when(
        .reject(on: Day(2018, 2, 1), reason: "not refugee-serving", by: .office))
        == .success([.rejected(MemberRejected(on: Day(2018, 2, 1), reason: "not refugee-serving"))])
    )
    #expect(
      members.given([]).when(.reject(on: Day(2018, 2, 1), reason: "x", by: .office))
        == .failure(.notApplied))
  }

  @Test func theMembersAdministratorUpdatesItsProfile() {
    var moved = profile
    moved.city = "Hamilton"
    #expect(
      members.given([applied, approved]).when(.updateProfile(moved, by: admin))
        == .success([.profileUpdated(MemberProfileUpdated(profile: moved))]))
  }

  @Test func anotherMembersAdministratorCannotUpdateTheProfile() {
    guard
      case .failure(.notPermitted) = members.given([applied, approved]).when(
        .updateProfile(profile, by: stranger))
    else {
      Issue.record("another member's administrator updated the profile")
      return
    }
  }

  @Test func aRenewalWithinTheTermExtendsIt() {
    #expect(
      members.given([applied, approved]).when(
        .renew(on: Day(2019, 1, 15), policy: policy, by: admin))
        == .success([
          .renewed(
            MembershipRenewed(
              on: Day(2019, 1, 15), termStarts: Day(2018, 2, 1), termEnds: Day(2020, 1, 31),
              startsNewTerm: false))
        ]))
  }

  @Test func aRenewalWithinTheGracePeriodExtendsTheTerm() {
    let result = members.given([applied, approved]).when(
      .renew(on: Day(2019, 3, 20), policy: policy, by: .office))
    guard case .success(let events) = result else {
      Issue.record("\(result)")
      return
    }
    let state = members.given([applied, approved] + events).state
    #expect(state.terms == [MembershipTerm(starts: Day(2018, 2, 1), ends: Day(2020, 1, 31))])
  }

  @Test func aRenewalAfterTheGracePeriodStartsANewTermAndKeepsTheGap() {
    let result = members.given([applied, approved]).when(
      .renew(on: Day(2019, 6, 1), policy: policy, by: admin))
    guard case .success(let events) = result else {
      Issue.record("\(result)")
      return
    }
    #expect(events.first == .lapsed(MembershipLapsed(on: Day(2019, 4, 2))))
    let state = members.given([applied, approved] + events).state
    #expect(state.status == .active)
    #expect(state.joinedOn == Day(2018, 2, 1), "the join date never changes")
    #expect(
      state.terms == [
        MembershipTerm(starts: Day(2018, 2, 1), ends: Day(2019, 1, 31)),
        MembershipTerm(starts: Day(2019, 6, 1), ends: Day(2020, 5, 31)),
      ])
  }

  @Test func aLapseIsRecordedOnlyAfterTheGracePeriod() {
    #expect(
      members.given([applied, approved]).when(.recordLapse(on: Day(2019, 3, 1), by: .office))
        == .failure(.stillInTerm(graceEnds: Day(2019, 4, 1))))
    #expect(
      members.given([applied, approved]).when(.recordLapse(on: Day(2019, 4, 2), by: .office))
        == .success([.lapsed(MembershipLapsed(on: Day(2019, 4, 2)))]))
    guard
      case .failure(.notPermitted) = members.given([applied, approved]).when(
        .recordLapse(on: Day(2019, 5, 1), by: admin))
    else {
      Issue.record("an administrator recorded a lapse")
      return
    }
  }

  @Test func aLapsedMemberRenewsIntoANewTerm() {
    let lapsed = MemberEvent.lapsed(MembershipLapsed(on: Day(2019, 4, 2)))
    #expect(
      members.given([applied, approved, lapsed]).when(
        .renew(on: Day(2019, 9, 1), policy: policy, by: admin))
        == .success([
          .renewed(
            MembershipRenewed(
              on: Day(2019, 9, 1), termStarts: Day(2019, 9, 1), termEnds: Day(2020, 8, 31),
              startsNewTerm: true))
        ]))
  }

  @Test func aMemberWithdrawsAndIsReinstated() {
    let withdrew = MemberEvent.withdrew(MemberWithdrew(on: Day(2018, 9, 1), reason: "closing"))
    #expect(
      members.given([applied, approved]).when(
        .withdraw(on: Day(2018, 9, 1), reason: "closing", by: admin))
        == .success([withdrew]))
    #expect(
      members.given([applied, approved, withdrew]).when(
        .renew(on: Day(2018, 10, 1), policy: policy, by: admin))
        == .failure(.notActive(.withdrawn)))
    #expect(
      members.given([applied, approved, withdrew]).when(
        .reinstate(on: Day(2019, 1, 1), policy: policy, by: .office))
        == .success([
          .reinstated(MemberReinstated(termStarts: Day(2019, 1, 1), termEnds: Day(2019, 12, 31)))
        ]))
    #expect(
      members.given([applied, approved]).when(
        .reinstate(on: Day(2019, 1, 1), policy: policy, by: .office))
        == .failure(.cannotReinstate(.active)))
    #expect(
      members.given([applied, approved, withdrew]).when(
        .reinstate(on: Day(2018, 8, 1), policy: policy, by: .office))
        == .failure(.overlapsPreviousTerm(previousEnd: Day(2018, 9, 1))))
    let state = members.given([applied, approved, withdrew]).state
    #expect(state.terms.last?.ends == Day(2018, 9, 1), "the withdrawal ends the term")
    guard
      case .failure(.notPermitted) = members.given([applied, approved, withdrew]).when(
        .reinstate(on: Day(2019, 1, 1), policy: policy, by: admin))
    else {
      Issue.record("an administrator reinstated")
      return
    }
  }

  @Test func goodStandingFollowsTermAndGrace() {
    let state = members.given([applied, approved]).state
    #expect(state.isInGoodStanding(on: Day(2019, 1, 31)))
    #expect(state.isInGoodStanding(on: Day(2019, 4, 1)))
    #expect(!state.isInGoodStanding(on: Day(2019, 4, 2)))
    #expect(!members.given([applied]).state.isInGoodStanding(on: Day(2018, 1, 11)))
  }

  @Test func everyMemberEventRoundTripsInBinaryAndJSON() throws {
    let events: [MemberEvent] = [
      applied, approved, .rejected(MemberRejected(on: Day(2018, 1, 1), reason: "r")),
      .profileUpdated(MemberProfileUpdated(profile: profile)),
      .renewed(
        MembershipRenewed(
          on: Day(2019, 1, 1), termStarts: Day(2018, 1, 1), termEnds: Day(2020, 1, 1),
          startsNewTerm: false)),
      .lapsed(MembershipLapsed(on: Day(2019, 1, 1))),
      .withdrew(MemberWithdrew(on: Day(2019, 1, 1), reason: "w")),
      .reinstated(MemberReinstated(termStarts: Day(2019, 1, 1), termEnds: Day(2020, 1, 1))),
    ]
    #expect(Set(events.map(\.eventType)) == Set(MemberEvent.eventTypes))
    for event in events {
      try expectRoundTrip(event)
    }
  }
}

@Suite("Members: renewing ahead")
struct MemberRenewalAheadTests {
  @Test func aRenewalCannotExtendATermThatRunsMoreThanATermAhead() {
    let renewed = MemberEvent.renewed(
      MembershipRenewed(
        on: Day(2018, 3, 1), termStarts: Day(2018, 2, 1), termEnds: Day(2020, 1, 31),
        startsNewTerm: false))
    #expect(
      MemberDecider().given([applied, approved, renewed]).when(
        .renew(on: Day(2018, 3, 2), policy: policy, by: admin))
        == .failure(.renewedTooEarly(termEnds: Day(2020, 1, 31))))
  }

  @Test func daysParseAndPrintBeyondTheTimestampRange() {
    #expect(Day("2300-02-28")?.description == "2300-02-28")
    #expect(Day("2018-02-30") == nil)
    #expect(Day(2300, 1, 31).adding(months: 1) == Day(2300, 2, 28))
    #expect(Day(2018, 5, 18).description == "2018-05-18")
  }

  @Test func aDayIsReadOnlyFromTenCharactersDigitsButForTheHyphens() {
    #expect(Day("0000-01-01") == Day(0, 1, 1))
    #expect(Day("9999-12-31") == Day(9999, 12, 31))
    #expect(Day("2016-02-29") == Day(2016, 2, 29))
    for text in [
      "2018-+1-05", "+018-01-05", "2018-1-05", "2018-01-5", " 2018-01-05", "2018-01-05 ",
      "2018/01/05", "2018-00-05", "2018-13-05", "2018-01-00", "2018-01-32", "2017-02-29",
      "２０１８-01-05", "", "2018-01-05T00:00:00Z",
    ] {
      #expect(Day(text) == nil, "\(text)")
    }
  }
}
