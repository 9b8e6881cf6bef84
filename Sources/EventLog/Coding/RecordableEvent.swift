import Foundation

/// How an event's payload bytes are encoded. Recorded in each record's header.
public enum PayloadEncoding: UInt8, Sendable, Hashable, Codable {
  /// The library's compact binary form, written by ``BinaryWriter`` (the fast path).
  case binary = 0
  /// JSON with sorted keys, written by Foundation's `JSONEncoder` (the slower generic path for
  /// types that are only `Codable`).
  case json = 1
}

/// A type whose values can be recorded in the log as events.
///
/// One conforming type may stand for several event types: an aggregate's `enum` of events
/// reports each case's ``eventType`` and decodes each from its own type name. For a struct that
/// is one event type, conform to ``BinaryEvent`` (fast) or ``JSONEvent`` (simple) instead, which
/// fill in everything but the fields.
///
/// The event type name is recorded in the record's header (as an interned number), not in the
/// payload, so a reader that does not want an event skips it without decoding its payload.
public protocol RecordableEvent: Sendable {
  /// The recorded type name of this value, such as `MemberApplied`.
  var eventType: String { get }

  /// Every event type name this type writes; projections use it to say what they read.
  static var eventTypes: [String] { get }

  /// The schema version that ``encodePayload(to:)`` writes for `eventType`; 1 unless a type's
  /// layout changed in a way old readers cannot follow (see ``EventSchema``).
  static func schemaVersion(of eventType: String) -> UInt16

  /// How payloads of this type are encoded.
  static var payloadEncoding: PayloadEncoding { get }

  /// Writes the payload.
  func encodePayload(to writer: inout BinaryWriter) throws

  /// Reads a payload of the given type and schema version.
  ///
  /// - Throws: any error; stores report it as ``EventStoreError/Code/corruptRecord`` with the
  ///   position, stream and type.
  init(eventType: String, schemaVersion: UInt16, payload: inout BinaryReader) throws

  /// The decoder of `eventType`'s payloads, or `nil` when this type does not read it.
  ///
  /// Readers resolve it once per type (see ``RecordDecoder``), so that decoding a record
  /// costs no type-name comparison. The default calls
  /// ``init(eventType:schemaVersion:payload:)``; ``BinaryEvent`` and ``EventFamily`` give
  /// direct ones.
  static func payloadDecoder(for eventType: String) -> PayloadDecoder<Self>?
}

extension RecordableEvent {
  /// Version 1 for every type.
  public static func schemaVersion(of eventType: String) -> UInt16 { 1 }
  /// The binary form.
  public static var payloadEncoding: PayloadEncoding { .binary }

  /// A decoder that calls ``init(eventType:schemaVersion:payload:)``, for the types of
  /// ``eventTypes``.
  public static func payloadDecoder(for eventType: String) -> PayloadDecoder<Self>? {
    guard eventTypes.contains(eventType) else { return nil }
    return { version, reader in
      try Self(eventType: eventType, schemaVersion: version, payload: &reader)
    }
  }
}

/// A struct that is one event type, stored in the fast binary form.
///
/// Declared with the `@BinaryEvent` macro of `EventLogMacros`, which writes the conformance
/// from the struct's fields (<doc:DeclaringEvents>); by hand, it reads:
///
/// ```swift
/// struct MemberApplied: BinaryEvent, Codable, Equatable {
///   static let eventType = "MemberApplied"
///   var name: String
///   var region: String
///
///   func encode(to writer: inout BinaryWriter) {
///     writer.write(name)
///     writer.write(region)
///   }
/// }
///
/// // In an extension, so that the struct keeps its memberwise initializer.
/// extension MemberApplied {
///   init(from reader: inout BinaryReader) throws {
///     let name = try reader.read(String.self)
///     let region = try reader.read(String.self)
///     self.init(name: name, region: region)
///   }
/// }
/// ```
public protocol BinaryEvent: RecordableEvent, BinaryCodable {
  /// The recorded type name.
  static var eventType: String { get }
}

