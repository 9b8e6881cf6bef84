import Foundation
import Synchronization

/// A moment, as whole nanoseconds since 1970-01-01T00:00:00Z.
///
/// Stored exactly in the binary form and written in JSON as RFC 3339 text with nine
/// fractional digits (`2018-05-18T09:30:00.000000000Z`), so that a time survives export and
/// import unchanged, which Foundation's `.iso8601` date strategy does not guarantee.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Nanoseconds since 1970-01-01T00:00:00Z (negative before).
  public var nanosecondsSince1970: Int64

  /// Creates a timestamp from nanoseconds since 1970.
  public init(nanosecondsSince1970: Int64) {
    self.nanosecondsSince1970 = nanosecondsSince1970
  }

  /// Creates a timestamp from a Foundation `Date`, rounded to the nearest microsecond.
  public init(_ date: Date) {
    let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
    self.init(nanosecondsSince1970: Int64(micros) * 1000)
  }

  /// Creates a timestamp for a calendar date and time in UTC.
  public init(
    year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
    nanosecond: Int = 0
  ) {
    let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
    let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    self.init(nanosecondsSince1970: seconds * 1_000_000_000 + Int64(nanosecond))
  }

  /// The moment as a Foundation `Date`.
  public var date: Date {
    Date(timeIntervalSince1970: Double(nanosecondsSince1970) / 1_000_000_000)
  }

  /// Compares two moments.
  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.nanosecondsSince1970 < rhs.nanosecondsSince1970
  }

  /// The RFC 3339 text form, in UTC with nine fractional digits.
  public var description: String {
    String(unsafeUninitializedCapacity: Self.textLength) { text in
      writeText(into: text)
      return Self.textLength
    }
  }

  /// The length of ``description``: every year a timestamp can hold (1677 to 2262) has four
  /// digits.
  static var textLength: Int { 30 }

  /// Appends ``description``'s bytes to `bytes`, without making a string: an export writes two
  /// a line.
  package func appendText(to bytes: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.textLength) { text in
      writeText(into: text)
      bytes.append(contentsOf: UnsafeBufferPointer(text))
    }
  }

  /// Writes the text form into the first 30 bytes of `text`, two digits at a time.
  private func writeText(into text: UnsafeMutableBufferPointer<UInt8>) {
    let (seconds, nanos) = nanosecondsSince1970.floorDividedAndRemainder(by: 1_000_000_000)
    let (days, secondOfDay) = seconds.floorDividedAndRemainder(by: 86_400)
    let (year, month, day) = Timestamp.civilFromDays(Int(days))
    let hour = Int(secondOfDay / 3600)
    let minute = Int(secondOfDay % 3600 / 60)
    let second = Int(secondOfDay % 60)
    let pairs = Self.digitPairs.utf8Start
    /// Writes the two digits of `value` (0 to 99) at `index`.
    func two(_ value: Int, at index: Int) {
      text[index] = pairs[2 * value]
      text[index + 1] = pairs[2 * value + 1]
    }
    two(year / 100, at: 0)
    two(year % 100, at: 2)
    text[4] = UInt8(ascii: "-")
    two(month, at: 5)
    text[7] = UInt8(ascii: "-")
    two(day, at: 8)
    text[10] = UInt8(ascii: "T")
    two(hour, at: 11)
    text[13] = UInt8(ascii: ":")
    two(minute, at: 14)
    text[16] = UInt8(ascii: ":")
    two(second, at: 17)
    text[19] = UInt8(ascii: ".")
    let nanoseconds = Int(nanos)
    text[20] = UInt8(ascii: "0") + UInt8(nanoseconds / 100_000_000)
    two(nanoseconds / 1_000_000 % 100, at: 21)
    two(nanoseconds / 10_000 % 100, at: 23)
    two(nanoseconds / 100 % 100, at: 25)
    two(nanoseconds % 100, at: 27)
    text[29] = UInt8(ascii: "Z")
  }

  /// "00" to "99", one after the other.
  private static let digitPairs: StaticString = """
    00010203040506070809101112131415161718192021222324252627282930313233343536373839\
    40414243444546474849505152535455565758596061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899
    """

  /// Parses RFC 3339 text in UTC (`Z`), with zero to nine fractional digits; `nil` for other
  /// text and for a time that a timestamp cannot hold (before 1677-09-21 or after 2262-04-11).
  public init?(rfc3339 text: String) {
    var text = text
    guard let time = text.withUTF8(Timestamp.parse) else { return nil }
    self = time
  }

  /// Parses the UTF-8 bytes of RFC 3339 text, as ``init(rfc3339:)`` does.
  static func parse(_ chars: UnsafeBufferPointer<UInt8>) -> Timestamp? {
    func number(_ from: Int, _ count: Int) -> Int? {
      guard from + count <= chars.count else { return nil }
      var value = 0
      for c in chars[from..<from + count] {
        guard c >= 48, c <= 57 else { return nil }
        value = value * 10 + Int(c - 48)
      }
      return value
    }
    guard chars.count >= 20, chars[4] == 45, chars[7] == 45, chars[10] == 84 || chars[10] == 116,
      chars[13] == 58, chars[16] == 58, chars.last == 90 || chars.last == 122,
      let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
      let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var nanos = 0
    if chars.count > 20 {
      guard chars[19] == 46 else { return nil }
      let digits = chars.count - 21
      guard (1...9).contains(digits), let fraction = number(20, digits) else { return nil }
      nanos = fraction
      for _ in digits..<9 { nanos *= 10 }
    } else if chars.count != 20 {
      return nil
    }
    // A year outside 1677...2262 does not fit the nanoseconds: refused, not an overflow trap.
    let days = Int64(Timestamp.daysFromCivil(year: year, month: month, day: day))
    let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    // Before 1970 the fraction is added to the next second down, so that 1677's last
    // representable moments do not overflow on the way.
    let borrow: Int64 = seconds < 0 && nanos > 0 ? 1 : 0
    let (whole, overflow) = (seconds + borrow).multipliedReportingOverflow(by: 1_000_000_000)
    let (total, carry) = whole.addingReportingOverflow(Int64(nanos) - borrow * 1_000_000_000)
    guard !overflow, !carry else { return nil }
    return Timestamp(nanosecondsSince1970: total)
  }

  /// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's
  /// days-from-civil algorithm); valid far beyond the range of ``Timestamp`` itself.
  public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The date of a count of days since 1970-01-01, the inverse of
  /// ``daysFromCivil(year:month:day:)``.
  public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}

