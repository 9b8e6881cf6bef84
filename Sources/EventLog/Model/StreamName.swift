/// The name of a stream: one aggregate's own sequence of events, such as `member-42`.
///
/// A stream's *category* is the part of its name before the first `-` (`member` for
/// `member-42`); a name without a `-` is its own category. Categories let a reader ask for
/// "every member event" without knowing every member.
///
/// A name is non-empty UTF-8 text without NUL characters and at most
/// ``StreamName/maximumLength`` bytes long.
public struct StreamName: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The longest name, in UTF-8 bytes, that a store accepts.
  public static let maximumLength = 500

  /// The full name, such as `member-42`.
  public let rawValue: String

  /// Creates a stream name, checking that it is valid.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/invalidStreamName``
  ///   when the name is empty, too long or contains a NUL character.
  public init(validating rawValue: String) throws(EventStoreError) {
    guard Self.isValid(rawValue) else {
      throw EventStoreError(
        .invalidStreamName,
        "stream name \(rawValue.debugDescription) must be 1 to \(Self.maximumLength) UTF-8 bytes without NUL"
      )
    }
    self.rawValue = rawValue
  }

  /// Creates a stream name from a category and an identifier: `StreamName(category: "member", id: "42")`
  /// is `member-42`.
  ///
  /// The category must not itself contain a `-`, otherwise the name would fall into another
  /// category; this is checked with a precondition.
  public init(category: String, id: String) {
    precondition(!category.contains("-"), "a category must not contain '-': \(category)")
    self.init(category + "-" + id)
  }

  /// Creates a stream name from a literal or a known-good string.
  ///
  /// Use ``init(validating:)`` for names that come from input.
  public init(_ rawValue: String) {
    precondition(Self.isValid(rawValue), "invalid stream name \(rawValue.debugDescription)")
    self.rawValue = rawValue
  }

  /// Creates a stream name without checking it, for names read back from a store.
  package init(unchecked rawValue: String) {
    self.rawValue = rawValue
  }

  /// Whether `name` can be used as a stream name.
  public static func isValid(_ name: String) -> Bool { isValid(utf8: name.utf8) }

  /// Whether the UTF-8 bytes of a name make a valid stream name: the same rule as
  /// ``isValid(_:)``, for a reader that holds a name's bytes and no string.
  @inlinable package static func isValid(utf8: some Collection<UInt8>) -> Bool {
    let count = utf8.count
    return count > 0 && count <= maximumLength && !utf8.contains(0)
  }

  /// The part before the first `-`, or the whole name when it has none.
  public var category: String {
    // Searched as UTF-8 bytes: `-` is ASCII, and byte search is far cheaper than characters.
    guard let dash = rawValue.utf8.firstIndex(of: UInt8(ascii: "-")) else { return rawValue }
    return String(rawValue[..<dash])
  }

  /// The part after the first `-`, or `nil` when the name has none.
  public var id: String? {
    let utf8 = rawValue.utf8
    guard let dash = utf8.firstIndex(of: UInt8(ascii: "-")) else { return nil }
    return String(rawValue[utf8.index(after: dash)...])
  }

  /// The full name.
  public var description: String { rawValue }

  /// Orders names by their UTF-8 bytes.
  public static func < (lhs: StreamName, rhs: StreamName) -> Bool {
    lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
  }
}

extension StreamName: ExpressibleByStringLiteral {
  /// Creates a stream name from a string literal such as `"member-42"`.
  public init(stringLiteral value: String) {
    self.init(value)
  }
}

extension StreamName: ExpressibleByStringInterpolation {
  /// Creates a stream name from an interpolated literal such as `"member-\(id)"`.
  public init(stringInterpolation: DefaultStringInterpolation) {
    self.init(String(stringInterpolation: stringInterpolation))
  }
}

extension StreamName: Codable {
  /// Decodes a stream name from a single string, validating it.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let raw = try container.decode(String.self)
    do {
      try self.init(validating: raw)
    } catch {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: error.description)
    }
  }

  /// Encodes the stream name as a single string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
