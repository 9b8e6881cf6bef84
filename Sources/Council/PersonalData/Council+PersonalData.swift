import EventLog
import EventLogPersonalData
import Foundation

/// What ``Council/forget(_:reason:rule:on:by:)`` did.
public struct Erasure: Hashable, Sendable {
  /// The subjects erased: the one asked for, and for a participant their evaluation's author.
  public var subjects: [DataSubject]
  /// The position of each erasure's record.
  public var positions: [LogPosition]
}

/// Everything the log holds about one person: the answer to an access request.
public struct PersonRecord: Hashable, Sendable, Codable {
  /// One event that holds the person's data or is about them.
  public struct HeldEvent: Hashable, Sendable, Codable {
    /// Where the event is in the log.
    public var position: UInt64
    /// Its stream.
    public var stream: String
    /// Its version in the stream.
    public var version: UInt64
    /// Its type.
    public var eventType: String
    /// When it was recorded (`YYYY-MM-DDTHH:MM:SS.sssZ`).
    public var time: String
    /// The event's fields as JSON, the person's own values opened (or `‹erased›`), other
    /// people's values left sealed.
    public var data: String
  }

  /// Whose record this is.
  public var subject: DataSubject
  /// Whether their data can still be read.
  public var status: DataSubjectStatus
  /// The events, in log order.
  public var events: [HeldEvent]
}

extension Council {
  /// The protector, or the error every personal-data operation throws without one.
  func requireProtector() throws(PersonalDataError) -> any PersonalDataProtector {
    guard let protector else {
      throw PersonalDataError(
        .noSealer, "this store keeps no data keys, so it holds no readable personal data")
    }
    return protector
  }

  /// Whether `issuer` may read `subject`'s data: the office reads everyone's; a member's
  /// administrator reads the people of their own organization (its accounts, the candidates
  /// it applied for, its contact person); an individual reads their own account's; the public
  /// reads nobody's. A participant's data is the office's alone: a registration does not say
  /// which organization sent the person.
  public func mayRead(_ subject: DataSubject, by issuer: Issuer) async throws -> Bool {
    switch issuer {
    case .office:
      return true
    case .publicPerson:
      return false
    case .individual(_, let account):
      return subject == .account(account)
    case .memberAdministrator(let member, let account):
      if subject == .account(account) || subject == .contact(member) { return true }
      switch subject.kind {
      case .account:
        return try await self.account(AccountID(subject.id)).member == member
      case .applicant:
        return try await application(ApplicationID(subject.id)).submission?.supportingMember
          == member
      default:
        return false
      }
    }
  }

  /// Throws unless `issuer` may read `subject`'s data (see ``mayRead(_:by:)``).
  ///
  /// - Throws: ``PersonalDataError/Code/notPermitted``.
  public func checkAccess(to subject: DataSubject, by issuer: Issuer) async throws {
    guard try await mayRead(subject, by: issuer) else {
      throw PersonalDataError(
        .notPermitted, "\(issuer) may not read this person's data", subject: subject)
    }
  }

