import EventLog
import EventLogMacros

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
  /// A session of all participants together.
  case plenary
  /// A preliminary session, at the beginning of the conference.
  case preliminarySession
  /// A smaller session on one theme; the only kind whose outcomes are recorded.
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
///
/// The name and organization are personal data of the participant's
/// ``DataSubject`` (``DataSubject/Kind/participant``), sealed in the log and erased when the
/// participant is forgotten. The country, the rate and the three flags are what the reports
/// count: they stay readable after an erasure, tied then only to a registration number, so
/// that every figure of a report stays what it was (see <doc:PersonalData>).
@BinaryCodable
public struct Participant: Hashable, Sendable, Codable, BinaryCodable {
  /// The person's name.
  public var name: Personal<String>
  /// Their organization.
  public var organization: Personal<String>
  /// The country they come from.
  public var country: String
  /// The rate they pay.
  public var rate: Rate
  /// Whether they are a refugee or former refugee.
  public var refugee: Bool = false
  /// Whether they are a youth.
  public var youth: Bool = false
  /// Whether the council funds their participation.
  public var funded: Bool = false

  /// A participant as a registration form gives it: the personal fields revealed, with no
  /// subject yet (the gathering's decider gives them theirs).
  public init(
    name: String, organization: String, country: String, rate: Rate, refugee: Bool = false,
    youth: Bool = false, funded: Bool = false
  ) {
    self.init(
      name: Personal(name), organization: Personal(organization), country: country, rate: rate,
      refugee: refugee, youth: youth, funded: funded)
  }

  /// A participant with every field given as it is held.
  public init(
    name: Personal<String>, organization: Personal<String>, country: String, rate: Rate,
    refugee: Bool, youth: Bool, funded: Bool
  ) {
    self.name = name
    self.organization = organization
    self.country = country
    self.rate = rate
    self.refugee = refugee
    self.youth = youth
    self.funded = funded
  }

  /// Whose data this is: the subject of the name.
  public var subject: DataSubject? { name.subject }

  /// The same participant, their personal fields given to `subject`.
  public func of(_ subject: DataSubject) -> Participant {
    var copy = self
    copy.name = name.of(subject)
    copy.organization = organization.of(subject)
    return copy
  }
}
