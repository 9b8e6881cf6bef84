import Council
import Foundation

/// A small, fast, seedable random source (SplitMix64) shared by the decoders below; a class, so
/// that every container of one value draws from the same sequence.
final class RandomSource {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  func int(in range: ClosedRange<Int>) -> Int {
    let width = UInt64(range.upperBound - range.lowerBound) &+ 1
    return width == 0 ? Int(truncatingIfNeeded: next()) : range.lowerBound + Int(next() % width)
  }

  func bool() -> Bool { next() & 1 == 1 }

  /// Text from several scripts, with quotes, escapes and an emoji, so that both forms meet
  /// multi-byte UTF-8 and JSON escaping.
  func string() -> String {
    let alphabet = Array("abcXYZ09 -_'\"\\/\n\té中ö🙂ا")
    return String((0..<int(in: 0...12)).map { _ in alphabet[int(in: 0...(alphabet.count - 1))] })
  }

  func integer() -> Int {
    switch int(in: 0...3) {
    case 0: return int(in: -3...3)
    case 1: return int(in: 0...100_000)
    case 2: return Int(truncatingIfNeeded: next())
    default: return [Int.min, Int.max, 0][int(in: 0...2)]
    }
  }
}

/// A value the random decoder must not make field by field, because its text form has rules.
protocol RandomlySampled {
  static func sample(from source: RandomSource) -> Self
}

extension Day: RandomlySampled {
  static func sample(from source: RandomSource) -> Day {
    Day(daysSince1970: source.int(in: -719_528...2_932_896))
  }
}

extension Identifier: RandomlySampled {
  static func sample(from source: RandomSource) -> Identifier {
    Identifier("id-\(source.int(in: 0...1_000_000))")
  }
}

