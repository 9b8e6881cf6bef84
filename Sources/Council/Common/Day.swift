import EventLog

extension Timestamp {
  /// The moment `minutes` minutes later.
  public func advanced(byMinutes minutes: Int) -> Timestamp {
    Timestamp(nanosecondsSince1970: nanosecondsSince1970 + Int64(minutes) * 60_000_000_000)
  }
}

/// A calendar day, such as a membership term's end or a conference's first day.
///
/// Written `2018-05-18` in JSON and as a count of days since 1970-01-01 in the binary form.
public struct Day: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, BinaryCodable {
  /// Days since 1970-01-01 (negative before).
  public var daysSince1970: Int

  /// Creates a day from days since 1970-01-01.
  public init(daysSince1970: Int) { self.daysSince1970 = daysSince1970 }

  /// Creates a day from a calendar date.
  public init(_ year: Int, _ month: Int, _ day: Int) {
    daysSince1970 = Int(
      Timestamp(year: year, month: month, day: day).nanosecondsSince1970 / 86_400_000_000_000)
  }

  /// The day a moment falls on, in UTC.
  public init(_ time: Timestamp) {
    let nanos = time.nanosecondsSince1970
    let perDay: Int64 = 86_400_000_000_000
    daysSince1970 = Int(nanos >= 0 ? nanos / perDay : (nanos - perDay + 1) / perDay)
  }

  /// Parses `YYYY-MM-DD`.
  public init?(_ text: String) {
    guard let time = Timestamp(rfc3339: text + "T00:00:00Z") else { return nil }
    self.init(time)
  }

  /// The day's first moment, in UTC.
  public var start: Timestamp {
    Timestamp(nanosecondsSince1970: Int64(daysSince1970) * 86_400_000_000_000)
  }

  /// The year, month and day.
  public var components: (year: Int, month: Int, day: Int) {
    let text = start.description
    let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
    return (parts[0], parts[1], parts[2])
  }

  /// The day `count` days later (earlier when negative).
  public func adding(days count: Int) -> Day { Day(daysSince1970: daysSince1970 + count) }

  /// The same day `count` months later, clamped to the month's last day.
  public func adding(months count: Int) -> Day {
    let (year, month, day) = components
    let total = year * 12 + (month - 1) + count
    let newYear = total / 12
    let newMonth = total % 12 + 1
    var candidate = Day(newYear, newMonth, day)
    while candidate.components.month != newMonth { candidate = candidate.adding(days: -1) }
    return candidate
  }

  /// `YYYY-MM-DD`.
  public var description: String { String(start.description.prefix(10)) }

  /// Compares two days.
  public static func < (lhs: Day, rhs: Day) -> Bool { lhs.daysSince1970 < rhs.daysSince1970 }

  /// Encodes the day as `YYYY-MM-DD`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// Decodes a day from `YYYY-MM-DD`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let day = Day(text) else {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a day: \(text)")
    }
    self = day
  }

  /// Writes the day number.
  public func encode(to writer: inout BinaryWriter) { writer.write(daysSince1970) }

  /// Reads the day number.
  public init(from reader: inout BinaryReader) throws {
    daysSince1970 = try reader.read(Int.self)
  }
}
