import EventLog

// Resolutions (stream `resolution-ID`), from the member guide (`000_e44055bfb5ba5aef.txt`): working
// groups "are responsible for preparing resolutions"; "CCR's policy base is formed by the
// resolutions adopted by the members"; the general meeting is held during national consultations.
// This file was generated once from a field list and is maintained by hand.

/// A member in good standing proposed a resolution through a working group.
public struct ResolutionProposed: CouncilEvent {
  /// `ResolutionProposed`.
  public static let eventType = "ResolutionProposed"
  /// The resolution.
  public var resolution: ResolutionID
  /// The working group it comes through.
  public var workingGroup: WorkingGroupID
  /// The proposing member.
  public var proposer: MemberID
  /// Its title.
  public var title: String
  /// Its text.
  public var text: String
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(
    resolution: ResolutionID, workingGroup: WorkingGroupID, proposer: MemberID, title: String,
    text: String, on: Day
  ) {
    self.resolution = resolution
    self.workingGroup = workingGroup
    self.proposer = proposer
    self.title = title
    self.text = text
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(resolution)
    writer.write(workingGroup)
    writer.write(proposer)
    writer.write(title)
    writer.write(text)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      resolution: try reader.read(ResolutionID.self),
      workingGroup: try reader.read(WorkingGroupID.self), proposer: try reader.read(MemberID.self),
      title: try reader.read(String.self), text: try reader.read(String.self),
      on: try reader.read(Day.self))
  }
}

/// The resolution's text was amended before the vote.
public struct ResolutionAmended: CouncilEvent {
  /// `ResolutionAmended`.
  public static let eventType = "ResolutionAmended"
  /// The new text.
  public var text: String
  /// The day.
  public var on: Day

  /// Creates the event.
  public init(text: String, on: Day) {
    self.text = text
    self.on = on
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(text)
    writer.write(on)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(text: try reader.read(String.self), on: try reader.read(Day.self))
  }
}

/// The general meeting adopted the resolution: it joins the policy base.
public struct ResolutionAdopted: CouncilEvent {
  /// `ResolutionAdopted`.
  public static let eventType = "ResolutionAdopted"
  /// The national consultation whose general meeting voted.
  public var consultation: GatheringID
  /// The day.
  public var on: Day
  /// Votes for.
  public var votesFor: Int
  /// Votes against.
  public var votesAgainst: Int
  /// Abstentions.
  public var abstentions: Int

  /// Creates the event.
  public init(
    consultation: GatheringID, on: Day, votesFor: Int, votesAgainst: Int, abstentions: Int
  ) {
    self.consultation = consultation
    self.on = on
    self.votesFor = votesFor
    self.votesAgainst = votesAgainst
    self.abstentions = abstentions
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(consultation)
    writer.write(on)
    writer.write(votesFor)
    writer.write(votesAgainst)
    writer.write(abstentions)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      consultation: try reader.read(GatheringID.self), on: try reader.read(Day.self),
      votesFor: try reader.read(Int.self), votesAgainst: try reader.read(Int.self),
      abstentions: try reader.read(Int.self))
  }
}

/// The general meeting defeated the resolution.
public struct ResolutionDefeated: CouncilEvent {
  /// `ResolutionDefeated`.
  public static let eventType = "ResolutionDefeated"
  /// The national consultation whose general meeting voted.
  public var consultation: GatheringID
  /// The day.
  public var on: Day
  /// Votes for.
  public var votesFor: Int
  /// Votes against.
  public var votesAgainst: Int
  /// Abstentions.
  public var abstentions: Int

  /// Creates the event.
  public init(
    consultation: GatheringID, on: Day, votesFor: Int, votesAgainst: Int, abstentions: Int
  ) {
    self.consultation = consultation
    self.on = on
    self.votesFor = votesFor
    self.votesAgainst = votesAgainst
    self.abstentions = abstentions
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(consultation)
    writer.write(on)
    writer.write(votesFor)
    writer.write(votesAgainst)
    writer.write(abstentions)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      consultation: try reader.read(GatheringID.self), on: try reader.read(Day.self),
      votesFor: try reader.read(Int.self), votesAgainst: try reader.read(Int.self),
      abstentions: try reader.read(Int.self))
  }
}

/// The resolution was withdrawn before the vote.
public struct ResolutionWithdrawn: CouncilEvent {
  /// `ResolutionWithdrawn`.
  public static let eventType = "ResolutionWithdrawn"
  /// The day.
  public var on: Day
  /// Why.
  public var reason: String

  /// Creates the event.
  public init(on: Day, reason: String) {
    self.on = on
    self.reason = reason
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(on: try reader.read(Day.self), reason: try reader.read(String.self))
  }
}

/// Every event of a resolution's stream (`resolution-ID`).
public enum ResolutionEvent: CouncilEventFamily {
  /// See ``ResolutionProposed``.
  case resolutionProposed(ResolutionProposed)
  /// See ``ResolutionAmended``.
  case resolutionAmended(ResolutionAmended)
  /// See ``ResolutionAdopted``.
  case resolutionAdopted(ResolutionAdopted)
  /// See ``ResolutionDefeated``.
  case resolutionDefeated(ResolutionDefeated)
  /// See ``ResolutionWithdrawn``.
  case resolutionWithdrawn(ResolutionWithdrawn)

  /// Each case's type and how to read it.
  public static let decoders = PayloadDecoders<ResolutionEvent>(
    .binary(ResolutionProposed.self, Self.resolutionProposed),
    .binary(ResolutionAmended.self, Self.resolutionAmended),
    .binary(ResolutionAdopted.self, Self.resolutionAdopted),
    .binary(ResolutionDefeated.self, Self.resolutionDefeated),
    .binary(ResolutionWithdrawn.self, Self.resolutionWithdrawn))

  /// The payload, whatever the case.
  public var payload: any CouncilEvent {
    switch self {
    case .resolutionProposed(let e): return e
    case .resolutionAmended(let e): return e
    case .resolutionAdopted(let e): return e
    case .resolutionDefeated(let e): return e
    case .resolutionWithdrawn(let e): return e
    }
  }

  /// The case's type name.
  public var eventType: String { type(of: payload).eventType }

  /// Writes the payload.
  public func encodePayload(to writer: inout BinaryWriter) { payload.encode(to: &writer) }

}
