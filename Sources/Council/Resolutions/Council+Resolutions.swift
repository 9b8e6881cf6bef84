import EventLog

extension Council {
  /// A resolution's state.
  public func resolution(_ id: ResolutionID) async throws -> ResolutionState {
    try await load(ResolutionDecider(), Streams.resolution(id)).state
  }

  /// A member proposes a resolution through a working group; the service looks up whether the
  /// member is in good standing and the working group established.
  public func propose(_ proposal: ResolutionProposed, by issuer: Issuer) async throws {
    let standing = try await member(proposal.proposer).isInGoodStanding(on: proposal.on)
    let group = try await workingGroup(proposal.workingGroup).established != nil
    try await run(
      ResolutionDecider(),
      .propose(
        proposal, proposerInGoodStanding: standing, workingGroupEstablished: group, by: issuer),
      on: Streams.resolution(proposal.resolution), by: issuer)
  }

  /// Amends a proposed resolution.
  public func amendResolution(
    _ resolution: ResolutionID, text: String, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    try await run(
      ResolutionDecider(), .amend(text: text, on: day ?? today, by: issuer),
      on: Streams.resolution(resolution), by: issuer)
  }

  /// The office records the general meeting's vote; the service checks that the gathering is a
  /// national consultation.
  public func recordVote(
    _ resolution: ResolutionID, at consultation: GatheringID, on day: Day, votesFor: Int,
    votesAgainst: Int, abstentions: Int, by issuer: Issuer
  ) async throws {
    let national = try await gathering(consultation).scheduled?.kind == .nationalConsultation
    try await run(
      ResolutionDecider(),
      .recordVote(
        consultation: consultation, duringNationalConsultation: national, on: day,
        votesFor: votesFor,
        votesAgainst: votesAgainst, abstentions: abstentions, by: issuer),
      on: Streams.resolution(resolution), by: issuer)
  }

  /// Withdraws a proposed resolution.
  public func withdrawResolution(
    _ resolution: ResolutionID, reason: String, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    try await run(
      ResolutionDecider(), .withdraw(on: day ?? today, reason: reason, by: issuer),
      on: Streams.resolution(resolution),
      by: issuer)
  }
}
