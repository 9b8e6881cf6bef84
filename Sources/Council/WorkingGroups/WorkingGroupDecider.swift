import EventLog

/// What a working group's stream folds to.
public struct WorkingGroupState: Sendable, Hashable {
  /// The group, once established.
  public var established: WorkingGroupEstablished?
  /// Every meeting scheduled, held or not; a meeting ID is used once per group.
  public var meetings: [MeetingID: ScheduledMeeting] = [:]

  /// A meeting's day and whether it was held.
  public struct ScheduledMeeting: Sendable, Hashable {
    /// The day it is (or was) held.
    public var day: Day
    /// Whether it was held.
    public var held: Bool
  }

  /// What a stream with no events folds to: the same as ``WorkingGroupDecider/initialState``.
  public init() {}

  /// Meetings scheduled in a calendar year.
  public func meetings(in year: Int) -> Int {
    meetings.values.filter { $0.day.components.year == year }.count
  }
}

/// What may be asked of a working group.
public enum WorkingGroupCommand: Sendable {
  /// The office establishes the group.
  case establish(WorkingGroupEstablished, by: Issuer)
  /// The office schedules a meeting.
  case scheduleMeeting(MeetingID, season: String, city: String, on: Day, by: Issuer)
  /// The office records that a meeting was held.
  case recordMeetingHeld(MeetingID, attendance: Int, by: Issuer)
}

/// Why a working-group command was refused.
public enum WorkingGroupError: Error, Hashable, Sendable {
  /// The issuer may not issue this command.
  case notPermitted(NotPermitted)
  /// Established already.
  case alreadyEstablished
  /// Not established.
  case notEstablished
  /// A meeting with this identifier exists already.
  case duplicateMeeting(MeetingID)
  /// No such meeting.
  case unknownMeeting(MeetingID)
  /// The meeting was held already.
  case alreadyHeld(MeetingID)
  /// "Working Group meetings are held twice a year": a third in `year` is refused.
  case twiceAYear(year: Int)
  /// Attendance cannot be negative.
  case invalidAttendance
}

/// The rules of working groups: established by the office, meeting twice a year.
public struct WorkingGroupDecider: Decider {
  /// The decider keeps nothing between calls: one value serves every stream.
  public init() {}

  /// A stream with no events.
  public var initialState: WorkingGroupState { WorkingGroupState() }

  /// Decides a working-group command.
  public func decide(_ command: WorkingGroupCommand, state: WorkingGroupState)
    throws(WorkingGroupError)
    -> [WorkingGroupEvent]
  {
    switch command {
    case .establish(let event, let issuer):
      guard issuer.isOffice else {
        throw .notPermitted(
          NotPermitted(issuer, "establish a working group", allowed: "the office"))
      }
      guard state.established == nil else { throw .alreadyEstablished }
      return [.workingGroupEstablished(event)]
    case .scheduleMeeting(let meeting, let season, let city, let day, let issuer):
      guard issuer.isOffice else {
        throw .notPermitted(NotPermitted(issuer, "schedule a meeting", allowed: "the office"))
      }
      guard state.established != nil else { throw .notEstablished }
      guard state.meetings[meeting] == nil else { throw .duplicateMeeting(meeting) }
      guard state.meetings(in: day.components.year) < 2 else {
        throw .twiceAYear(year: day.components.year)
      }
      return [
        .workingGroupMeetingScheduled(
          WorkingGroupMeetingScheduled(meeting: meeting, season: season, city: city, on: day))
      ]
    case .recordMeetingHeld(let meeting, let attendance, let issuer):
      guard issuer.isOffice else {
        throw .notPermitted(NotPermitted(issuer, "record a meeting", allowed: "the office"))
      }
      guard let scheduled = state.meetings[meeting] else { throw .unknownMeeting(meeting) }
      guard !scheduled.held else { throw .alreadyHeld(meeting) }
      guard attendance >= 0 else { throw .invalidAttendance }
      return [
        .workingGroupMeetingHeld(WorkingGroupMeetingHeld(meeting: meeting, attendance: attendance))
      ]
    }
  }

  /// Folds one event into the state.
  public func evolve(_ state: WorkingGroupState, _ event: WorkingGroupEvent) -> WorkingGroupState {
    var state = state
    switch event {
    case .workingGroupEstablished(let e): state.established = e
    case .workingGroupMeetingScheduled(let e):
      state.meetings[e.meeting] = .init(day: e.on, held: false)
    case .workingGroupMeetingHeld(let e): state.meetings[e.meeting]?.held = true
    }
    return state
  }
}
