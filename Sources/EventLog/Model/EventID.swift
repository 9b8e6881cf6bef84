import Foundation
import Synchronization

/// The identity of one event: a UUID, time-ordered (version 7) when made by the default
/// generator.
///
/// IDs make appends idempotent: appending events whose IDs are already in the log, at the
/// same place, returns the first append's result and writes nothing.
public struct EventID: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The first eight bytes of the UUID, big-endian.
  public let high: UInt64
  /// The last eight bytes of the UUID, big-endian.
  public let low: UInt64

  /// Creates an ID from the UUID's two halves.
  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// Creates an ID from a Foundation `UUID`.
  public init(_ uuid: UUID) {
    let t = uuid.uuid
    let bytes = [
      t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9, t.10, t.11, t.12, t.13, t.14, t.15,
    ]
    self.init(bytes: bytes)
  }

  /// Creates an ID from its 16 bytes in network order.
  public init<Bytes: Collection<UInt8>>(bytes: Bytes) {
    precondition(bytes.count == 16, "an event ID has 16 bytes")
    var high: UInt64 = 0
    var low: UInt64 = 0
    for (index, byte) in bytes.enumerated() {
      if index < 8 {
        high = high << 8 | UInt64(byte)
      } else {
        low = low << 8 | UInt64(byte)
      }
    }
    self.init(high: high, low: low)
  }

  /// Parses the canonical text form, such as `0190f3c2-7a1b-7c3d-8e4f-0123456789ab`: 32 hex
  /// digits of either case in groups of 8, 4, 4, 4 and 12 separated by hyphens, as Foundation's
  /// `UUID(uuidString:)` takes it.
  public init?(uuidString: String) {
    var text = uuidString
    guard let id = text.withUTF8(EventID.parse) else { return nil }
    self = id
  }

  /// Parses the UTF-8 bytes of the canonical text form, as ``init(uuidString:)`` does.
  static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> EventID? {
    guard utf8.count == 36 else { return nil }
    var high: UInt64 = 0
    var low: UInt64 = 0
    var digits = 0
    for (index, byte) in utf8.enumerated() {
      if index == 8 || index == 13 || index == 18 || index == 23 {
        guard byte == UInt8(ascii: "-") else { return nil }
        continue
      }
      let value: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
      default: return nil
      }
      if digits < 16 {
        high = high << 4 | UInt64(value)
      } else {
        low = low << 4 | UInt64(value)
      }
      digits += 1
    }
    return EventID(high: high, low: low)
  }

  /// A random (version 4) ID.
  public static func random() -> EventID { EventID(UUID()) }

  /// The ID as a Foundation `UUID`.
  public var uuid: UUID {
    let h = high.bigEndian
    let l = low.bigEndian
    return withUnsafeBytes(of: (h, l)) { raw in
      UUID(
        uuid: (
          raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
          raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]
        ))
    }
  }

  /// The UUID version number (7 for time-ordered IDs, 4 for random ones).
  public var version: Int { Int((high >> 12) & 0xF) }

  /// The canonical lower-case text form.
  public var description: String {
    String(unsafeUninitializedCapacity: 36) { text in
      writeText(into: text)
      return 36
    }
  }

  /// Appends ``description``'s bytes to `bytes`, without making a string.
  package func appendText(to bytes: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
      writeText(into: text)
      bytes.append(contentsOf: UnsafeBufferPointer(text))
    }
  }

  /// Writes the canonical text form into the first 36 bytes of `text`: two digits a byte, a
  /// dash before bytes 4, 6, 8 and 10; eight digits at a time.
  private func writeText(into text: UnsafeMutableBufferPointer<UInt8>) {
    let raw = UnsafeMutableRawBufferPointer(text)
    /// Stores the eight digits of `value`'s low 32 bits at `offset`.
    func eight(_ value: UInt64, at offset: Int) {
      raw.storeBytes(
        of: Self.hexDigits(UInt32(truncatingIfNeeded: value)).littleEndian, toByteOffset: offset,
        as: UInt64.self)
    }
    /// Stores the four digits of `value`'s low 16 bits at `offset`.
    func four(_ value: UInt64, at offset: Int) {
      let digits = Self.hexDigits(UInt32(truncatingIfNeeded: value) & 0xFFFF)
      raw.storeBytes(
        of: UInt32(truncatingIfNeeded: digits >> 32).littleEndian, toByteOffset: offset,
        as: UInt32.self)
    }
    eight(high >> 32, at: 0)
    text[8] = UInt8(ascii: "-")
    four(high >> 16, at: 9)
    text[13] = UInt8(ascii: "-")
    four(high, at: 14)
    text[18] = UInt8(ascii: "-")
    four(low >> 48, at: 19)
    text[23] = UInt8(ascii: "-")
    four(low >> 32, at: 24)
    eight(low, at: 28)
  }

  /// The eight lower-case hex digits of `value`, the most significant in the word's lowest
  /// byte (first in memory once stored little-endian): each nibble spread into a byte of its
  /// own, then made a digit.
  private static func hexDigits(_ value: UInt32) -> UInt64 {
    var spread = UInt64(value)
    spread = (spread | spread << 16) & 0x0000_FFFF_0000_FFFF
    spread = (spread | spread << 8) & 0x00FF_00FF_00FF_00FF
    spread = (spread | spread << 4) & 0x0F0F_0F0F_0F0F_0F0F
    // The most significant nibble first in memory.
    spread = spread.byteSwapped
    // 1 in each byte whose nibble is 10 or more: those become `a` to `f`, 39 past `9` + 1.
    let letters = (spread &+ 0x0606_0606_0606_0606) >> 4 & 0x0101_0101_0101_0101
    return spread &+ 0x3030_3030_3030_3030 &+ letters &* 39
  }

  /// Orders IDs by their bytes, which for version 7 IDs is the order they were made in.
  public static func < (lhs: EventID, rhs: EventID) -> Bool {
    (lhs.high, lhs.low) < (rhs.high, rhs.low)
  }
}

