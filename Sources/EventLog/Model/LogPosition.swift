/// A place in the whole log: every event appended to any stream gets the next position.
///
/// Positions start at 1, are strictly increasing and have no gaps: the log's *head* is the
/// position of its last event, and the log holds exactly `head` events. Position 0,
/// ``LogPosition/start``, is the place before the first event; an empty log's head is 0.
public struct LogPosition: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  CustomStringConvertible, ExpressibleByIntegerLiteral
{
  /// The position as a number, 1 for the first event.
  public var rawValue: UInt64

  /// Takes the number as is: 1 is the log's first event; 0 is ``start``, before any event.
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// The unlabelled form of ``init(rawValue:)``, as in `LogPosition(7)`.
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }

  /// Lets code write `7` where a position is expected, as tests and samples do.
  public init(integerLiteral value: UInt64) { self.rawValue = value }

  /// The place before the first event: the head of an empty log.
  public static let start = LogPosition(0)

  /// The position of the log's first event.
  public static let first = LogPosition(1)

  /// The position after this one.
  public var next: LogPosition { LogPosition(rawValue + 1) }

  /// The number, as text.
  public var description: String { String(rawValue) }

  /// Compares two positions by number.
  public static func < (lhs: LogPosition, rhs: LogPosition) -> Bool {
    lhs.rawValue < rhs.rawValue
  }

  /// Encodes the position as a bare number.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }

  /// Decodes the position from a bare number.
  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(UInt64.self)
  }
}
