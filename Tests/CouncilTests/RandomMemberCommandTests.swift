import Council
import EventLog
import Testing

/// What must hold of every member state, whatever commands came before.
func memberInvariantViolations(_ state: MemberState) -> [String] {
  var problems: [String] = []
  if state.status == .active || state.status == .lapsed || state.status == .withdrawn {
    if state.joinedOn == nil { problems.append("a member without a join date") }
    if state.terms.isEmpty { problems.append("a member without a term") }
    if state.administrativeAccount == nil {
      problems.append("a member without an administrative account")
    }
  }
  for term in state.terms where term.ends < term.starts {
    problems.append("a term ending before it starts")
  }
  for (earlier, later) in zip(state.terms, state.terms.dropFirst())
  where later.starts <= earlier.ends {
    problems.append("overlapping terms \(earlier) and \(later)")
  }
  if let joined = state.joinedOn, let first = state.terms.first, first.starts != joined {
    problems.append("the first term does not start on the join date")
  }
  return problems
}

@Suite("Random member and account commands")
struct RandomMemberCommandTests {
  @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
  func randomCommandsNeverBreakAMember(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    let decider = MemberDecider()
    let issuers: [Issuer] = [
      .office, admin, stranger, .publicPerson(name: "p"), .individual(member: "42", account: "i"),
    ]
    var state = decider.initialState
    var history: [MemberEvent] = []
    var day = Day(2018, 1, 1)
    var joinedOn: Day?
    for _ in 0..<3000 {
      day = day.adding(days: Int(random.next() % 40))
      let issuer = issuers[Int(random.next() % UInt64(issuers.count))]
      let policy = MembershipPolicy(
        termMonths: 1 + Int(random.next() % 24), graceDays: Int(random.next() % 90))
      let command: MemberCommand
      switch random.next() % 8 {
      case 0: command = .apply("42", profile, on: day, by: issuer)
      case 1: command = .approve(on: day, administrativeAccount: "a-42", policy: policy, by: issuer)
      case 2: command = .reject(on: day, reason: "r", by: issuer)
      case 3: command = .updateProfile(profile, by: issuer)
      case 4: command = .renew(on: day, policy: policy, by: issuer)
      case 5: command = .recordLapse(on: day, by: issuer)
      case 6: command = .withdraw(on: day, reason: "w", by: issuer)
      default: command = .reinstate(on: day, policy: policy, by: issuer)
      }
      guard let events = try? decider.decide(command, state: state) else { continue }
      history += events
      state = decider.fold(events, from: state)
      #expect(memberInvariantViolations(state) == [], "after \(command)")
      if let first = joinedOn { #expect(state.joinedOn == first, "the join date changed") }
      joinedOn = joinedOn ?? state.joinedOn
    }
    #expect(decider.fold(history) == state, "the state folds back from the history")
    #expect(history.count > 10, "the random walk did something")
  }

  @Test(arguments: [11, 12, 13] as [UInt64])
  func randomCommandsNeverBreakAnAccount(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    let decider = AccountDecider()
    let issuers: [Issuer] = [
      .office, admin, stranger, .publicPerson(name: "p"), .individual(member: "42", account: "i-1"),
    ]
    let lists = [mailings, chronicle, ccrlist]
    var state = decider.initialState
    for _ in 0..<2000 {
      let issuer = issuers[Int(random.next() % UInt64(issuers.count))]
      let list = lists[Int(random.next() % 3)]
      let command: AccountCommand
      switch random.next() % 5 {
      case 0:
        command = .createAdministrative(
          "a-42", member: "42", name: "n", email: "a@b.org", on: Day(2018, 1, 1), by: issuer)
      case 1:
        command = .createIndividual(
          "i-1", member: "42", name: "n", email: "i@b.org", role: .staff, on: Day(2018, 1, 1),
          memberInGoodStanding: random.next() % 2 == 0, by: issuer)
      case 2: command = .deactivate(on: Day(2018, 1, 1), reason: "r", by: issuer)
      case 3: command = .subscribe(list, on: Day(2018, 1, 1), by: issuer)
      default: command = .unsubscribe(list.id, on: Day(2018, 1, 1), by: issuer)
      }
      guard let events = try? decider.decide(command, state: state) else { continue }
      state = decider.fold(events, from: state)
      if state.deactivated {
        #expect(state.subscriptions.isEmpty, "a deactivated account receives mail")
      }
      if state.account != nil { #expect(state.member != nil && state.email != nil) }
      #expect(
        !(state.isAdministrative && state.role != nil),
        "an account both administrative and individual")
    }
  }
}