extension BinaryEvent {
  /// The static type name.
  public var eventType: String { Self.eventType }
  /// The one type name.
  public static var eventTypes: [String] { [eventType] }
  /// Writes the fields with ``BinaryEncodable/encode(to:)``.
  public func encodePayload(to writer: inout BinaryWriter) { encode(to: &writer) }
  /// Reads the fields with ``BinaryDecodable/init(from:)``; schema versions other than the
  /// current one need an upcaster in an ``EventSchema``.
  public init(eventType: String, schemaVersion: UInt16, payload: inout BinaryReader) throws {
    try self.init(from: &payload)
  }
  /// ``BinaryDecodable/init(from:)``, for ``eventType`` only.
  @inlinable
  public static func payloadDecoder(for eventType: String) -> PayloadDecoder<Self>? {
    guard eventType == Self.eventType else { return nil }
    return { _, reader in try Self(from: &reader) }
  }
}

/// A struct that is one event type and is stored as JSON: the slower, generic path for types
/// that are only `Codable`.
///
/// Decoding JSON is roughly 50 times slower than the binary form; use ``BinaryEvent`` for
/// events that are many.
public protocol JSONEvent: RecordableEvent, Codable {
  /// The recorded type name.
  static var eventType: String { get }
}

extension JSONEvent {
  /// The static type name.
  public var eventType: String { Self.eventType }
  /// The one type name.
  public static var eventTypes: [String] { [eventType] }
  /// JSON.
  public static var payloadEncoding: PayloadEncoding { .json }
  /// Writes the value as JSON with sorted keys, so that the bytes are stable.
  public func encodePayload(to writer: inout BinaryWriter) throws {
    writer.writeRaw(try SortedJSONEncoder().encode(self))
  }
  /// Reads the value from the JSON of the rest of the payload.
  public init(eventType: String, schemaVersion: UInt16, payload: inout BinaryReader) throws {
    let raw = try payload.readRaw(count: payload.remaining)
    self = try JSONDecoder().decode(Self.self, from: Data(raw))
  }
}

/// An event ready to append: its ID, type, schema version, encoded payload and metadata.
///
/// Make one from a typed event with ``init(_:id:metadata:)``, or from parts when copying
/// events between logs.
public struct EventData: Hashable, Sendable {
  /// The event's identity; appending the same IDs again at the same place is a no-op.
  public var id: EventID
  /// The event type name.
  public var eventType: String
  /// The schema version the payload was written at.
  public var schemaVersion: UInt16
  /// How the payload is encoded.
  public var encoding: PayloadEncoding
  /// The encoded payload.
  public var payload: [UInt8]
  /// When, who and why.
  public var metadata: EventMetadata
  /// The time the log recorded the event, when copying one log into another; `nil` (the
  /// usual case) lets the store stamp the time of the commit.
  ///
  /// A store refuses a recorded time earlier than the event before it with
  /// ``EventStoreError/Code/timeOrder``: recorded times never run backwards along a log.
  public var recordedTime: Timestamp?

  /// The event without a recorded time: as a program appends it, for the store to stamp.
  public var asAppended: EventData {
    var copy = self
    copy.recordedTime = nil
    return copy
  }

  /// Leave `recordedTime` `nil` unless copying a log: the store then stamps the commit's time.
  public init(
    id: EventID, eventType: String, schemaVersion: UInt16 = 1, encoding: PayloadEncoding,
    payload: [UInt8], metadata: EventMetadata, recordedTime: Timestamp? = nil
  ) {
    self.recordedTime = recordedTime
    self.id = id
    self.eventType = eventType
    self.schemaVersion = schemaVersion
    self.encoding = encoding
    self.payload = payload
    self.metadata = metadata
  }

  /// Encodes a typed event, sealing its ``Personal`` fields with `sealer`.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/encodingFailed`` when the
  ///   payload cannot be encoded, including a personal field that cannot be sealed (no
  ///   `sealer`, no subject, a forgotten subject): personal data is never written in
  ///   plaintext.
  public init<Event: RecordableEvent>(
    _ event: Event, id: EventID, metadata: EventMetadata,
    sealer: (any PersonalDataSealer)? = nil
  ) throws(EventStoreError) {
    let type = event.eventType
    var writer = BinaryWriter()
    writer.sealer = sealer
    do {
      try event.encodePayload(to: &writer)
    } catch {
      throw EventStoreError(
        .encodingFailed, "could not encode the payload: \(error)", eventType: type, eventID: id)
    }
    if let failure = writer.failure {
      throw EventStoreError(
        .encodingFailed, "a personal field was not written: \(failure)", eventType: type,
        eventID: id)
    }
    self.init(
      id: id, eventType: type, schemaVersion: Event.schemaVersion(of: type),
      encoding: Event.payloadEncoding, payload: writer.bytes, metadata: metadata)
  }
}
