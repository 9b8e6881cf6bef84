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
///
/// Its binary form is its raw text; it is read by matching the bytes against each case's text
/// (`BinaryDecodable`'s reading of a `CaseIterable` enum with text raw values).
public protocol TextEnum: RawRepresentable<String>, CaseIterable, Hashable, Sendable, Codable,
  BinaryCodable, JSONWritable, JSONReadable
{}
