import EventLog

extension Timestamp {
  /// The moment `minutes` minutes later.
  public func advanced(byMinutes minutes: Int) -> Timestamp {
    let (sum, overflow) = nanosecondsSince1970.addingReportingOverflow(
      Int64(minutes) * 60_000_000_000)
    return Timestamp(nanosecondsSince1970: overflow ? (minutes < 0 ? .min : .max) : sum)
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

  /// The date is not checked: an impossible one such as February 30 rolls over into March
  /// (parsing text refuses it).
  public init(_ year: Int, _ month: Int, _ day: Int) {
    daysSince1970 = Timestamp.daysFromCivil(year: year, month: month, day: day)
  }

  /// The day a moment falls on, in UTC.
  public init(_ time: Timestamp) {
    let nanos = time.nanosecondsSince1970
    let perDay: Int64 = 86_400_000_000_000
    daysSince1970 = Int(nanos >= 0 ? nanos / perDay : (nanos - perDay + 1) / perDay)
  }

  /// Parses `YYYY-MM-DD`: ten ASCII characters, digits but for the two hyphens.
  public init?(_ text: String) {
    var text = text
    guard let day = text.withUTF8(Day.parse) else { return nil }
    self = day
  }

  private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Day? {
    guard text.count == 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-") else {
      return nil
    }
    func number(_ digits: Range<Int>) -> Int? {
      var value = 0
      for index in digits {
        let digit = text[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        value = value * 10 + Int(digit)
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    let parsed = Day(year, month, day)
    guard parsed.components.month == month else { return nil }  // 2018-02-30
    return parsed
  }

  /// The day's first moment, in UTC (clamped to what a ``Timestamp`` can hold, years 1677 to
  /// 2262).
  public var start: Timestamp {
    let (nanos, overflow) = Int64(daysSince1970).multipliedReportingOverflow(by: 86_400_000_000_000)
    return Timestamp(nanosecondsSince1970: overflow ? (daysSince1970 < 0 ? .min : .max) : nanos)
  }

  /// The year, month and day.
  public var components: (year: Int, month: Int, day: Int) {
    Timestamp.civilFromDays(daysSince1970)
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
  public var description: String {
    let (year, month, day) = components
    func pad(_ value: Int, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

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
  ///
  /// - Throws: ``BinaryDecodingError`` for a day outside the years 0000 to 9999, which the
  ///   text form cannot write (and whose calendar date would overflow).
  public init(from reader: inout BinaryReader) throws {
    let start = reader.offset
    let days = try reader.read(Int.self)
    guard Day.binaryRange.contains(days) else {
      throw BinaryDecodingError(offset: start, reason: "day \(days) is outside years 0000 to 9999")
    }
    daysSince1970 = days
  }

  /// The days a payload may hold: 0000-01-01 to 9999-12-31.
  private static let binaryRange = firstDay...lastDay
  private static let firstDay = Timestamp.daysFromCivil(year: 0, month: 1, day: 1)
  private static let lastDay = Timestamp.daysFromCivil(year: 9999, month: 12, day: 31)
}

extension Day: JSONWritable {
  /// Writes `"YYYY-MM-DD"`, as ``encode(to:)`` does, digit by digit.
  public func writeJSON(to writer: inout JSONWriter) {
    let (year, month, day) = components
    guard (0...9999).contains(year) else {
      writer.string(description)
      return
    }
    func digits(_ value: Int, _ count: Int, _ out: inout [UInt8]) {
      var divisor = 1
      for _ in 1..<count { divisor *= 10 }
      while divisor > 0 {
        out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
        divisor /= 10
      }
    }
    writer.bytes.append(UInt8(ascii: "\""))
    digits(year, 4, &writer.bytes)
    writer.bytes.append(UInt8(ascii: "-"))
    digits(month, 2, &writer.bytes)
    writer.bytes.append(UInt8(ascii: "-"))
    digits(day, 2, &writer.bytes)
    writer.bytes.append(UInt8(ascii: "\""))
  }
}

extension Day: JSONReadable {
  /// Reads `YYYY-MM-DD`, as ``init(from:)`` does; anything else is left to `JSONDecoder`.
  public init(json reader: JSONReader, at node: Int) throws {
    guard let day = Day(try reader.string(at: node)) else {
      throw JSONReader.NotFollowed()
    }
    self = day
  }
}