extension Int64 {
  fileprivate func floorDividedAndRemainder(by divisor: Int64) -> (Int64, Int64) {
    var quotient = self / divisor
    var remainder = self % divisor
    if remainder < 0 {
      quotient -= 1
      remainder += divisor
    }
    return (quotient, remainder)
  }
}

extension Timestamp: Codable {
  /// Decodes a timestamp from RFC 3339 text.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let value = Timestamp(rfc3339: text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "not an RFC 3339 UTC time: \(text.debugDescription)")
    }
    self = value
  }

  /// Encodes the timestamp as RFC 3339 text with nine fractional digits.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}

/// Tells the time; injected wherever events are stamped, so that tests and replays are
/// deterministic.
public struct EventClock: Sendable {
  private let read: @Sendable () -> Timestamp

  /// Creates a clock from a function that returns the current time.
  public init(_ read: @escaping @Sendable () -> Timestamp) {
    self.read = read
  }

  /// The current time.
  public func now() -> Timestamp { read() }

  /// The system's wall clock.
  public static let system = EventClock {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(nanosecondsSince1970: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
  }

  /// A clock that always says `time`.
  public static func fixed(_ time: Timestamp) -> EventClock {
    EventClock { time }
  }

  /// A clock that starts at `start` and moves forward by `step` nanoseconds each time it is
  /// read: deterministic, and every reading is distinct.
  public static func stepping(from start: Timestamp, byNanoseconds step: Int64 = 1_000_000)
    -> EventClock
  {
    let current = Mutex(start.nanosecondsSince1970)
    return EventClock {
      current.withLock { value in
        defer { value += step }
        return Timestamp(nanosecondsSince1970: value)
      }
    }
  }
}

/// A clock that tells the time it was last set to: for simulations that record a past (or
/// invented) calendar, and for tests. Share its ``clock`` with a store so that the store's
/// recorded times follow the simulated time.
public final class ManualClock: Sendable {
  private let current: Mutex<Timestamp>

  /// A clock that says `start` until it is set.
  public init(_ start: Timestamp) {
    current = Mutex(start)
  }

  /// The time it says now.
  public var now: Timestamp { current.withLock { $0 } }

  /// Sets the time (forwards or backwards: a store never records time running backwards).
  public func set(_ time: Timestamp) {
    current.withLock { $0 = time }
  }

  /// Moves the time forwards to `time`; an earlier `time` leaves it where it is.
  public func advance(to time: Timestamp) {
    current.withLock { $0 = max($0, time) }
  }

  /// The clock to inject.
  public var clock: EventClock {
    EventClock { [self] in now }
  }
}
