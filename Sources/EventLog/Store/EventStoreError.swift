/// An error from an event store or from decoding what it holds: what went wrong, and where.
///
/// Match on ``code`` in a `catch`; the other properties say where it happened, when they apply:
///
/// ```swift
/// do {
///   try await store.append(events, to: "member-42", expectedVersion: .exactly(7))
/// } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
///   print("member-42 is at \(error.actualVersion.map(String.init) ?? "no stream")")
/// }
/// ```
///
/// Codes are values of an extensible struct (in the manner of swift-nio's error codes), so a
/// store can add codes without breaking anyone's `switch`.
public struct EventStoreError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What kind of error this is.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    /// The code's name, such as `wrongExpectedVersion`.
    public let name: String

    /// Creates a code. Stores may define their own.
    public init(_ name: String) { self.name = name }

    /// The code's name.
    public var description: String { name }

    /// The stream's version is not what the append expected. Nothing was written.
    public static let wrongExpectedVersion = Code("wrongExpectedVersion")
    /// An event ID is already in the log at another place. Nothing was written.
    public static let duplicateEventID = Code("duplicateEventID")
    /// A stream name is empty, too long, or contains NUL.
    public static let invalidStreamName = Code("invalidStreamName")
    /// An argument is out of range, such as an empty batch or a limit below 1.
    public static let invalidArgument = Code("invalidArgument")
    /// A stored record or payload could not be decoded.
    public static let corruptRecord = Code("corruptRecord")
    /// A payload has an event type, or a schema version of it, that the reader cannot decode.
    public static let unknownEventType = Code("unknownEventType")
    /// An event could not be encoded for storage.
    public static let encodingFailed = Code("encodingFailed")
    /// The path holds something that is not an event log of this library.
    public static let foreignFile = Code("foreignFile")
    /// The log was written in a newer storage format than this version of the library reads.
    public static let unsupportedFormatVersion = Code("unsupportedFormatVersion")
    /// The storage engine reported an error (disk full, permissions, I/O).
    public static let storageFailure = Code("storageFailure")
    /// The store was closed.
    public static let closed = Code("closed")
    /// The disk (or the file system holding the log) is full: nothing of the failed operation
    /// was written.
    public static let storageFull = Code("storageFull")
    /// The store was opened read-only, or its files cannot be written: it refuses to append
    /// or save.
    public static let readOnly = Code("readOnly")
    /// A recorded time earlier than the event before it: the log's recorded times never run
    /// backwards.
    public static let timeOrder = Code("timeOrder")
  }

  /// What kind of error this is.
  public var code: Code
  /// A sentence saying what went wrong.
  public var message: String
  /// The stream concerned, when there is one.
  public var stream: StreamName?
  /// What the append expected of the stream's version.
  public var expectedVersion: ExpectedVersion?
  /// The stream's actual version (`nil` with ``stream`` set: the stream does not exist).
  public var actualVersion: StreamVersion?
  /// The version of the event concerned.
  public var version: StreamVersion?
  /// The log position concerned.
  public var position: LogPosition?
  /// The event type concerned.
  public var eventType: String?
  /// The event ID concerned.
  public var eventID: EventID?
  /// The file or directory concerned.
  public var path: String?

  /// Creates an error; set the context properties that apply.
  public init(
    _ code: Code, _ message: String, stream: StreamName? = nil,
    expectedVersion: ExpectedVersion? = nil, actualVersion: StreamVersion? = nil,
    version: StreamVersion? = nil, position: LogPosition? = nil, eventType: String? = nil,
    eventID: EventID? = nil, path: String? = nil
  ) {
    self.code = code
    self.message = message
    self.stream = stream
    self.expectedVersion = expectedVersion
    self.actualVersion = actualVersion
    self.version = version
    self.position = position
    self.eventType = eventType
    self.eventID = eventID
    self.path = path
  }

  /// The error as one line: the code, the message, and every context property that is set.
  public var description: String {
    var parts: [String] = []
    if let stream { parts.append("stream \(stream)") }
    if let version { parts.append("version \(version)") }
    if let expectedVersion { parts.append("expected \(expectedVersion)") }
    if expectedVersion != nil {
      parts.append("actual \(actualVersion.map { "version \($0)" } ?? "no stream")")
    }
    if let position { parts.append("position \(position)") }
    if let eventType { parts.append("event type \(eventType)") }
    if let eventID { parts.append("event \(eventID)") }
    if let path { parts.append("path \(path)") }
    let context = parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    return "\(code): \(message)\(context)"
  }

  static func wrongExpectedVersion(
    _ stream: StreamName, expected: ExpectedVersion, actual: StreamVersion?
  ) -> EventStoreError {
    EventStoreError(
      .wrongExpectedVersion, "the stream is not at the expected version", stream: stream,
      expectedVersion: expected, actualVersion: actual)
  }
}

extension EventStoreError.Code {
  /// Matches an error that is an ``EventStoreError`` with this code, so that
  /// `catch EventStoreError.Code.wrongExpectedVersion` works.
  public static func ~= (code: EventStoreError.Code, error: any Error) -> Bool {
    (error as? EventStoreError)?.code == code
  }
}
