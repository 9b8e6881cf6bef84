/// Reads one event type's payload, written at `schemaVersion`, into `Event`.
public typealias PayloadDecoder<Event> =
  @Sendable (_ schemaVersion: UInt16, _ payload: inout BinaryReader) throws -> Event

/// The decoders of an event family, one per type name.
///
/// A family (an enum with a case per event type) lists its cases once, in a table, and gets
/// from it its type names, its decoding initializer and a decoder per type that a reader
/// resolves once instead of comparing type names for every record:
///
/// ```swift
/// enum MemberEvent: EventFamily {
///   case applied(MemberApplied)
///   case approved(MemberApproved)
///
///   static let decoders = PayloadDecoders<MemberEvent>(
///     .binary(MemberApplied.self, Self.applied),
///     .binary(MemberApproved.self, Self.approved))
///   // eventType and encodePayload(to:) as for any RecordableEvent
/// }
/// ```
public struct PayloadDecoders<Event>: Sendable {
  /// One type name and how to read its payloads.
  public struct Entry: Sendable {
    /// The type name.
    public var eventType: String
    /// How to read it.
    public var decoder: PayloadDecoder<Event>

    /// `eventType` must be the type name recorded with the events, such as `MemberApplied`.
    public init(eventType: String, decoder: @escaping PayloadDecoder<Event>) {
      self.eventType = eventType
      self.decoder = decoder
    }

    /// The entry of a ``BinaryEvent`` type, wrapped into the family by `wrap` (usually the
    /// family's case, such as `MemberEvent.applied`). Inlinable, so that the decoder is
    /// specialized for `Payload` where the table is written.
    @inlinable
    public static func binary<Payload: BinaryEvent>(
      _: Payload.Type, _ wrap: @escaping @Sendable (Payload) -> Event
    ) -> Entry {
      Entry(eventType: Payload.eventType) { _, reader in wrap(try Payload(from: &reader)) }
    }
  }

  /// The type names, in the order given.
  public let eventTypes: [String]
  private let decoders: [String: PayloadDecoder<Event>]

  /// A table of `entries`; a type name may appear only once.
  public init(_ entries: Entry...) {
    self.init(entries)
  }

  /// A table of `entries`; a type name may appear only once.
  public init(_ entries: [Entry]) {
    var decoders: [String: PayloadDecoder<Event>] = [:]
    for entry in entries {
      precondition(
        decoders.updateValue(entry.decoder, forKey: entry.eventType) == nil,
        "event type \(entry.eventType) is listed twice")
    }
    self.decoders = decoders
    eventTypes = entries.map(\.eventType)
  }

  /// The decoder of `eventType`, if the table has it.
  public subscript(eventType: String) -> PayloadDecoder<Event>? { decoders[eventType] }
}

/// An event type made of several recorded types (usually an enum with a case per type),
/// decoded through a table of ``PayloadDecoders``.
///
/// Conforming gives ``RecordableEvent/eventTypes``, ``RecordableEvent/payloadDecoder(for:)``
/// and the decoding initializer from ``decoders``.
public protocol EventFamily: RecordableEvent {
  /// The family's decoders, one per type name.
  static var decoders: PayloadDecoders<Self> { get }
}

extension EventFamily {
  /// The type names of ``decoders``.
  public static var eventTypes: [String] { decoders.eventTypes }

  /// The decoder of `eventType` in ``decoders``.
  public static func payloadDecoder(for eventType: String) -> PayloadDecoder<Self>? {
    decoders[eventType]
  }

  /// Reads a payload through ``decoders``.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/unknownEventType`` when
  ///   the family has no such type, or the payload's own decoding error.
  public init(eventType: String, schemaVersion: UInt16, payload: inout BinaryReader) throws {
    guard let decoder = Self.decoders[eventType] else {
      throw EventStoreError(
        .unknownEventType, "not one of \(Self.self)'s types", eventType: eventType)
    }
    self = try decoder(schemaVersion, &payload)
  }
}
