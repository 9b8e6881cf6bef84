import EventLog

extension Council {
  /// A working group's state.
  public func workingGroup(_ id: WorkingGroupID) async throws -> WorkingGroupState {
    try await load(WorkingGroupDecider(), Streams.workingGroup(id)).state
  }

  /// The office establishes a working group.
  public func establishWorkingGroup(_ group: WorkingGroupEstablished, by issuer: Issuer)
    async throws
  {
    try await run(
      WorkingGroupDecider(), .establish(group, by: issuer), on: Streams.workingGroup(group.group),
      by: issuer)
  }

  /// The office schedules a working-group meeting.
  public func scheduleMeeting(
    _ meeting: MeetingID, of group: WorkingGroupID, season: String, city: String, on day: Day,
    by issuer: Issuer
  ) async throws {
    try await run(
      WorkingGroupDecider(),
      .scheduleMeeting(meeting, season: season, city: city, on: day, by: issuer),
      on: Streams.workingGroup(group), by: issuer)
  }

  /// The office records that a meeting was held.
  public func recordMeetingHeld(
    _ meeting: MeetingID, of group: WorkingGroupID, attendance: Int, by issuer: Issuer
  )
    async throws
  {
    try await run(
      WorkingGroupDecider(), .recordMeetingHeld(meeting, attendance: attendance, by: issuer),
      on: Streams.workingGroup(group), by: issuer)
  }
}
