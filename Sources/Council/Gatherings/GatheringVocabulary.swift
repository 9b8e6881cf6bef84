import EventLog

/// A national consultation or a conference.
public enum GatheringKind: String, TextEnum {
  /// A national consultation: twice a year, fall and spring, in a different Canadian city each
  /// time (member guide, "National Consultations").
  case nationalConsultation
  /// A conference, such as the 2018 International Refugee Rights Conference.
  case conference
}

/// The registration rate a participant pays.
public enum Rate: String, TextEnum {
  /// The member rate ("See special rates for Members", member guide).
  case member
  /// The non-member rate.
  case nonMember
}

/// The kinds of sessions of the 2018 conference report ("2. Conference Sessions") and of the
/// member guide's consultations (working group meetings, workshops, caucus sessions, the
/// general meeting).
public enum SessionKind: String, TextEnum {
  /// A plenary.
  case plenary
  /// A preliminary session, at the beginning of the conference.
  case preliminarySession
  /// A workshop.
  case workshop
  /// A caucus session.
  case caucus
  /// An NGO networking session.
  case networkingSession
  /// A working-group meeting.
  case workingGroupMeeting
  /// The council's general meeting.
  case generalMeeting
}

/// The report's four categories of workshop outcomes ("3. Outcomes from Workshops").
public enum OutcomeCategory: String, TextEnum {
  /// a. Recommendations for resources.
  case resourcesRecommendation
  /// b. Issues identified for advocacy.
  case advocacyIssue
  /// c. Issues for cross-border collaboration.
  case crossBorderCollaboration
  /// Recommendations for the council and other organizations.
  case recommendationForCouncil
}

/// Who registers: what registration counts and reports group by.
public struct Participant: Hashable, Sendable, Codable, BinaryCodable {
  /// The person's name.
  public var name: String
  /// Their organization.
  public var organization: String
  /// The country they come from.
  public var country: String
  /// The rate they pay.
  public var rate: Rate
  /// Whether they are a refugee or former refugee.
  public var refugee: Bool
  /// Whether they are a youth.
  public var youth: Bool
  /// Whether the council funds their participation.
  public var funded: Bool

  /// Creates a participant.
  public init(
    name: String, organization: String, country: String, rate: Rate, refugee: Bool = false,
    youth: Bool = false, funded: Bool = false
  ) {
    self.name = name
    self.organization = organization
    self.country = country
    self.rate = rate
    self.refugee = refugee
    self.youth = youth
    self.funded = funded
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(name)
    writer.write(organization)
    writer.write(country)
    writer.write(rate)
    writer.write(refugee)
    writer.write(youth)
    writer.write(funded)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      name: try reader.read(String.self), organization: try reader.read(String.self),
      country: try reader.read(String.self), rate: try reader.read(Rate.self),
      refugee: try reader.read(Bool.self), youth: try reader.read(Bool.self),
      funded: try reader.read(Bool.self))
  }
}
