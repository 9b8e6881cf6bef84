import EventLog
import EventLogMacros

// Working groups (stream `workinggroup-ID`), from the member guide (`000_e44055bfb5ba5aef.txt`,
// "The Working Groups" and "Working Group Meetings"). This file was generated once from a field
// list and is maintained by hand.

/// The office established a working group.
@BinaryEvent
public struct WorkingGroupEstablished: CouncilEvent {
  /// The group's identifier; its stream is `workinggroup-` followed by it.
  public var group: WorkingGroupID
  /// Its name, such as `Inland Protection`.
  public var name: String
  /// Its area of the council's work.
  public var mandate: String
}

/// The office scheduled a meeting of the group.
@BinaryEvent
public struct WorkingGroupMeetingScheduled: CouncilEvent {
  /// The meeting's identifier, not yet used in this group.
  public var meeting: MeetingID
  /// The season, such as `winter` or `summer`.
  public var season: String
  /// Where.
  public var city: String
  /// When.
  public var on: Day
}

/// The meeting was held.
@BinaryEvent
public struct WorkingGroupMeetingHeld: CouncilEvent {
  /// The scheduled meeting, which had not been recorded as held.
  public var meeting: MeetingID
  /// How many took part.
  public var attendance: Int
}

/// Every event of a working group's stream (`workinggroup-ID`).
@EventFamily(CouncilEvent.self)
public enum WorkingGroupEvent: CouncilEventFamily {
  case workingGroupEstablished(WorkingGroupEstablished)
  case workingGroupMeetingScheduled(WorkingGroupMeetingScheduled)
  case workingGroupMeetingHeld(WorkingGroupMeetingHeld)
}
