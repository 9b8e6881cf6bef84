import EventLog
import EventLogPersonalData

extension DataSubject.Kind {
  /// A person registered for a gathering (their name, organization, e-mail).
  public static let participant: Self = "participant"
  /// A participant as the author of an evaluation's comment: a subject of its own, so that
  /// a retention rule can erase comments and keep the registration.
  public static let respondent: Self = "respondent"
  /// The holder of an administrative or individual account (name, e-mail).
  public static let account: Self = "account"
  /// The candidate a fund application is for (their name).
  public static let applicant: Self = "applicant"
  /// The contact person of a member organization.
  public static let contact: Self = "contact"
  /// Someone from the public subscribed to an open mailing list.
  public static let subscriber: Self = "subscriber"
}

extension DataSubject {
  /// The person holding registration `registration` of `gathering`; `holder` counts the
  /// people it was transferred to (1 for the one who registered).
  public static func participant(
    _ gathering: GatheringID, _ registration: RegistrationID, holder: Int = 1
  ) -> DataSubject {
    let id = "\(gathering)/\(registration)"
    return DataSubject(.participant, holder == 1 ? id : "\(id)/\(holder)")
  }

  /// The author of the evaluation of `participant`'s registration.
  public static func respondent(_ participant: DataSubject) -> DataSubject {
    DataSubject(.respondent, participant.id)
  }

  /// The holder of `account`.
  public static func account(_ account: AccountID) -> DataSubject {
    DataSubject(.account, account.rawValue)
  }

  /// The candidate of fund application `application`.
  public static func applicant(_ application: ApplicationID) -> DataSubject {
    DataSubject(.applicant, application.rawValue)
  }

  /// The contact person of `member`.
  public static func contact(_ member: MemberID) -> DataSubject {
    DataSubject(.contact, member.rawValue)
  }

  /// The subscriber of address `email`, named by the same ``Pseudonym`` as their stream.
  public static func subscriber(_ email: String) -> DataSubject {
    DataSubject(.subscriber, Pseudonym.of(Streams.normalizedEmail(email)))
  }
}
