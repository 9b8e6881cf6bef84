import EventLog

extension Council {
  /// A gathering's current state.
  public func gathering(_ id: GatheringID) async throws -> GatheringState {
    try await load(GatheringDecider(), Streams.gathering(id)).state
  }

  /// Runs a gathering command on the gathering's stream.
  @discardableResult
  public func run(_ command: GatheringCommand, on gathering: GatheringID, by issuer: Issuer)
    async throws -> CommandOutcome<GatheringDecider>
  {
    try await run(GatheringDecider(), command, on: Streams.gathering(gathering), by: issuer)
  }

  /// The office schedules a national consultation or a conference.
  public func schedule(_ gathering: GatheringScheduled, by issuer: Issuer) async throws {
    try await run(.schedule(gathering, by: issuer), on: gathering.gathering, by: issuer)
  }

  /// Registers a participant: confirmed, awaiting approval, or (after closing) waitlisted.
  public func register(
    _ registration: RegistrationID, _ participant: Participant, at gathering: GatheringID,
    on day: Day? = nil, by issuer: Issuer
  ) async throws {
    try await run(
      .register(registration, participant, on: day ?? today, by: issuer), on: gathering, by: issuer)
  }

  /// Cancels a registration; a freed place is offered to the first on the waitlist.
  public func cancel(
    _ registration: RegistrationID, at gathering: GatheringID, on day: Day? = nil, by issuer: Issuer
  ) async throws {
    try await run(.cancel(registration, on: day ?? today, by: issuer), on: gathering, by: issuer)
  }

  /// Checks a participant in.
  public func checkIn(
    _ registration: RegistrationID, at gathering: GatheringID, on day: Day, by issuer: Issuer
  ) async throws {
    try await run(.checkIn(registration, on: day, by: issuer), on: gathering, by: issuer)
  }

  /// Records a participant's evaluation.
  public func evaluate(
    _ registration: RegistrationID, at gathering: GatheringID, answers: [Int], comment: String?,
    by issuer: Issuer
  ) async throws {
    try await run(
      .evaluate(registration, answers: answers, comment: comment, by: issuer), on: gathering,
      by: issuer)
  }
}
