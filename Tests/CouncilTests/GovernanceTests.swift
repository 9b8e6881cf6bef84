import Council
import CouncilSamples
import EventLog
import Testing

extension WorkingGroupEvent: CouncilEventWrapper { var anyPayload: any CouncilEvent { payload } }
extension ResolutionEvent: CouncilEventWrapper { var anyPayload: any CouncilEvent { payload } }

let inland = WorkingGroupEvent.workingGroupEstablished(CouncilSetup.workingGroups[1])
let proposal = ResolutionProposed(
  resolution: "2018-1", workingGroup: "IP", proposer: "42", title: "Detention of children",
  text: "Resolved that children not be detained.", on: Day(2018, 10, 1))
let proposed = ResolutionEvent.resolutionProposed(proposal)

@Suite("Working groups: given events, when a command, then events or an error")
struct WorkingGroupTests {
  let groups = WorkingGroupDecider()

  @Test func theOfficeEstablishesAGroup() {
    #expect(
      groups.given([]).when(.establish(CouncilSetup.workingGroups[1], by: .office))
        == .success([inland]))
    #expect(
      groups.given([inland]).when(.establish(CouncilSetup.workingGroups[1], by: .office))
        == .failure(.alreadyEstablished))
    guard
      case .failure(.notPermitted) = groups.given([]).when(
        .establish(CouncilSetup.workingGroups[1], by: admin))
    else {
      Issue.record("a member established a working group")
      return
    }
  }

  @Test func meetingsAreHeldTwiceAYear() {
    let winter = WorkingGroupEvent.workingGroupMeetingScheduled(
      WorkingGroupMeetingScheduled(
        meeting: "w18", season: "winter", city: "Toronto", on: Day(2018, 2, 1)))
    let summer = WorkingGroupEvent.workingGroupMeetingScheduled(
      WorkingGroupMeetingScheduled(
        meeting: "s18", season: "summer", city: "Montreal", on: Day(2018, 7, 1)))
    #expect(
      groups.given([inland]).when(
        .scheduleMeeting("w18", season: "winter", city: "Toronto", on: Day(2018, 2, 1), by: .office)
      ) == .success([winter]))
    #expect(
      groups.given([inland, winter, summer]).when(
        .scheduleMeeting("x18", season: "fall", city: "Halifax", on: Day(2018, 10, 1), by: .office))
        == .failure(.twiceAYear(year: 2018)))
    #expect(
      groups.given([]).when(
        .scheduleMeeting("w18", season: "winter", city: "Toronto", on: Day(2018, 2, 1), by: .office)
      ) == .failure(.notEstablished))
    #expect(
      groups.given([inland, winter]).when(.recordMeetingHeld("w18", attendance: 40, by: .office))
        == .success([
          .workingGroupMeetingHeld(WorkingGroupMeetingHeld(meeting: "w18", attendance: 40))
        ]))
    #expect(
      groups.given([
        inland, winter,
        .workingGroupMeetingHeld(WorkingGroupMeetingHeld(meeting: "w18", attendance: 40)),
      ]).when(.recordMeetingHeld("w18", attendance: 1, by: .office))
        == .failure(.alreadyHeld("w18")))
    #expect(
      groups.given([inland]).when(.recordMeetingHeld("zz", attendance: 1, by: .office))
        == .failure(.unknownMeeting("zz")))
  }
}

@Suite("Resolutions: given events, when a command, then events or an error")
struct ResolutionTests {
  let resolutions = ResolutionDecider()