extension EventID: Codable {
  /// Decodes an ID from its canonical text form.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let id = EventID(uuidString: text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "not a UUID: \(text.debugDescription)")
    }
    self = id
  }

  /// Encodes the ID in its canonical text form.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}

/// Makes event IDs; injected so that tests and replays produce identical logs.
///
/// The default, ``timeOrdered(clock:)``, makes UUID version 7 IDs: 48 bits of milliseconds
/// from the clock, then a counter and random bits, strictly increasing within one generator.
/// ``seeded(_:clock:)`` makes the same sequence every time for the same seed and clock.
public struct EventIDGenerator: Sendable {
  private let make: @Sendable () -> EventID

  /// Creates a generator from a function that returns a new ID on each call.
  public init(_ make: @escaping @Sendable () -> EventID) {
    self.make = make
  }

  /// A new ID.
  public func next() -> EventID { make() }

  /// Time-ordered UUID version 7 IDs with random bits from the system's generator.
  public static func timeOrdered(clock: EventClock = .system) -> EventIDGenerator {
    var system = SystemRandomNumberGenerator()
    return uuidV7(clock: clock, random: &system)
  }

  /// Time-ordered UUID version 7 IDs whose random bits come from a generator seeded with
  /// `seed`: the same seed and clock give the same IDs.
  public static func seeded(_ seed: UInt64, clock: EventClock) -> EventIDGenerator {
    var random = SplitMix64(seed: seed)
    return uuidV7(clock: clock, random: &random)
  }

  private static func uuidV7<R: RandomNumberGenerator & Sendable>(
    clock: EventClock, random: inout R
  ) -> EventIDGenerator {
    let state = Mutex(UUIDv7State(random: random))
    return EventIDGenerator {
      let millis = UInt64(max(0, clock.now().nanosecondsSince1970 / 1_000_000))
      return state.withLock { s in
        // 12 bits of counter after the milliseconds keep IDs made in one millisecond ordered.
        if millis > s.lastMillis {
          s.lastMillis = millis
          s.counter = s.random.next() & 0x3FF
        } else {
          s.counter += 1
          if s.counter > 0xFFF {
            s.lastMillis += 1
            s.counter = 0
          }
        }
        let high = (s.lastMillis & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | s.counter
        let low = (s.random.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return EventID(high: high, low: low)
      }
    }
  }
}

private struct UUIDv7State<G: RandomNumberGenerator> {
  var random: G
  var lastMillis: UInt64 = 0
  var counter: UInt64 = 0
}

/// A small, fast, seedable random number generator (SplitMix64), for reproducible IDs and
/// generated data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// Creates a generator whose sequence is fixed by `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
