/// One problem a store's `verify(payloads:)` found: where, and what.
///
/// Shared by every store that checks its log (`LMDBEventStore.verify(payloads:)`,
/// `PostgresEventStore.verify(payloads:)`), so that a program reports them alike.
public struct VerificationProblem: Sendable, Hashable, CustomStringConvertible {
  /// The log position the problem is at or starts from, when it has one.
  public var position: LogPosition?
  /// The stream concerned, when there is one.
  public var stream: StreamName?
  /// What is wrong.
  public var message: String

  /// Leave `position` and `stream` `nil` for a problem that concerns the whole log.
  public init(position: LogPosition? = nil, stream: StreamName? = nil, message: String) {
    self.position = position
    self.stream = stream
    self.message = message
  }

  /// `position 12 (member-4): …`, or `log: …` when the problem has no position.
  public var description: String {
    let place = position.map { "position \($0)" } ?? "log"
    let streamPart = stream.map { " (\($0))" } ?? ""
    return "\(place)\(streamPart): \(message)"
  }
}

/// What a store's `verify(payloads:)` checked and found.
public struct VerificationReport: Sendable {
  /// The head of the snapshot that was checked.
  public var head: LogPosition
  /// How many records were read.
  public var records: Int
  /// How many streams the log has.
  public var streams: Int
  /// Every problem found, in the order found (records first, then the indexes).
  public var problems: [VerificationProblem]

  /// Stores build it after a check; an empty `problems` means nothing was found wrong.
  public init(head: LogPosition, records: Int, streams: Int, problems: [VerificationProblem]) {
    self.head = head
    self.records = records
    self.streams = streams
    self.problems = problems
  }

  /// Whether no problem was found.
  public var isHealthy: Bool { problems.isEmpty }
}
