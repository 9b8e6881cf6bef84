import EventLog

// The member organization's life, from the member guide (`000_e44055bfb5ba5aef.txt`):
// organizations apply and are approved as members by the council's office ("created by the
// CCR office once approved as a member"), and the member directory lets members "search
// member organizations, by region, by services offered and by target client group".

/// What the directory shows of a member organization.
public struct MemberProfile: Hashable, Sendable, Codable, BinaryCodable {
  /// The name in English.
  public var nameEnglish: String
  /// The name in French.
  public var nameFrench: String
  /// The province or territory.
  public var region: String
  /// The city.
  public var city: String
  /// Services offered, such as `settlement` or `legal information`.
  public var services: [String]
  /// Target client groups, such as `refugee claimants` or `youth`.
  public var clientGroups: [String]
  /// Languages services are offered in.
  public var languages: [String]
  /// How to reach the organization.
  public var contact: String

  /// Creates a profile.
  public init(
    nameEnglish: String, nameFrench: String, region: String, city: String,
    services: [String] = [], clientGroups: [String] = [], languages: [String] = [],
    contact: String = ""
  ) {
    self.nameEnglish = nameEnglish
    self.nameFrench = nameFrench
    self.region = region
    self.city = city
    self.services = services
    self.clientGroups = clientGroups
    self.languages = languages
    self.contact = contact
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(nameEnglish)
    writer.write(nameFrench)
    writer.write(region)
    writer.write(city)
    writer.write(services)
    writer.write(clientGroups)
    writer.write(languages)
    writer.write(contact)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      nameEnglish: try reader.read(String.self), nameFrench: try reader.read(String.self),
      region: try reader.read(String.self), city: try reader.read(String.self),
      services: try reader.read([String].self), clientGroups: try reader.read([String].self),
      languages: try reader.read([String].self), contact: try reader.read(String.self))
  }
}

/// An organization applied for membership.
public struct MemberApplied: CouncilEvent {
  /// `MemberApplied`.
  public static let eventType = "MemberApplied"
  /// The applicant.
  public var member: MemberID
  /// Its profile.
  public var profile: MemberProfile
  /// The day it applied.
  public var on: Day

  /// Creates the event.
  public init(member: MemberID, profile: MemberProfile, on: Day) {
    self.member = member
    self.profile = profile
    self.on = on
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(member)
    writer.write(profile)
    writer.write(on)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      member: try reader.read(MemberID.self), profile: try reader.read(MemberProfile.self),
      on: try reader.read(Day.self))
  }
}

/// The office approved the application: the member joins, and its first term begins.
public struct MemberApproved: CouncilEvent {
  /// `MemberApproved`.
  public static let eventType = "MemberApproved"
  /// The day it joined: it never changes, whatever happens later.
  public var joinedOn: Day
  /// The first term's last day.
  public var termEnds: Day
  /// Days after a term's end during which a renewal still extends it.
  public var graceDays: Int
  /// The administrative account the office creates with the approval.
  public var administrativeAccount: AccountID

  /// Creates the event.
  public init(joinedOn: Day, termEnds: Day, graceDays: Int, administrativeAccount: AccountID) {
    self.joinedOn = joinedOn
    self.termEnds = termEnds
    self.graceDays = graceDays
    self.administrativeAccount = administrativeAccount
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(joinedOn)
    writer.write(termEnds)
    writer.write(graceDays)
    writer.write(administrativeAccount)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      joinedOn: try reader.read(Day.self), termEnds: try reader.read(Day.self),
      graceDays: try reader.read(Int.self), administrativeAccount: try reader.read(AccountID.self))
  }
}

/// The office rejected the application.
public struct MemberRejected: CouncilEvent {
  /// `MemberRejected`.
  public static let eventType = "MemberRejected"
  /// The day of the decision.
  public var on: Day
  /// Why.
  public var reason: String

  /// Creates the event.
  public init(on: Day, reason: String) {
    self.on = on
    self.reason = reason
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(on: try reader.read(Day.self), reason: try reader.read(String.self))
  }
}

/// The member's profile changed.
public struct MemberProfileUpdated: CouncilEvent {
  /// `MemberProfileUpdated`.
  public static let eventType = "MemberProfileUpdated"
  /// The whole new profile.
  public var profile: MemberProfile

  /// Creates the event.
  public init(profile: MemberProfile) { self.profile = profile }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) { writer.write(profile) }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(profile: try reader.read(MemberProfile.self))
  }
}

