/// Events of either of two families, for a projection that reads both (say, member events and
/// account events).
///
/// Decoding dispatches on the type name: names of `First.eventTypes` decode as `First`, the
/// others as `Second`.
public enum EitherEvent<First: RecordableEvent, Second: RecordableEvent>: RecordableEvent {
  /// An event of the first family.
  case first(First)
  /// An event of the second family.
  case second(Second)

  /// Both families' type names.
  public static var eventTypes: [String] { First.eventTypes + Second.eventTypes }

  /// The wrapped event's type name.
  public var eventType: String {
    switch self {
    case .first(let event): return event.eventType
    case .second(let event): return event.eventType
    }
  }

  /// The schema version of the family that has `eventType`.
  public static func schemaVersion(of eventType: String) -> UInt16 {
    First.eventTypes.contains(eventType)
      ? First.schemaVersion(of: eventType) : Second.schemaVersion(of: eventType)
  }

  /// Writes the wrapped event's payload.
  public func encodePayload(to writer: inout BinaryWriter) throws {
    switch self {
    case .first(let event): try event.encodePayload(to: &writer)
    case .second(let event): try event.encodePayload(to: &writer)
    }
  }

  /// `First`'s decoder of `eventType` if it has one, otherwise `Second`'s.
  public static func payloadDecoder(for eventType: String) -> PayloadDecoder<Self>? {
    if let first = First.payloadDecoder(for: eventType) {
      return { version, reader in .first(try first(version, &reader)) }
    }
    if let second = Second.payloadDecoder(for: eventType) {
      return { version, reader in .second(try second(version, &reader)) }
    }
    return nil
  }

  /// Reads a payload of either family, through ``payloadDecoder(for:)``.
  public init(eventType: String, schemaVersion: UInt16, payload: inout BinaryReader) throws {
    guard let decoder = Self.payloadDecoder(for: eventType) else {
      throw EventStoreError(
        .unknownEventType, "neither \(First.self) nor \(Second.self) reads it",
        eventType: eventType)
    }
    self = try decoder(schemaVersion, &payload)
  }

}

extension EitherEvent: Equatable where First: Equatable, Second: Equatable {}
