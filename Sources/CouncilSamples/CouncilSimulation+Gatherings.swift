import Council
import EventLog

extension CouncilSimulation {
  /// Issues about `commands` commands of every kind: membership and accounts day by day, and
  /// twice a year (spring and fall) a national consultation with its registrations,
  /// cancellations, waitlist, exceptions, attendance, sessions and evaluations, fund
  /// applications for it, and resolutions voted at its general meeting.
  ///
  /// The council must have been set up with ``CouncilSetup/recordSeedCouncil(in:)`` (or its
  /// working groups and fund in the same shape).
  public mutating func runCouncil(commands: Int) async throws -> Outcome {
    var outcome = Outcome()
    var done = 0
    while done < commands {
      let chunk = min(50, commands - done)
      let step = try await runMembership(commands: chunk)
      outcome.accepted += step.accepted
      outcome.refused += step.refused
      done += chunk
      let (year, month, _) = day.components
      let season = month >= 9 ? "fall" : (month >= 4 ? "spring" : nil)
      if let season, !consultationsHeld.contains("\(season)-\(year)") {
        consultationsHeld.insert("\(season)-\(year)")
        let step = try await runConsultation(GatheringID("\(season)-\(year)"), season: season)
        outcome.accepted += step.accepted
        outcome.refused += step.refused
        done += step.accepted + step.refused
      }
    }
    return outcome
  }

