import EventLog
import EventLogMacros

/// A component of a fund, as data: the seeds' fund has a participation component (one
/// consultation) and a leadership component (three meetings within a year).
@BinaryCodable
public struct FundComponent: Hashable, Sendable, Codable, BinaryCodable {
  /// The component's identifier, such as `participation`.
  public var id: String
  /// The name applicants see, such as `Leadership`; `id` is what applications refer to.
  public var name: String
  /// How many meetings it covers.
  public var meetingsCovered: Int
  /// Within how many months the meetings fall.
  public var withinMonths: Int
}