  @Test func aMemberInGoodStandingProposesThroughAWorkingGroup() {
    #expect(
      resolutions.given([]).when(
        .propose(proposal, proposerInGoodStanding: true, workingGroupEstablished: true, by: admin))
        == .success([proposed]))
    #expect(
      resolutions.given([]).when(
        .propose(proposal, proposerInGoodStanding: false, workingGroupEstablished: true, by: admin))
        == .failure(.proposerNotInGoodStanding("42")))
    #expect(
      resolutions.given([]).when(
        .propose(proposal, proposerInGoodStanding: true, workingGroupEstablished: false, by: admin))
        == .failure(.noSuchWorkingGroup("IP")))
    guard
      case .failure(.notPermitted) = resolutions.given([]).when(
        .propose(
          proposal, proposerInGoodStanding: true, workingGroupEstablished: true, by: stranger))
    else {
      Issue.record("another member proposed in member 42's name")
      return
    }
  }

  @Test func aProposalIsAmendedByItsProposer() {
    let amended = ResolutionEvent.resolutionAmended(
      ResolutionAmended(text: "Resolved that no child be detained.", on: Day(2018, 10, 5)))
    #expect(
      resolutions.given([proposed]).when(
        .amend(
          text: "Resolved that no child be detained.", on: Day(2018, 10, 5),
          by: .individual(member: "42", account: "i-1"))) == .success([amended]))
    guard
      case .failure(.notPermitted) = resolutions.given([proposed]).when(
        .amend(text: "x", on: Day(2018, 10, 5), by: stranger))
    else {
      Issue.record("another member amended")
      return
    }
  }

  @Test func theGeneralMeetingAdoptsOrDefeats() {
    #expect(
      resolutions.given([proposed]).when(
        .recordVote(
          consultation: "fall-2018", duringNationalConsultation: true, on: Day(2018, 11, 24),
          votesFor: 80, votesAgainst: 10, abstentions: 5, by: .office))
        == .success([
          .resolutionAdopted(
            ResolutionAdopted(
              consultation: "fall-2018", on: Day(2018, 11, 24), votesFor: 80, votesAgainst: 10,
              abstentions: 5))
        ]))
    #expect(
      resolutions.given([proposed]).when(
        .recordVote(
          consultation: "fall-2018", duringNationalConsultation: true, on: Day(2018, 11, 24),
          votesFor: 10, votesAgainst: 10, abstentions: 5, by: .office))
        == .success([
          .resolutionDefeated(
            ResolutionDefeated(
              consultation: "fall-2018", on: Day(2018, 11, 24), votesFor: 10, votesAgainst: 10,
              abstentions: 5))
        ]))
    #expect(
      resolutions.given([proposed]).when(
        .recordVote(
          consultation: "irrc-2018", duringNationalConsultation: false, on: Day(2018, 6, 8),
          votesFor: 80, votesAgainst: 0, abstentions: 0, by: .office))
        == .failure(.notAtNationalConsultation("irrc-2018")))
    #expect(
      resolutions.given([proposed]).when(
        .recordVote(
          consultation: "fall-2018", duringNationalConsultation: true, on: Day(2018, 11, 24),
          votesFor: -1, votesAgainst: 0, abstentions: 0, by: .office))
        == .failure(.invalidVotes))
    guard
      case .failure(.notPermitted) = resolutions.given([proposed]).when(
        .recordVote(
          consultation: "fall-2018", duringNationalConsultation: true, on: Day(2018, 11, 24),
          votesFor: 1, votesAgainst: 0, abstentions: 0, by: admin))
    else {
      Issue.record("a member recorded a vote")
      return
    }
  }

  @Test func anAdoptedResolutionCanNoLongerChange() {
    let adopted = ResolutionEvent.resolutionAdopted(
      ResolutionAdopted(
        consultation: "fall-2018", on: Day(2018, 11, 24), votesFor: 80, votesAgainst: 10,
        abstentions: 5))
    #expect(
      resolutions.given([proposed, adopted]).when(
        .amend(text: "x", on: Day(2019, 1, 1), by: .office)) == .failure(.decided(.adopted)))
    #expect(
      resolutions.given([proposed, adopted]).when(
        .withdraw(on: Day(2019, 1, 1), reason: "x", by: .office)) == .failure(.decided(.adopted)))
    #expect(
      resolutions.given([proposed, adopted]).when(
        .recordVote(
          consultation: "s", duringNationalConsultation: true, on: Day(2019, 5, 1), votesFor: 0,
          votesAgainst: 9, abstentions: 0, by: .office)) == .failure(.decided(.adopted)))
  }

  @Test func aProposalIsWithdrawnBeforeTheVote() {
    let withdrawn = ResolutionEvent.resolutionWithdrawn(
      ResolutionWithdrawn(on: Day(2018, 11, 1), reason: "merged"))
    #expect(
      resolutions.given([proposed]).when(
        .withdraw(on: Day(2018, 11, 1), reason: "merged", by: admin)) == .success([withdrawn]))
    #expect(
      resolutions.given([proposed, withdrawn]).when(
        .amend(text: "x", on: Day(2018, 11, 2), by: admin)) == .failure(.decided(.withdrawn)))
  }

  @Test func everyGovernanceEventRoundTrips() throws {
    let groups: [WorkingGroupEvent] = [
      inland,
      .workingGroupMeetingScheduled(
        WorkingGroupMeetingScheduled(
          meeting: "m", season: "winter", city: "Toronto", on: Day(2018, 2, 1))),
      .workingGroupMeetingHeld(WorkingGroupMeetingHeld(meeting: "m", attendance: 3)),
    ]
    #expect(Set(groups.map(\.eventType)) == Set(WorkingGroupEvent.eventTypes))
    for event in groups { try expectRoundTrip(event) }
    let resolutions: [ResolutionEvent] = [
      proposed, .resolutionAmended(ResolutionAmended(text: "t", on: Day(2018, 1, 1))),
      .resolutionAdopted(
        ResolutionAdopted(
          consultation: "c", on: Day(2018, 1, 1), votesFor: 3, votesAgainst: 1, abstentions: 0)),
      .resolutionDefeated(
        ResolutionDefeated(
          consultation: "c", on: Day(2018, 1, 1), votesFor: 1, votesAgainst: 3, abstentions: 0)),
      .resolutionWithdrawn(ResolutionWithdrawn(on: Day(2018, 1, 1), reason: "r")),
    ]
    #expect(Set(resolutions.map(\.eventType)) == Set(ResolutionEvent.eventTypes))
    for event in resolutions { try expectRoundTrip(event) }
  }

  @Test(arguments: [1, 2, 3] as [UInt64])
  func randomCommandsNeverChangeADecidedResolution(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    let issuers: [Issuer] = [.office, admin, stranger, .individual(member: "42", account: "i")]
    var state = resolutions.initialState
    var decidedText: String?
    for _ in 0..<3000 {
      let issuer = issuers[Int(random.next() % 4)]
      let command: ResolutionCommand
      switch random.next() % 4 {
      case 0:
        command = .propose(
          proposal, proposerInGoodStanding: random.next() % 2 == 0, workingGroupEstablished: true,
          by: issuer)
      case 1:
        command = .amend(text: "text \(random.next() % 100)", on: Day(2018, 10, 2), by: issuer)
      case 2:
        command = .recordVote(
          consultation: "c", duringNationalConsultation: random.next() % 3 != 0,
          on: Day(2018, 11, 24), votesFor: Int(random.next() % 50),
          votesAgainst: Int(random.next() % 50), abstentions: Int(random.next() % 5), by: issuer)
      default: command = .withdraw(on: Day(2018, 10, 3), reason: "r", by: issuer)
      }
      guard let events = try? resolutions.decide(command, state: state) else { continue }
      state = resolutions.fold(events, from: state)
      if let decidedText { #expect(state.text == decidedText, "a decided resolution changed") }
      if [.adopted, .defeated, .withdrawn].contains(state.status) {
        decidedText = decidedText ?? state.text
      }
    }
  }
}
