import EventLog

// Working groups (stream `workinggroup-ID`), from the member guide (`000_e44055bfb5ba5aef.txt`,
// "The Working Groups" and "Working Group Meetings"). This file was generated once from a field
// list and is maintained by hand.

/// The office established a working group.
public struct WorkingGroupEstablished: CouncilEvent {
  /// `WorkingGroupEstablished`.
  public static let eventType = "WorkingGroupEstablished"
  /// The group.
  public var group: WorkingGroupID
  /// Its name, such as `Inland Protection`.
  public var name: String
  /// Its area of the council's work.
  public var mandate: String

  /// Creates the event.
  public init(group: WorkingGroupID, name: String, mandate: String) {
    self.group = group
    self.name = name
    self.mandate = mandate
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(group)
    writer.write(name)
    writer.write(mandate)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      group: try reader.read(WorkingGroupID.self), name: try reader.read(String.self),
      mandate: try reader.read(String.self))
  }
}

/// The office scheduled a meeting of the group.
public struct WorkingGroupMeetingScheduled: CouncilEvent {
  /// `WorkingGroupMeetingScheduled`.
  public static let eventType = "WorkingGroupMeetingScheduled"
  /// The meeting.
  public var meeting: MeetingID
  /// The season, such as `winter` or `summer`.
  public var season: String
  /// Where.
  public var city: String
  /// When.
  public var on: Day

  /// Creates the event.
  public init(meeting: MeetingID, season: String, city: String, on: Day) {
    self.meeting = meeting
    self.season = season
    self.city = city
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(meeting)
    writer.write(season)
    writer.write(city)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      meeting: try reader.read(MeetingID.self), season: try reader.read(String.self),
      city: try reader.read(String.self), on: try reader.read(Day.self))
  }
}

/// The meeting was held.
public struct WorkingGroupMeetingHeld: CouncilEvent {
  /// `WorkingGroupMeetingHeld`.
  public static let eventType = "WorkingGroupMeetingHeld"
  /// The meeting.
  public var meeting: MeetingID
  /// How many took part.
  public var attendance: Int

  /// Creates the event.
  public init(meeting: MeetingID, attendance: Int) {
    self.meeting = meeting
    self.attendance = attendance
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(meeting)
    writer.write(attendance)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(meeting: try reader.read(MeetingID.self), attendance: try reader.read(Int.self))
  }
}

/// Every event of a working group's stream (`workinggroup-ID`).
public enum WorkingGroupEvent: CouncilEventFamily {
  /// See ``WorkingGroupEstablished``.
  case workingGroupEstablished(WorkingGroupEstablished)
  /// See ``WorkingGroupMeetingScheduled``.
  case workingGroupMeetingScheduled(WorkingGroupMeetingScheduled)
  /// See ``WorkingGroupMeetingHeld``.
  case workingGroupMeetingHeld(WorkingGroupMeetingHeld)

  /// Each case's type and how to read it.
  public static let decoders = PayloadDecoders<WorkingGroupEvent>(
    .binary(WorkingGroupEstablished.self, Self.workingGroupEstablished),
    .binary(WorkingGroupMeetingScheduled.self, Self.workingGroupMeetingScheduled),
    .binary(WorkingGroupMeetingHeld.self, Self.workingGroupMeetingHeld))

  /// The payload, whatever the case.
  public var payload: any CouncilEvent {
    switch self {
    case .workingGroupEstablished(let e): return e
    case .workingGroupMeetingScheduled(let e): return e
    case .workingGroupMeetingHeld(let e): return e
    }
  }

  /// The case's type name.
  public var eventType: String { type(of: payload).eventType }

  /// Writes the payload.
  public func encodePayload(to writer: inout BinaryWriter) { payload.encode(to: &writer) }

}
