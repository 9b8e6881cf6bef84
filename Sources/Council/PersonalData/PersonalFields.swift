import EventLog

/// One personal field of an event type: where it is in the event's JSON form, and whose data
/// it is.
public struct PersonalField: Hashable, Sendable, CustomStringConvertible {
  /// The field's path in the event's JSON form, such as `participant.name`.
  public var path: String
  /// The kind of person whose data it is.
  public var subject: DataSubject.Kind

  /// A personal field at `path`, of a subject of kind `subject`.
  public init(_ path: String, _ subject: DataSubject.Kind) {
    self.path = path
    self.subject = subject
  }

  /// `path (kind)`.
  public var description: String { "\(path) (\(subject))" }
}

extension CouncilCatalog {
  /// Every event type that holds personal data, and its personal fields (each typed
  /// `Personal`); every other type holds none. The event catalog lists them, and the tests
  /// check them against the values each type writes.
  public static let personalFields: [String: [PersonalField]] = [
    "AdministrativeAccountCreated": [.init("name", .account), .init("email", .account)],
    "IndividualAccountCreated": [.init("name", .account), .init("email", .account)],
    "EmailReserved": [.init("address", .account)],
    "PublicSubscribed": [.init("name", .subscriber), .init("email", .subscriber)],
    "ParticipantRegistered": [
      .init("participant.name", .participant), .init("participant.organization", .participant),
    ],
    "ParticipantWaitlisted": [
      .init("participant.name", .participant), .init("participant.organization", .participant),
    ],
    "ExceptionAdmitted": [
      .init("participant.name", .participant), .init("participant.organization", .participant),
    ],
    "RegistrationTransferred": [
      .init("to.name", .participant), .init("to.organization", .participant),
    ],
    "EvaluationSubmitted": [.init("comment", .respondent)],
    "ApplicationSubmitted": [.init("candidate", .applicant)],
    "InformationProvided": [.init("answer", .applicant)],
  ]
}