  /// Opens a personal value for `issuer`: the value revealed, or erased when its subject was
  /// forgotten.
  ///
  /// - Throws: ``PersonalDataError/Code/notPermitted`` when the issuer may not read the
  ///   subject's data (see ``mayRead(_:by:)``); other ``PersonalDataError``s when the key is
  ///   unavailable or the master key is not the one the keys were wrapped with.
  public func reveal<Value>(_ value: Personal<Value>, by issuer: Issuer) async throws
    -> Personal<Value>
  {
    guard case .sealed(let ciphertext) = value.content, let subject = value.subject else {
      // Revealed (a log written before personal data was sealed, or a command's own input)
      // or erased: only the permission is left to check.
      if let subject = value.subject { try await checkAccess(to: subject, by: issuer) }
      return value
    }
    try await checkAccess(to: subject, by: issuer)
    guard let plaintext = try await requireProtector().open(ciphertext, for: subject) else {
      return .erased(of: subject)
    }
    return try plaintext.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      return Personal(try Value(from: &reader), of: subject)
    }
  }

  /// Opens a value for a listing: revealed when `issuer` may read it, erased when forgotten,
  /// and `nil` when the issuer may not read it (the listing shows it withheld).
  public func revealIfPermitted<Value>(_ value: Personal<Value>, by issuer: Issuer) async throws
    -> Personal<Value>?
  {
    do {
      return try await reveal(value, by: issuer)
    } catch let error as PersonalDataError where error.code == .notPermitted {
      return nil
    }
  }

  /// Every data subject the log holds data of, and whether they were forgotten.
  ///
  /// - Throws: ``PersonalDataError/Code/notPermitted`` for anyone but the office.
  public func people(by issuer: Issuer) async throws -> [DataSubject: DataSubjectStatus] {
    guard issuer.isOffice else {
      throw PersonalDataError(.notPermitted, "only the office lists the people in the log")
    }
    return try await requireProtector().subjects()
  }

  /// Forgets a person: records the erasure, then destroys every data key of the subject (and,
  /// for a participant, of the author of their evaluation), so that each personal field
  /// sealed for them reads as erased, in every event and every read model, and as of any
  /// moment, while every other fact and every count stays as it was.
  ///
  /// The erasure is recorded first, in the subject's `erasure-` stream with expected version
  /// "no stream", then the keys are destroyed: if the process dies in between, the record
  /// says what was asked and forgetting the subject again completes it.
  ///
  /// Only the office forgets. Forgetting a subject whose erasure is recorded and whose keys
  /// are gone throws ``PersonalDataError/Code/alreadyErased`` with the erasure's position;
  /// forgetting a subject the log holds no data of throws
  /// ``PersonalDataError/Code/unknownSubject``. Neither appends anything.
  ///
  /// Copies of the log's files made before the erasure (backups included) still hold the
  /// destroyed keys, wrapped: see <doc:PersonalData>.
  @discardableResult
  public func forget(
    _ subject: DataSubject, reason: String, rule: String? = nil, on day: Day? = nil,
    by issuer: Issuer
  ) async throws -> Erasure {
    guard issuer.isOffice else {
      throw PersonalDataError(
        .notPermitted, "only the office forgets a person (\(issuer) asked)", subject: subject)
    }
    let protector = try requireProtector()
    let known = try await protector.subjects()
    let recordedBefore = try await store.currentVersion(of: Streams.erasure(subject)) != nil
    guard known[subject] != nil || recordedBefore else {
      throw PersonalDataError(
        .unknownSubject, "the log holds no data of this subject", subject: subject)
    }
    var subjects = [subject]
    if subject.kind == .participant, known[.respondent(subject)] != nil {
      subjects.append(.respondent(subject))
    }
    var appends: [StreamAppend] = []
    var pending: [DataSubject] = []
    let correlation = ids.next()
    for each in subjects {
      let stream = Streams.erasure(each)
      if try await store.currentVersion(of: stream) != nil {
        // Recorded before; keys left means the process died before destroying them.
        if known[each] == .held { pending.append(each) }
        continue
      }
      let event = PersonalDataErased(
        subject: each, on: day ?? today, requestedBy: issuer.recordedActor, reason: reason,
        rule: rule)
      appends.append(
        StreamAppend(
          stream: stream, expectedVersion: .noStream,
          events: try await eventData([event], by: issuer, correlation: correlation)))
      pending.append(each)
    }
    guard !pending.isEmpty else {
      let first = try await store.readStream(
        Streams.erasure(subject), from: nil, direction: .forwards, limit: 1)
      throw PersonalDataError(
        .alreadyErased, "the subject was forgotten already", subject: subject,
        position: first.first?.position)
    }
    var recorded: [LogPosition] = []
    if !appends.isEmpty {
      recorded = try await store.append(appends).map(\.firstPosition)
    }
    for each in pending { _ = try await protector.destroyKeys(of: each) }
    return Erasure(subjects: pending, positions: recorded)
  }

  /// Everything the log holds about `subject`, for an access request: each event that holds
  /// a personal value of theirs, and each event of their registration, account or
  /// application, with its position, stream, type and time; their own values opened (for a
  /// participant, the comment of their registration's evaluation too).
  ///
  /// - Throws: ``PersonalDataError/Code/notPermitted`` when `issuer` may not read the subject's
  ///   data (see ``mayRead(_:by:)``); ``PersonalDataError/Code/unknownSubject`` when the log
  ///   holds nothing of them.
  public func person(_ subject: DataSubject, by issuer: Issuer) async throws -> PersonRecord {
    try await checkAccess(to: subject, by: issuer)
    let protector = try requireProtector()
    let known = try await protector.subjects()
    // A participant is also the author of their registration's evaluation: their comment is
    // theirs too, opened (or shown erased) with the rest.
    let own: Set<DataSubject> =
      subject.kind == .participant ? [subject, .respondent(subject)] : [subject]
    let patterns = own.flatMap { subject -> [[UInt8]] in
      var marker = BinaryWriter(capacity: 64)
      subject.encode(to: &marker)
      return [[0xFF, 0x00, 0x01] + marker.bytes, [0xFF, 0x00, 0x02] + marker.bytes]
    }
    let related = relatedStream(of: subject)
    var events: [PersonRecord.HeldEvent] = []
    var position = LogPosition.start
    while true {
      let page = try await store.readLog(from: position, limit: 1000, filter: .all)
      for event in page.events {
        let holds = patterns.contains { event.payload.contains(subsequence: $0) }
        let about = related.map { $0.matches(event) } ?? false
        let erasure = event.stream == Streams.erasure(subject)
        guard holds || about || erasure else { continue }
        let payload = try CouncilCatalog.decode(event)
        let json = try JSONSerialization.jsonObject(with: CouncilCatalog.json(payload))
        let opened = try await PersonalJSON.open(json, only: own, with: protector)
        let data = try JSONSerialization.data(withJSONObject: opened, options: [.sortedKeys])
        events.append(
          PersonRecord.HeldEvent(
            position: event.position.rawValue, stream: event.stream.rawValue,
            version: event.version.rawValue, eventType: event.eventType,
            time: event.metadata.time.description, data: String(decoding: data, as: UTF8.self)))
      }
      if page.events.isEmpty { break }
      position = page.nextPosition
    }
    guard let status = known[subject] ?? (events.isEmpty ? nil : .held) else {
      throw PersonalDataError(
        .unknownSubject, "the log holds no data of this subject", subject: subject)
    }
    return PersonRecord(subject: subject, status: status, events: events)
  }

  /// The stream (and, for a registration, the field) whose events are about `subject`.
  private func relatedStream(of subject: DataSubject) -> RelatedEvents? {
    switch subject.kind {
    case .participant, .respondent:
      let parts = subject.id.split(separator: "/", maxSplits: 2).map(String.init)
      guard parts.count >= 2 else { return nil }
      return RelatedEvents(
        stream: Streams.gathering(GatheringID(parts[0])), registration: parts[1])
    case .account:
      return RelatedEvents(stream: Streams.account(AccountID(subject.id)), registration: nil)
    case .applicant:
      return RelatedEvents(
        stream: Streams.application(ApplicationID(subject.id)), registration: nil)
    case .subscriber:
      return RelatedEvents(
        stream: StreamName(category: "subscriber", id: subject.id), registration: nil)
    case .contact:
      return RelatedEvents(stream: Streams.member(MemberID(subject.id)), registration: nil)
    default:
      return nil
    }
  }
}