/// A decoder that answers every question with a random value: decoding any `Decodable` type
/// through it makes a random value of that type, whatever its fields. The property tests use it
/// to make every event type without a generator written for each.
struct RandomValueDecoder: Decoder {
  let source: RandomSource
  var codingPath: [any CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(source: RandomSource) { self.source = source }

  /// A random value of `type`: a sampled one for the types with rules, a decoded one otherwise.
  static func value<T: Decodable>(_ type: T.Type, source: RandomSource) throws -> T {
    if let sampled = T.self as? any RandomlySampled.Type,
      let value = sampled.sample(from: source) as? T
    {
      return value
    }
    if let textEnum = T.self as? any TextEnum.Type, let value = randomCase(textEnum, source) as? T {
      return value
    }
    return try T(from: RandomValueDecoder(source: source))
  }

  private static func randomCase<E: TextEnum>(_: E.Type, _ source: RandomSource) -> E? {
    let cases = Array(E.allCases)
    return cases.isEmpty ? nil : cases[source.int(in: 0...(cases.count - 1))]
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    KeyedDecodingContainer(Keyed<Key>(source: source))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    Unkeyed(source: source, count: source.int(in: 0...3))
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(source: source) }

  /// A primitive the random decoder has no rule for is a mistake in the test, said as such.
  fileprivate static func scalar<T>(_ type: T.Type, _ source: RandomSource) throws -> T {
    guard let value = primitive(type, source) else {
      throw DecodingError.typeMismatch(
        type, DecodingError.Context(codingPath: [], debugDescription: "no random \(type)"))
    }
    return value
  }

  /// The primitives every container hands out.
  fileprivate static func primitive<T>(_ type: T.Type, _ source: RandomSource) -> T? {
    switch type {
    case is String.Type: return source.string() as? T
    case is Int.Type: return source.integer() as? T
    case is Bool.Type: return source.bool() as? T
    case is Double.Type: return (Double(source.int(in: -1_000_000...1_000_000)) / 64) as? T
    case is Int64.Type: return Int64(source.integer()) as? T
    case is UInt64.Type: return source.next() as? T
    case is UInt8.Type: return UInt8(truncatingIfNeeded: source.next()) as? T
    case is UInt16.Type: return UInt16(truncatingIfNeeded: source.next()) as? T
    case is UInt32.Type: return UInt32(truncatingIfNeeded: source.next()) as? T
    case is UInt.Type: return UInt(truncatingIfNeeded: source.next()) as? T
    case is Int8.Type: return Int8(truncatingIfNeeded: source.next()) as? T
    case is Int16.Type: return Int16(truncatingIfNeeded: source.next()) as? T
    case is Int32.Type: return Int32(truncatingIfNeeded: source.next()) as? T
    case is Float.Type: return (Float(source.int(in: -10_000...10_000)) / 8) as? T
    default: return nil
    }
  }

  private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let source: RandomSource
    var codingPath: [any CodingKey] { [] }
    /// Random keys, for dictionaries keyed by text; a struct's own keys reject them.
    var allKeys: [Key] {
      (0..<source.int(in: 0...3)).compactMap { _ in Key(stringValue: source.string()) }
    }
    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { source.int(in: 0...3) == 0 }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
      if let value = RandomValueDecoder.primitive(type, source) { return value }
      return try RandomValueDecoder.value(type, source: source)
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key)
      throws -> KeyedDecodingContainer<NestedKey>
    { KeyedDecodingContainer(Keyed<NestedKey>(source: source)) }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
      Unkeyed(source: source, count: source.int(in: 0...3))
    }
    func superDecoder() throws -> any Decoder { RandomValueDecoder(source: source) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RandomValueDecoder(source: source) }
    private func decode<T>(_ type: T.Type) throws -> T {
      try RandomValueDecoder.scalar(type, source)
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type) }
  }

  private struct Unkeyed: UnkeyedDecodingContainer {
    let source: RandomSource
    let total: Int
    var currentIndex = 0
    var codingPath: [any CodingKey] { [] }
    var count: Int? { total }
    var isAtEnd: Bool { currentIndex >= total }

    init(source: RandomSource, count: Int) {
      self.source = source
      self.total = count
    }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
      currentIndex += 1
      if let value = RandomValueDecoder.primitive(type, source) { return value }
      return try RandomValueDecoder.value(type, source: source)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
      -> KeyedDecodingContainer<NestedKey>
    {
      currentIndex += 1
      return KeyedDecodingContainer(Keyed<NestedKey>(source: source))
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
      currentIndex += 1
      return Unkeyed(source: source, count: source.int(in: 0...3))
    }
    mutating func superDecoder() throws -> any Decoder { RandomValueDecoder(source: source) }
    mutating func decode(_ type: Bool.Type) throws -> Bool {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: String.Type) throws -> String {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: Int.Type) throws -> Int {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: Int8.Type) throws -> Int8 {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: Int16.Type) throws -> Int16 {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: Int32.Type) throws -> Int32 {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: Int64.Type) throws -> Int64 {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: UInt.Type) throws -> UInt {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
      currentIndex += 1
      return try RandomValueDecoder.scalar(type, source)
    }
  }

  private struct Single: SingleValueDecodingContainer {
    let source: RandomSource
    var codingPath: [any CodingKey] { [] }
    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
      if let value = RandomValueDecoder.primitive(type, source) { return value }
      return try RandomValueDecoder.value(type, source: source)
    }
    func decode(_ type: Bool.Type) throws -> Bool { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: String.Type) throws -> String {
      try RandomValueDecoder.scalar(type, source)
    }
    func decode(_ type: Double.Type) throws -> Double {
      try RandomValueDecoder.scalar(type, source)
    }
    func decode(_ type: Float.Type) throws -> Float { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: Int.Type) throws -> Int { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: Int8.Type) throws -> Int8 { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: Int16.Type) throws -> Int16 { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: Int32.Type) throws -> Int32 { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: Int64.Type) throws -> Int64 { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: UInt.Type) throws -> UInt { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try RandomValueDecoder.scalar(type, source) }
    func decode(_ type: UInt16.Type) throws -> UInt16 {
      try RandomValueDecoder.scalar(type, source)
    }
    func decode(_ type: UInt32.Type) throws -> UInt32 {
      try RandomValueDecoder.scalar(type, source)
    }
    func decode(_ type: UInt64.Type) throws -> UInt64 {
      try RandomValueDecoder.scalar(type, source)
    }
  }
}