/// The member renewed. Within its term or grace period the term is extended; after it
/// lapsed, a new term starts and the gap between the terms stays in the history.
public struct MembershipRenewed: CouncilEvent {
  /// `MembershipRenewed`.
  public static let eventType = "MembershipRenewed"
  /// The day of the renewal.
  public var on: Day
  /// The first day of the term this renewal belongs to: the current term's start when it
  /// extends it, the renewal day when it starts a new term.
  public var termStarts: Day
  /// The term's new last day.
  public var termEnds: Day
  /// Whether the renewal started a new term after a lapse (a rejoin).
  public var startsNewTerm: Bool

  /// Creates the event.
  public init(on: Day, termStarts: Day, termEnds: Day, startsNewTerm: Bool) {
    self.on = on
    self.termStarts = termStarts
    self.termEnds = termEnds
    self.startsNewTerm = startsNewTerm
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(on)
    writer.write(termStarts)
    writer.write(termEnds)
    writer.write(startsNewTerm)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      on: try reader.read(Day.self), termStarts: try reader.read(Day.self),
      termEnds: try reader.read(Day.self), startsNewTerm: try reader.read(Bool.self))
  }
}

/// The member's term and grace period passed without a renewal.
public struct MembershipLapsed: CouncilEvent {
  /// `MembershipLapsed`.
  public static let eventType = "MembershipLapsed"
  /// The day it was recorded.
  public var on: Day

  /// Creates the event.
  public init(on: Day) { self.on = on }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) { writer.write(on) }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws { self.init(on: try reader.read(Day.self)) }
}

/// The member withdrew from the council.
public struct MemberWithdrew: CouncilEvent {
  /// `MemberWithdrew`.
  public static let eventType = "MemberWithdrew"
  /// The day.
  public var on: Day
  /// Why, as given.
  public var reason: String

  /// Creates the event.
  public init(on: Day, reason: String) {
    self.on = on
    self.reason = reason
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(on)
    writer.write(reason)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(on: try reader.read(Day.self), reason: try reader.read(String.self))
  }
}

/// The office reinstated a lapsed or withdrawn member: a new term starts.
public struct MemberReinstated: CouncilEvent {
  /// `MemberReinstated`.
  public static let eventType = "MemberReinstated"
  /// The new term's first day.
  public var termStarts: Day
  /// The new term's last day.
  public var termEnds: Day

  /// Creates the event.
  public init(termStarts: Day, termEnds: Day) {
    self.termStarts = termStarts
    self.termEnds = termEnds
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(termStarts)
    writer.write(termEnds)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(termStarts: try reader.read(Day.self), termEnds: try reader.read(Day.self))
  }
}

/// Every event of a member organization's stream (`member-ID`).
public enum MemberEvent: RecordableEvent, Equatable {
  /// See ``MemberApplied``.
  case applied(MemberApplied)
  /// See ``MemberApproved``.
  case approved(MemberApproved)
  /// See ``MemberRejected``.
  case rejected(MemberRejected)
  /// See ``MemberProfileUpdated``.
  case profileUpdated(MemberProfileUpdated)
  /// See ``MembershipRenewed``.
  case renewed(MembershipRenewed)
  /// See ``MembershipLapsed``.
  case lapsed(MembershipLapsed)
  /// See ``MemberWithdrew``.
  case withdrew(MemberWithdrew)
  /// See ``MemberReinstated``.
  case reinstated(MemberReinstated)

  /// Each case's type and how to read it.
  public static let decoders = PayloadDecoders<MemberEvent>(
    .binary(MemberApplied.self, Self.applied),
    .binary(MemberApproved.self, Self.approved),
    .binary(MemberRejected.self, Self.rejected),
    .binary(MemberProfileUpdated.self, Self.profileUpdated),
    .binary(MembershipRenewed.self, Self.renewed),
    .binary(MembershipLapsed.self, Self.lapsed),
    .binary(MemberWithdrew.self, Self.withdrew),
    .binary(MemberReinstated.self, Self.reinstated))

  /// The payload, whatever the case.
  public var payload: any CouncilEvent {
    switch self {
    case .applied(let e): return e
    case .approved(let e): return e
    case .rejected(let e): return e
    case .profileUpdated(let e): return e
    case .renewed(let e): return e
    case .lapsed(let e): return e
    case .withdrew(let e): return e
    case .reinstated(let e): return e
    }
  }

  /// The case's type name.
  public var eventType: String { type(of: payload).eventType }

  /// Writes the payload.
  public func encodePayload(to writer: inout BinaryWriter) { payload.encode(to: &writer) }

}
