import EventLog

/// A component of a fund, as data: the seeds' fund has a participation component (one
/// consultation) and a leadership component (three meetings within a year).
public struct FundComponent: Hashable, Sendable, Codable, BinaryCodable {
  /// The component's identifier, such as `participation`.
  public var id: String
  /// Its name.
  public var name: String
  /// How many meetings it covers.
  public var meetingsCovered: Int
  /// Within how many months the meetings fall.
  public var withinMonths: Int

  /// Creates a component.
  public init(id: String, name: String, meetingsCovered: Int, withinMonths: Int) {
    self.id = id
    self.name = name
    self.meetingsCovered = meetingsCovered
    self.withinMonths = withinMonths
  }

  /// Writes the fields in order.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(id)
    writer.write(name)
    writer.write(meetingsCovered)
    writer.write(withinMonths)
  }

  /// Reads the fields in order.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      id: try reader.read(String.self), name: try reader.read(String.self),
      meetingsCovered: try reader.read(Int.self), withinMonths: try reader.read(Int.self))
  }
}
