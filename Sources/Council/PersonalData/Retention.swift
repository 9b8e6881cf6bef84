import EventLog

/// A rule for how long one kind of personal data is kept: "evaluation comments are erased
/// three years after the conference". Rules are data (`Codable`), so that a council writes its
/// own in a file; ``Council/applyRetention(_:by:)`` applies them, as often as it is run.
public struct RetentionRule: Hashable, Sendable, Codable {
  /// What a rule's period counts from.
  public enum Start: String, JSONReadable, Hashable, Sendable, Codable, JSONWritable {
    /// The last day of the gathering the subject registered for (participants and
    /// respondents).
    case gatheringEnds
    /// The day the subject's account was deactivated (account holders; an active account is
    /// never due).
    case accountDeactivated
  }

  /// The rule's name, recorded with each erasure it makes.
  public var name: String
  /// The kind of subject it erases.
  public var subjects: DataSubject.Kind
  /// How many months the data is kept.
  public var months: Int
  /// What the months count from.
  public var after: Start

  /// A rule named `name` that erases `subjects` `months` months after `after`.
  public init(_ name: String, erases subjects: DataSubject.Kind, months: Int, after: Start) {
    self.name = name
    self.subjects = subjects
    self.months = months
    self.after = after
  }

  /// The council's own rules: evaluation comments are erased three years after the gathering;
  /// a participant's name and organization seven years after it; a deactivated account's
  /// holder seven years after the deactivation.
  public static let councilDefaults: [RetentionRule] = [
    RetentionRule("evaluation comments", erases: .respondent, months: 36, after: .gatheringEnds),
    RetentionRule("participants", erases: .participant, months: 84, after: .gatheringEnds),
    RetentionRule(
      "deactivated accounts", erases: .account, months: 84, after: .accountDeactivated),
  ]
}

extension Council {
  /// Forgets every subject a rule says is due, as of the council's clock: those of the rule's
  /// kind whose period, counted from the rule's start, ended before today. Each erasure is
  /// recorded with the rule's name (``PersonalDataErased/rule``).
  ///
  /// Running it again forgets only what fell due since, so it can run daily. Only the office
  /// applies retention.
  ///
  /// - Returns: the erasures made, in the order of the rules.
  @discardableResult
  public func applyRetention(_ rules: [RetentionRule], by issuer: Issuer) async throws
    -> [Erasure]
  {
    guard issuer.isOffice else {
      throw PersonalDataError(.notPermitted, "only the office applies retention (\(issuer) asked)")
    }
    let people = try await requireProtector().subjects()
    var gatheringEnds: [GatheringID: Day?] = [:]
    var erasures: [Erasure] = []
    var forgotten: Set<DataSubject> = []
    for rule in rules {
      let due = people.filter { $0.key.kind == rule.subjects && $0.value == .held }.keys.sorted()
      for subject in due {
        let start: Day?
        switch rule.after {
        case .gatheringEnds:
          guard
            let gathering = subject.id.split(separator: "/").first.map({ GatheringID(String($0)) })
          else { continue }
          if gatheringEnds[gathering] == nil {
            gatheringEnds[gathering] = try await self.gathering(gathering).scheduled?.ends
          }
          start = gatheringEnds[gathering] ?? nil
        case .accountDeactivated:
          start = try await deactivation(of: AccountID(subject.id))
        }
        // A participant's erasure takes their evaluation's author with it.
        guard let start, start.adding(months: rule.months) < today, !forgotten.contains(subject)
        else { continue }
        let erasure = try await forget(
          subject, reason: "retention: \(rule.name)", rule: rule.name, by: issuer)
        forgotten.formUnion(erasure.subjects)
        erasures.append(erasure)
      }
    }
    return erasures
  }

  /// The day `account` was deactivated, `nil` while it is active.
  private func deactivation(of account: AccountID) async throws -> Day? {
    for event in try await store.readStream(Streams.account(account)) {
      if case .deactivated(let e) = try event.decode(as: AccountEvent.self) { return e.on }
    }
    return nil
  }
}
