import EventLog
import EventLogMacros

// Resolutions (stream `resolution-ID`), from the member guide (`000_e44055bfb5ba5aef.txt`): working
// groups "are responsible for preparing resolutions"; "CCR's policy base is formed by the
// resolutions adopted by the members"; the general meeting is held during national consultations.
// This file was generated once from a field list and is maintained by hand.

/// A member in good standing proposed a resolution through a working group.
@BinaryEvent
public struct ResolutionProposed: CouncilEvent {
  /// The resolution's identifier; its stream is `resolution-` followed by it.
  public var resolution: ResolutionID
  /// The working group it comes through.
  public var workingGroup: WorkingGroupID
  /// The proposing member.
  public var proposer: MemberID
  /// The title as proposed (not empty); amendments change the text, not the title.
  public var title: String
  /// The text as first proposed (not empty); ``ResolutionAmended`` replaces it before the vote.
  public var text: String
  /// The day it was proposed.
  public var on: Day
}

/// The resolution's text was amended before the vote.
@BinaryEvent
public struct ResolutionAmended: CouncilEvent {
  /// The new text.
  public var text: String
  /// The day it was amended.
  public var on: Day
}

/// The general meeting adopted the resolution: it joins the policy base.
@BinaryEvent
public struct ResolutionAdopted: CouncilEvent {
  /// The national consultation whose general meeting voted.
  public var consultation: GatheringID
  /// The day it was adopted.
  public var on: Day
  /// Votes for.
  public var votesFor: Int
  /// Votes against.
  public var votesAgainst: Int
  /// Abstentions.
  public var abstentions: Int
}

/// The general meeting defeated the resolution.
@BinaryEvent
public struct ResolutionDefeated: CouncilEvent {
  /// The national consultation whose general meeting voted.
  public var consultation: GatheringID
  /// The day it was defeated.
  public var on: Day
  /// Votes for.
  public var votesFor: Int
  /// Votes against.
  public var votesAgainst: Int
  /// Abstentions.
  public var abstentions: Int
}

/// The resolution was withdrawn before the vote.
@BinaryEvent
public struct ResolutionWithdrawn: CouncilEvent {
  /// The day it was withdrawn.
  public var on: Day
  /// Why.
  public var reason: String
}

/// Every event of a resolution's stream (`resolution-ID`).
@EventFamily(CouncilEvent.self)
public enum ResolutionEvent: CouncilEventFamily {
  case resolutionProposed(ResolutionProposed)
  case resolutionAmended(ResolutionAmended)
  case resolutionAdopted(ResolutionAdopted)
  case resolutionDefeated(ResolutionDefeated)
  case resolutionWithdrawn(ResolutionWithdrawn)
}
