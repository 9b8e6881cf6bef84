import EventLog

/// Where a resolution stands.
public enum ResolutionStatus: String, JSONReadable, Sendable, Hashable, Codable, JSONWritable {
  /// Not proposed.
  case none
  /// Proposed, awaiting the general meeting's vote.
  case proposed
  /// Adopted: part of the policy base, and final.
  case adopted
  /// Defeated: final.
  case defeated
  /// Withdrawn: final.
  case withdrawn
}

/// What a resolution's stream folds to.
public struct ResolutionState: Sendable, Hashable {
  /// The proposal, once made.
  public var proposal: ResolutionProposed?
  /// The current text.
  public var text: String?
  /// Where it stands.
  public var status: ResolutionStatus = .none

  /// What a stream with no events folds to: the same as ``ResolutionDecider/initialState``.
  public init() {}
}

/// What may be asked of a resolution.
public enum ResolutionCommand: Sendable {
  /// A member in good standing (through any of its accounts) or the office proposes it
  /// through an established working group; the service supplies both facts.
  case propose(
    ResolutionProposed, proposerInGoodStanding: Bool, workingGroupEstablished: Bool, by: Issuer)
  /// The proposer's accounts or the office amend it while proposed.
  case amend(text: String, on: Day, by: Issuer)
  /// The office records the general meeting's vote, held during a national consultation.
  case recordVote(
    consultation: GatheringID, duringNationalConsultation: Bool, on: Day, votesFor: Int,
    votesAgainst: Int, abstentions: Int, by: Issuer)
  /// The proposer's accounts or the office withdraw it while proposed.
  case withdraw(on: Day, reason: String, by: Issuer)
}

/// Why a resolution command was refused.
public enum ResolutionError: Error, Hashable, Sendable {
  /// The issuer may not issue this command.
  case notPermitted(NotPermitted)
  /// Proposed already.
  case alreadyProposed
  /// Not proposed.
  case notProposed
  /// Only members in good standing propose.
  case proposerNotInGoodStanding(MemberID)
  /// Resolutions come through an established working group.
  case noSuchWorkingGroup(WorkingGroupID)
  /// The resolution was decided (`status`): an adopted resolution is part of the policy base
  /// and can no longer change.
  case decided(ResolutionStatus)
  /// Votes are taken at the general meeting of a national consultation.
  case notAtNationalConsultation(GatheringID)
  /// Vote counts cannot be negative.
  case invalidVotes
  /// The text is empty.
  case emptyText
}

/// The rules of resolutions: proposed through a working group by a member in good standing,
/// amended, voted at a general meeting or withdrawn; an adopted resolution never changes.
public struct ResolutionDecider: Decider {
  /// The decider keeps nothing between calls: one value serves every stream.
  public init() {}

  /// A stream with no events.
  public var initialState: ResolutionState { ResolutionState() }

  /// Decides a resolution command.
  public func decide(_ command: ResolutionCommand, state: ResolutionState) throws(ResolutionError)
    -> [ResolutionEvent]
  {
    switch command {
    case .propose(let proposal, let standing, let groupExists, let issuer):
      guard issuer.isOffice || issuer.acts(for: proposal.proposer) else {
        throw .notPermitted(
          NotPermitted(
            issuer, "propose for member \(proposal.proposer)",
            allowed: "the member's accounts or the office"))
      }
      guard state.status == .none else { throw .alreadyProposed }
      guard groupExists else { throw .noSuchWorkingGroup(proposal.workingGroup) }
      guard standing else { throw .proposerNotInGoodStanding(proposal.proposer) }
      guard !proposal.text.isEmpty, !proposal.title.isEmpty else { throw .emptyText }
      return [.resolutionProposed(proposal)]
    case .amend(let text, let day, let issuer):
      let proposal = try open(state)
      try proposerOrOffice(issuer, proposal, "amend the resolution")
      guard !text.isEmpty else { throw .emptyText }
      return [.resolutionAmended(ResolutionAmended(text: text, on: day))]
    case .recordVote(
      let consultation, let national, let day, let votesFor, let against, let abstentions,
      let issuer):
      guard issuer.isOffice else {
        throw .notPermitted(NotPermitted(issuer, "record a vote", allowed: "the office"))
      }
      _ = try open(state)
      guard national else { throw .notAtNationalConsultation(consultation) }
      guard votesFor >= 0, against >= 0, abstentions >= 0 else { throw .invalidVotes }
      return votesFor > against
        ? [
          .resolutionAdopted(
            ResolutionAdopted(
              consultation: consultation, on: day, votesFor: votesFor, votesAgainst: against,
              abstentions: abstentions))
        ]
        : [
          .resolutionDefeated(
            ResolutionDefeated(
              consultation: consultation, on: day, votesFor: votesFor, votesAgainst: against,
              abstentions: abstentions))
        ]
    case .withdraw(let day, let reason, let issuer):
      let proposal = try open(state)
      try proposerOrOffice(issuer, proposal, "withdraw the resolution")
      return [.resolutionWithdrawn(ResolutionWithdrawn(on: day, reason: reason))]
    }
  }

  /// Folds one event into the state.
  public func evolve(_ state: ResolutionState, _ event: ResolutionEvent) -> ResolutionState {
    var state = state
    switch event {
    case .resolutionProposed(let e):
      state.proposal = e
      state.text = e.text
      state.status = .proposed
    case .resolutionAmended(let e): state.text = e.text
    case .resolutionAdopted: state.status = .adopted
    case .resolutionDefeated: state.status = .defeated
    case .resolutionWithdrawn: state.status = .withdrawn
    }
    return state
  }

  private func open(_ state: ResolutionState) throws(ResolutionError) -> ResolutionProposed {
    guard let proposal = state.proposal else { throw .notProposed }
    guard state.status == .proposed else { throw .decided(state.status) }
    return proposal
  }

  private func proposerOrOffice(_ issuer: Issuer, _ proposal: ResolutionProposed, _ action: String)
    throws(ResolutionError)
  {
    guard issuer.isOffice || issuer.acts(for: proposal.proposer) else {
      throw .notPermitted(
        NotPermitted(issuer, action, allowed: "the proposing member's accounts or the office"))
    }
  }
}
