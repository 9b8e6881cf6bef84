import EventLog

/// Gives the personal values of events written before personal data was sealed (format 2
/// logs and their exports) the subjects a decider gives them today, so that importing such an
/// export seals them.
///
/// A transfer gives its registration a new holder; the holders counted so far are kept here,
/// so the events must be given in log order.
public struct LegacySubjects: Sendable {
  private var transfers: [String: Int] = [:]

  /// Nothing counted yet.
  public init() {}

  /// `payload` with each subject-less personal value given its subject; other values as they
  /// are.
  public mutating func assign(_ payload: any CouncilEvent, in stream: StreamName)
    -> any CouncilEvent
  {
    let id = stream.id ?? ""
    switch payload {
    case var e as AdministrativeAccountCreated:
      e.name = given(e.name, .account(e.account))
      e.email = given(e.email, .account(e.account))
      return e
    case var e as IndividualAccountCreated:
      e.name = given(e.name, .account(e.account))
      e.email = given(e.email, .account(e.account))
      return e
    case var e as EmailReserved:
      e.address = given(e.address, .account(e.account))
      return e
    case var e as PublicSubscribed:
      // Before, the stream was named by the address itself.
      e.name = given(e.name, .subscriber(id))
      return e
    case var e as ParticipantRegistered:
      e.participant = given(e.participant, holder(id, e.registration))
      return e
    case var e as ParticipantWaitlisted:
      e.participant = given(e.participant, holder(id, e.registration))
      return e
    case var e as ExceptionAdmitted:
      e.participant = given(e.participant, holder(id, e.registration))
      return e
    case var e as RegistrationTransferred:
      transfers["\(id)/\(e.registration)", default: 0] += 1
      e.to = given(e.to, holder(id, e.registration))
      return e
    case var e as EvaluationSubmitted:
      if let comment = e.comment {
        e.comment = given(comment, .respondent(holder(id, e.registration)))
      }
      return e
    case var e as ApplicationSubmitted:
      e.candidate = given(e.candidate, .applicant(e.application))
      return e
    case var e as InformationProvided:
      e.answer = given(e.answer, .applicant(ApplicationID(id)))
      return e
    default:
      return payload
    }
  }

  /// Whether ``assign(_:in:)`` counts the events of `eventType` whatever their values hold (it
  /// counts a registration's transfers, which name the subject of its later holders), so that
  /// each of them must be given to it.
  static func counts(_ eventType: String) -> Bool {
    eventType == RegistrationTransferred.eventType
  }

  private func holder(_ gathering: String, _ registration: RegistrationID) -> DataSubject {
    let transfers = self.transfers["\(gathering)/\(registration)"] ?? 0
    return .participant(GatheringID(gathering), registration, holder: transfers + 1)
  }

  private func given<Value>(_ value: Personal<Value>, _ subject: DataSubject) -> Personal<Value> {
    value.subject == nil ? value.of(subject) : value
  }

  private func given(_ participant: Participant, _ subject: DataSubject) -> Participant {
    participant.subject == nil ? participant.of(subject) : participant
  }
}