/// The events of one stream, or of one registration in a gathering's stream.
private struct RelatedEvents {
  var stream: StreamName
  var registration: String?

  func matches(_ event: RecordedEvent) -> Bool {
    guard event.stream == stream else { return false }
    guard let registration else { return true }
    // A registration's events hold its number as a string field.
    var writer = BinaryWriter(capacity: 32)
    writer.write(registration)
    return event.payload.contains(subsequence: writer.bytes)
  }
}

extension Array where Element == UInt8 {
  /// Whether the bytes contain `pattern` contiguously.
  func contains(subsequence pattern: [UInt8]) -> Bool {
    firstOffset(of: pattern, from: 0) != nil
  }

  /// Where `pattern` first occurs at or after `start`; `nil` when it does not.
  ///
  /// The patterns searched for here begin with `"`, the most common byte of a JSON line, so
  /// a search that finds the first byte (`memchr`) and then compares the rest (`memcmp`)
  /// stops at every quote. A pattern of four bytes or more is found instead by comparing its
  /// first four bytes as one integer at each offset, and the rest only where those match.
  func firstOffset(of pattern: [UInt8], from start: Int) -> Int? {
    guard !pattern.isEmpty else { return start <= count ? start : nil }
    guard start >= 0, count - start >= pattern.count else { return nil }
    return withUnsafeBytes { haystack in
      pattern.withUnsafeBytes { needle in
        guard let base = haystack.baseAddress, let needleBase = needle.baseAddress else {
          return nil
        }
        let last = haystack.count - needle.count
        var offset = start
        if needle.count >= 4 {
          let head = needle.loadUnaligned(as: UInt32.self)
          let rest = needle.count - 4
          while offset <= last {
            if base.loadUnaligned(fromByteOffset: offset, as: UInt32.self) == head,
              rest == 0 || memcmp(base + offset + 4, needleBase + 4, rest) == 0
            {
              return offset
            }
            offset += 1
          }
          return nil
        }
        while offset <= last {
          guard let found = memchr(base + offset, Int32(pattern[0]), last - offset + 1) else {
            return nil
          }
          offset = base.distance(to: UnsafeRawPointer(found))
          if memcmp(base + offset, needleBase, needle.count) == 0 { return offset }
          offset += 1
        }
        return nil
      }
    }
  }
}

