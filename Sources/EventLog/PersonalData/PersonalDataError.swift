/// Why personal data could not be sealed, opened, shown or forgotten.
///
/// Reading an event whose subject was forgotten is not an error: its personal fields read as
/// erased (see ``Personal``). These errors are for what a caller asked and cannot have.
public struct PersonalDataError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What went wrong.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    /// The code's name.
    public let name: String

    /// Creates a code; the static members are the ones this library throws.
    public init(_ name: String) { self.name = name }

    /// The code's name.
    public var description: String { name }

    /// A personal value was to be written with no ``PersonalDataSealer`` to seal it: it is
    /// never written in plaintext instead.
    public static let noSealer = Code("noSealer")
    /// A personal value was to be written without its ``DataSubject``.
    public static let noSubject = Code("noSubject")
    /// New data was to be sealed for a subject that was already forgotten.
    public static let subjectErased = Code("subjectErased")
    /// The subject was forgotten before, by the erasure at ``PersonalDataError/position``.
    public static let alreadyErased = Code("alreadyErased")
    /// The log holds no data of this subject.
    public static let unknownSubject = Code("unknownSubject")
    /// The data key a value was sealed with is not in the key store (for example a value
    /// imported from another log without its keys).
    public static let keyUnavailable = Code("keyUnavailable")
    /// The master key is missing, malformed, or not the one the keys were wrapped with.
    public static let masterKey = Code("masterKey")
    /// Sealing or opening failed (a damaged ciphertext or wrapped key).
    public static let cryptography = Code("cryptography")
    /// The issuer may not see this subject's data.
    public static let notPermitted = Code("notPermitted")
  }

  /// What went wrong.
  public var code: Code
  /// What happened, in words.
  public var message: String
  /// The subject concerned, when there is one.
  public var subject: DataSubject?
  /// The log position concerned, such as an earlier erasure's.
  public var position: LogPosition?

  /// Creates an error.
  public init(
    _ code: Code, _ message: String, subject: DataSubject? = nil, position: LogPosition? = nil
  ) {
    self.code = code
    self.message = message
    self.subject = subject
    self.position = position
  }

  /// `code: message (subject …, position …)`.
  public var description: String {
    var parts: [String] = []
    if let subject { parts.append("subject \(subject)") }
    if let position { parts.append("position \(position)") }
    let context = parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    return "\(code): \(message)\(context)"
  }
}
