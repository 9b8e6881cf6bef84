/// The version of a stream: the number of events in it.
///
/// A stream's first event has version 1, its second version 2, and so on without gaps. A stream
/// that has no events does not exist; its version is reported as `nil` by
/// ``EventStore/currentVersion(of:)``.
public struct StreamVersion: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  CustomStringConvertible, ExpressibleByIntegerLiteral
{
  /// The version as a number, 1 for a stream's first event.
  public var rawValue: UInt64

  /// Takes the number as is: 1 is a stream's first event; 0 is a stream with no events.
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// The unlabelled form of ``init(rawValue:)``, as in `StreamVersion(3)`.
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }

  /// Lets code write `3` where a version is expected, as tests and samples do.
  public init(integerLiteral value: UInt64) { self.rawValue = value }

  /// The version of a stream's first event.
  public static let first = StreamVersion(1)

  /// The version after this one.
  public var next: StreamVersion { StreamVersion(rawValue + 1) }

  /// The number, as text.
  public var description: String { String(rawValue) }

  /// Compares two versions by number.
  public static func < (lhs: StreamVersion, rhs: StreamVersion) -> Bool {
    lhs.rawValue < rhs.rawValue
  }

  /// Encodes the version as a bare number.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }

  /// Decodes the version from a bare number.
  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(UInt64.self)
  }
}

/// What a writer expects of a stream's version when it appends, for optimistic concurrency.
///
/// A writer that loaded a stream at version 7 appends with `.exactly(7)`; if someone else
/// appended in between, the store refuses the append with
/// ``EventStoreError/Code/wrongExpectedVersion`` and nothing is written.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
  /// Append whatever the stream's version is.
  case any
  /// The stream must not exist yet (it has no events). Used to reserve unique names.
  case noStream
  /// The stream must exist (have at least one event).
  case streamExists
  /// The stream's current version must be exactly this one.
  case exactly(StreamVersion)

  /// Whether a stream currently at `current` (`nil` when it does not exist) satisfies this
  /// expectation.
  public func isSatisfied(by current: StreamVersion?) -> Bool {
    switch self {
    case .any: return true
    case .noStream: return current == nil
    case .streamExists: return current != nil
    case .exactly(let version): return current == version
    }
  }

  /// The expectation that the stream is at `version`, or does not exist when `version` is `nil`.
  public static func at(_ version: StreamVersion?) -> ExpectedVersion {
    version.map { .exactly($0) } ?? .noStream
  }

  /// A short description such as `exactly 7` or `no stream`.
  public var description: String {
    switch self {
    case .any: return "any"
    case .noStream: return "no stream"
    case .streamExists: return "stream exists"
    case .exactly(let version): return "exactly \(version)"
    }
  }
}
