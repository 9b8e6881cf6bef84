import EventLog

/// One event type of the council: a struct with a binary form (the storage path) that is
/// also `Codable` (the JSON interchange path).
///
/// An event's days (`on`, `joinedOn`, …) are the council's dates, given by the command that
/// produced it; questions asked as of the end of a day (`AsOf.endOf(_:)`) go by the time the
/// log recorded the event instead, which may be later.
public protocol CouncilEvent: BinaryEvent, Codable, Hashable, JSONWritable, JSONReadable,
  BinaryJSONTranscodable, JSONBinaryTranscodable
{}

extension BinaryWriter {
  /// Writes a binary-encodable value that is optional, as a presence byte and the value.
  mutating func writeOptional<Value: BinaryEncodable>(_ value: Value?) {
    write(value)
  }

  /// Writes a set of strings in sorted order, so that the bytes are stable.
  mutating func write(sorted values: Set<String>) {
    write(values.sorted())
  }
}

extension BinaryReader {
  /// Reads a set of strings written by ``BinaryWriter/write(sorted:)``.
  mutating func readSet() throws -> Set<String> {
    Set(try read([String].self))
  }
}

/// An enum with a fixed text form, stored as its text.
public protocol TextEnum: RawRepresentable<String>, CaseIterable, Hashable, Sendable, Codable,
  BinaryCodable, JSONWritable, JSONReadable
{}

extension TextEnum {
  /// Writes the raw text.
  public func encode(to writer: inout BinaryWriter) { writer.write(rawValue) }

  /// Reads the raw text.
  public init(from reader: inout BinaryReader) throws {
    let start = reader.offset
    let text = try reader.read(String.self)
    guard let value = Self(rawValue: text) else {
      throw BinaryDecodingError(offset: start, reason: "\(Self.self) has no case \(text)")
    }
    self = value
  }
}
