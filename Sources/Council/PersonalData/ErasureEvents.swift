import EventLog
import EventLogMacros

// The record of an erasure (stream `erasure-SUBJECT`, see ``Streams/erasure(_:)``): who was
// forgotten, when, at whose request and under which rule. It holds no personal data: the
// subject's identifier is a registration, account or application number.

/// A person's data was erased: every data key of the subject was destroyed, so that each
/// personal field sealed for them reads as erased from now on.
@BinaryEvent
public struct PersonalDataErased: CouncilEvent {
  /// Whose data.
  public var subject: DataSubject
  /// The day of the erasure.
  public var on: Day
  /// Who asked: the issuer, as the metadata names it (`office`).
  public var requestedBy: String
  /// Why, in words: the person's request, a retention rule, a correction.
  public var reason: String
  /// The retention rule applied, when it was one (see ``RetentionRule``).
  public var rule: String? = nil
}

/// Every event of an erasure's stream.
@EventFamily(CouncilEvent.self)
public enum ErasureEvent: CouncilEventFamily {
  /// The subject's data was erased.
  case erased(PersonalDataErased)
}

extension Streams {
  /// `erasure-KIND:ID`: the erasure of one subject; written once, with expected version "no
  /// stream", so that a subject is forgotten once.
  public static func erasure(_ subject: DataSubject) -> StreamName {
    StreamName(category: "erasure", id: subject.description)
  }
}
