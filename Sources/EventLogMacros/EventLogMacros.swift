// The coding macros. The core (`EventLog`) declares the protocols; this module declares the
// macros that write conformances to them, so that only code that uses the macros builds
// swift-syntax. Importing it imports the core too.
@_exported import EventLog

/// Gives a struct its binary form: ``EventLog/BinaryEncodable/encode(to:)`` and
/// ``EventLog/BinaryDecodable/init(from:)`` over its stored properties, in the order they are
/// declared.
///
/// ```swift
/// @BinaryCodable
/// public struct Address: Hashable, Sendable {
///   public var city: String
///   public var region: String
///   public var postalCode: String? = nil
/// }
/// ```
///
/// Every stored property needs its type written out, and every type must itself be
/// binary-codable: the standard numbers, `Bool`, `String`, optionals, arrays, sets and
/// dictionaries of binary-codable values, enums with a binary-codable raw value that declare
/// the conformance, and other `@BinaryCodable` structs. A public type that declares no
/// initializer also gets a public memberwise initializer (Swift's own is internal).
///
/// A field added later must go at the end and be optional or have a default value: records
/// written before it existed end early, and the field then reads as `nil` or its default.
/// Renaming a field keeps its bytes; reordering fields or changing a type changes the binary
/// form, which needs a new schema version and an upcaster (see <doc:SchemaEvolution>).
///
/// The struct also gets ``EventLog/JSONWritable/writeJSON(to:)``: the JSON that Swift's
/// synthesized `Encodable` gives its stored properties (keys sorted, a `nil` optional left
/// out), written without `Encoder`, which ``EventLog/SortedJSONEncoder`` then uses. A struct
/// that declares its own `encode(to:)` or `CodingKeys` gets none (it is not made
/// `JSONWritable`), nor one that declares `writeJSON(to:)` itself. Likewise it gets
/// ``EventLog/JSONReadable/init(json:at:)``, what synthesized `Decodable` reads, which
/// ``EventLog/StrictJSONDecoder`` uses; none when it declares its own `init(from:)` or
/// `CodingKeys`. And, beside a generated writer, ``EventLog/BinaryJSONTranscodable``'s
/// `skipBinary(in:)` and `transcodeJSON(from:to:)`: the writer's JSON written straight from the
/// binary form, each field from its bytes, with no value made in between; beside a generated
/// reader, ``EventLog/JSONBinaryTranscodable``'s `transcodeBinary(json:at:to:)`, the other way.
@attached(
  extension,
  conformances: BinaryEncodable, BinaryDecodable, JSONWritable, JSONReadable,
  BinaryJSONTranscodable, JSONBinaryTranscodable,
  names: named(encode), named(init), named(writeJSON), named(skipBinary), named(transcodeJSON),
  named(transcodeBinary))
@attached(member, names: named(init))
public macro BinaryCodable() =
  #externalMacro(module: "EventLogMacroPlugin", type: "BinaryCodableMacro")

/// Declares an event: its binary form as ``BinaryCodable()`` writes it, its type name in the log
/// (the struct's name, unless the struct declares `eventType` itself) and, when given, the
/// schema version it is written with.
///
/// ```swift
/// @BinaryEvent
/// public struct BookLent: Hashable, Sendable {
///   public var book: String
///   public var borrower: String
///   public var due: String? = nil
/// }
/// ```
///
/// Like ``BinaryCodable()``, it also writes the struct's JSON (``EventLog/JSONWritable``), and
/// its transcoders between the binary form and JSON (``EventLog/BinaryJSONTranscodable``,
/// ``EventLog/JSONBinaryTranscodable``).
///
/// - Parameter version: The schema version new records are written with (1 when not given).
///   Records of earlier versions are read through upcasters registered in an ``EventSchema``.
@attached(
  extension,
  conformances: BinaryEvent, JSONWritable, JSONReadable, BinaryJSONTranscodable,
  JSONBinaryTranscodable,
  names: named(encode), named(init), named(writeJSON), named(skipBinary), named(transcodeJSON),
  named(transcodeBinary))
@attached(member, names: named(eventType), named(schemaVersion), named(init))
public macro BinaryEvent(version: Int = 1) =
  #externalMacro(module: "EventLogMacroPlugin", type: "BinaryEventMacro")

/// Declares an enum of events, one case per event type, each case wrapping one
/// ``BinaryEvent(version:)`` struct: the enum gets its decoder table, its type names, its
/// encoding switch, its schema versions, its `payload` and its `payloadTypes`.
///
/// ```swift
/// @EventFamily
/// public enum LibraryEvent: Equatable {
///   case lent(BookLent)
///   case returned(BookReturned)
/// }
/// ```
///
/// - Parameter payload: The protocol every case's event conforms to, which `payload` and
///   `payloadTypes` are typed with. Without it they are typed `any BinaryEvent`.
@attached(extension, conformances: EventFamily)
@attached(
  member, names: named(decoders), named(payloadTypes), named(eventType), named(encodePayload),
  named(payload), named(schemaVersion))
public macro EventFamily<Payload>(_ payload: Payload.Type) =
  #externalMacro(module: "EventLogMacroPlugin", type: "EventFamilyMacro")

/// Declares an enum of events whose `payload` is typed `any BinaryEvent`; see
/// ``EventFamily(_:)``.
@attached(extension, conformances: EventFamily)
@attached(
  member, names: named(decoders), named(payloadTypes), named(eventType), named(encodePayload),
  named(payload), named(schemaVersion))
public macro EventFamily() = #externalMacro(module: "EventLogMacroPlugin", type: "EventFamilyMacro")