/// Personal values in an event's JSON form (see ``Personal``'s `Codable` form).
enum PersonalJSON {
  /// `json` with each sealed value given the wrapped keys of its subject (`"keys"`).
  static func attachKeys(_ json: Any, keys: inout Interchange.ExportedKeys) async throws -> Any {
    if var object = json as? [String: Any] {
      if let text = object["subject"] as? String, object["sealed"] != nil,
        let subject = DataSubject(text)
      {
        if let wrapped = try await keys.keys(of: subject) { object["keys"] = wrapped }
        return object
      }
      for (key, value) in object { object[key] = try await attachKeys(value, keys: &keys) }
      return object
    }
    if let array = json as? [Any] {
      var attached: [Any] = []
      for value in array { attached.append(try await attachKeys(value, keys: &keys)) }
      return attached
    }
    return json
  }

  /// Adds the wrapped keys found beside sealed values in `json` to `keys`; `false` when one
  /// is malformed.
  static func collectKeys(_ json: Any, into keys: inout [WrappedDataKey]) -> Bool {
    if let object = json as? [String: Any] {
      if let text = object["subject"] as? String, let list = object["keys"] as? [[String: String]] {
        guard let subject = DataSubject(text) else { return false }
        for entry in list {
          guard let id = entry["id"].flatMap({ UInt64($0, radix: 16) }), id != 0,
            let wrapped = entry["wrapped"].flatMap({ Data(base64Encoded: $0) })
          else { return false }
          keys.append(WrappedDataKey(subject: subject, id: id, wrapped: Array(wrapped)))
        }
        return true
      }
      return object.values.allSatisfy { collectKeys($0, into: &keys) }
    }
    if let array = json as? [Any] { return array.allSatisfy { collectKeys($0, into: &keys) } }
    return true
  }

  /// Adds the subjects of the erased values in `json` (`{"erased": true, "subject": …}`) to
  /// `subjects`.
  static func collectErased(_ json: Any, into subjects: inout Set<DataSubject>) {
    if let object = json as? [String: Any] {
      if object["erased"] as? Bool == true, let text = object["subject"] as? String,
        let subject = DataSubject(text)
      {
        subjects.insert(subject)
        return
      }
      for value in object.values { collectErased(value, into: &subjects) }
    } else if let array = json as? [Any] {
      for value in array { collectErased(value, into: &subjects) }
    }
  }

  /// `json` with its sealed values opened by `protector` (only those of `only`, when given),
  /// those of forgotten subjects (in `erased`, or found so when opened) written erased, and
  /// the rest as they were.
  static func open(
    _ json: Any, only: Set<DataSubject>? = nil, erased: Set<DataSubject> = [],
    with protector: (any PersonalDataProtector)?
  ) async throws -> Any {
    if var object = json as? [String: Any] {
      if let text = object["subject"] as? String, let sealed = object["sealed"] as? String,
        let subject = DataSubject(text)
      {
        if erased.contains(subject) {
          return ["subject": text, "erased": true]
        }
        guard let protector, only?.contains(subject) ?? true,
          let bytes = Data(base64Encoded: sealed)
        else { return object }
        guard let plaintext = try await protector.open(Array(bytes), for: subject) else {
          return ["subject": text, "erased": true]
        }
        object["sealed"] = nil
        object["value"] = plaintext.withUnsafeBytes { raw -> Any in
          var reader = BinaryReader(raw)
          return (try? String(from: &reader)) ?? Data(plaintext).base64EncodedString()
        }
        return object
      }
      for (key, value) in object {
        object[key] = try await open(value, only: only, erased: erased, with: protector)
      }
      return object
    }
    if let array = json as? [Any] {
      var opened: [Any] = []
      for value in array {
        opened.append(try await open(value, only: only, erased: erased, with: protector))
      }
      return opened
    }
    return json
  }
}