  private mutating func runConsultation(_ id: GatheringID, season: String) async throws -> Outcome {
    var outcome = Outcome()
    let opens = day
    let starts = day.adding(days: 45)
    let capacity = 30 + Int(next() % 90)
    let requiresApproval = next() % 4 == 0
    let office = Issuer.office
    // Each command is recorded at 11:00 on its day, or later when the simulated now has
    // passed that already (the steps below are not all in the order of their days).
    func at(_ day: Day) -> Council {
      council(at: day.start.advanced(byMinutes: 11 * 60))
    }
    var session = try await at(opens).handler(GatheringDecider()).session(on: Streams.gathering(id))
    func attempt(_ day: Day, _ command: GatheringCommand) async throws {
      session = StreamSession(copying: session, handler: at(day).handler(GatheringDecider()))
      do {
        try await session.handle(command, context: CommandContext(actor: office.description))
        outcome.accepted += 1
      } catch is GatheringError {
        outcome.refused += 1
      }
    }
    let city = pick(Self.cities)
    try await attempt(
      opens,
      .schedule(
        GatheringScheduled(
          gathering: id, kind: .nationalConsultation, season: season,
          name: "National consultation, \(season)",
          city: city, country: "Canada", starts: starts, ends: starts.adding(days: 2),
          capacity: capacity,
          languages: ["en", "fr"], requiresApproval: requiresApproval, offerDays: 4),
        by: office))
    try await attempt(opens, .openRegistration(on: opens, by: office))
    try? await at(opens).setBudget(
      of: CouncilSetup.fund.fund, for: id, amount: 50_000 * (1 + Int(next() % 4)), by: office)

    // Registrations, some beyond capacity; approvals where needed; exceptions after closing.
    let people = capacity + Int(next() % 40)
    for index in 0..<people {
      let registration = RegistrationID("\(id)-r\(index)")
      let foreign = next() % 12 == 0
      let participant = Participant(
        name: "Participant \(index)", organization: "Organization \(next() % 200)",
        country: foreign
          ? pick(["United States", "Mexico", "Colombia", "Kenya", "France"]) : "Canada",
        rate: next() % 3 == 0 ? .nonMember : .member, refugee: next() % 6 == 0,
        youth: next() % 8 == 0,
        funded: next() % 10 == 0)
      let registrationDay = opens.adding(days: index * 40 / max(1, people))
      try await attempt(
        registrationDay, .register(registration, participant, on: registrationDay, by: office))
      if requiresApproval {
        try await attempt(
          registrationDay,
          next() % 8 == 0
            ? .reject(registration, on: registrationDay, reason: "incomplete", by: office)
            : .approve(registration, on: registrationDay, by: office))
      }
      if index % 25 == 24 {
        try await attempt(
          registrationDay,
          .admitException(
            RegistrationID("\(id)-x\(index)"), participant, on: registrationDay, reason: "speaker",
            by: office))
      }
    }
    // Cancellations; offers accepted or left to lapse.
    for _ in 0..<(capacity / 10) {
      let registration = RegistrationID("\(id)-r\(next() % UInt64(capacity))")
      let cancelDay = opens.adding(days: 40)
      try await attempt(cancelDay, .cancel(registration, on: cancelDay, by: office))
    }
    for (registration, record) in session.state.registrations.sorted(by: { $0.key < $1.key })
    where record.status == .offered {
      if next() % 3 == 0 {
        try await attempt(
          opens.adding(days: 44),
          .recordLapsedOffer(registration, on: opens.adding(days: 44), by: office))
      } else {
        try await attempt(
          opens.adding(days: 41), .acceptOffer(registration, on: opens.adding(days: 41), by: office)
        )
      }
    }
    // Sessions, attendance, outcomes, evaluations.
    let kinds: [SessionKind] = [
      .plenary, .workshop, .workshop, .workshop, .caucus, .workingGroupMeeting, .generalMeeting,
    ]
    for (index, kind) in kinds.enumerated() {
      try await attempt(
        starts,
        .scheduleSession(
          SessionID("\(id)-s\(index)"), kind: kind, title: "\(kind.rawValue) \(index)",
          on: starts.adding(days: index % 3), interpretation: ["en", "fr"], by: office))
    }
    try await attempt(
      starts,
      .recordOutcome(
        SessionID("\(id)-s1"), category: pick(OutcomeCategory.allCases), text: "An outcome",
        by: office))
    try await attempt(
      starts, .defineEvaluation(["Useful", "Well organized", "Good networking"], by: office))
    for (registration, record) in session.state.registrations.sorted(by: { $0.key < $1.key })
    where record.status == .confirmed || record.status == .exception {
      if next() % 15 == 0 {
        try await attempt(
          starts.adding(days: 2),
          .recordNoShow(registration, on: starts.adding(days: 2), by: office))
        continue
      }
      try await attempt(starts, .checkIn(registration, on: starts, by: office))
      if next() % 3 == 0 {
        let answers = (0..<3).map { _ in Int(next() % 6) }
        try await attempt(
          starts.adding(days: 2),
          .evaluate(
            registration, answers: answers,
            comment: next() % 4 == 0 ? "Comment \(registration)" : nil, by: office))
      }
    }

    // Fund applications for this consultation, and their decisions.
    for index in 0..<(3 + Int(next() % 5)) {
      let number = Int(next() % UInt64(members))
      let member = MemberID("\(number)")
      let administrator = Issuer.memberAdministrator(member: member, account: "admin-\(number)")
      let application = ApplicationID("\(id)-a\(index)")
      let requested = 10_000 * (1 + Int(next() % 6))
      let council = at(opens.adding(days: 5))
      do {
        try await council.submit(
          ApplicationSubmitted(
            application: application, fund: CouncilSetup.fund.fund,
            component: next() % 4 == 0 ? "leadership" : "participation",
            candidate: "Candidate \(index)",
            supportingMember: member, consultation: id, year: opens.components.year,
            requestedAmount: requested,
            on: opens.adding(days: 5)),
          by: administrator)
        outcome.accepted += 1
        switch next() % 5 {
        case 0:
          try await council.declineApplication(
            application, reason: "outside the criteria", by: office)
        case 1:
          try await council.requestInformation(application, question: "Which sessions?", by: office)
        default:
          try await council.approveApplication(
            application, amount: requested - Int(next() % 2) * 5_000,
            reason: "priority to refugee leadership", by: office)
          if next() % 4 == 0 {
            try await council.withdrawApplication(
              application, reason: "candidate could not travel", by: administrator)
          } else {
            try await council.payApplication(application, amount: requested / 2, by: office)
          }
        }
        outcome.accepted += 1
      } catch is FundError {
        outcome.refused += 1
      } catch is MemberError {
        outcome.refused += 1
      }
    }

    // Resolutions proposed through working groups, voted at the general meeting.
    for index in 0..<(1 + Int(next() % 4)) {
      let number = Int(next() % UInt64(members))
      let member = MemberID("\(number)")
      let administrator = Issuer.memberAdministrator(member: member, account: "admin-\(number)")
      let resolution = ResolutionID("\(id)-res\(index)")
      let council = at(opens.adding(days: 10))
      do {
        try await council.propose(
          ResolutionProposed(
            resolution: resolution, workingGroup: pick(CouncilSetup.workingGroups).group,
            proposer: member,
            title: "Resolution \(index) of \(id)", text: "Resolved that …",
            on: opens.adding(days: 10)),
          by: administrator)
        outcome.accepted += 1
        if next() % 5 == 0 {
          try await council.withdrawResolution(resolution, reason: "merged", by: administrator)
        } else {
          if next() % 3 == 0 {
            try await council.amendResolution(
              resolution, text: "Resolved, as amended, that …", by: administrator)
          }
          let votesFor = Int(next() % 80)
          try await at(starts.adding(days: 1)).recordVote(
            resolution, at: id, on: starts.adding(days: 1), votesFor: votesFor,
            votesAgainst: Int(next() % 60),
            abstentions: Int(next() % 10), by: office)
        }
        outcome.accepted += 1
      } catch is ResolutionError {
        outcome.refused += 1
      }
    }
    // Membership carries on after the consultation: its commands are not recorded earlier
    // than the consultation's last one.
    catchUpDay()
    return outcome
  }
}
