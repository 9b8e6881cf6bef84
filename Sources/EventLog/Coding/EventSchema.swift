/// How to read one event type family from the log, old versions included.
///
/// An `EventSchema` decodes recorded events into `Event`. When an event was renamed, or its
/// payload reshaped so that its decoder can no longer read old records, register an
/// *upcaster* for the old type name and schema version: a function that reads the old payload
/// and returns today's event.
///
/// ```swift
/// var schema = EventSchema<MemberEvent>()
/// // "MemberRegistered" (version 1) was renamed "MemberApplied" and gained a city.
/// schema.registerUpcaster(eventType: "MemberRegistered", schemaVersion: 1) { reader in
///   let name = try reader.read(String.self)
///   return .applied(MemberApplied(name: name, city: nil))
/// }
/// ```
///
/// Adding an optional field at the end of a payload needs no upcaster: the decoder reads it
/// with ``BinaryReader/readIfPresent(_:)`` and old payloads end before it.
public struct EventSchema<Event: RecordableEvent>: Sendable {
  /// Reads an old payload into today's event.
  public typealias Upcaster = @Sendable (inout BinaryReader) throws -> Event

  private struct Key: Hashable {
    var eventType: String
    var schemaVersion: UInt16
  }

  private var upcasters: [Key: Upcaster] = [:]
  private var current: Set<String>
  /// `Event`'s one type name, when it has exactly one: compared instead of hashed.
  private let single: String?

  /// A schema that reads `Event`'s current types through its own decoder.
  public init() {
    let types = Event.eventTypes
    current = Set(types)
    single = types.count == 1 ? types[0] : nil
  }

  /// Registers an upcaster for payloads recorded as `eventType` at `schemaVersion`.
  public mutating func registerUpcaster(
    eventType: String, schemaVersion: UInt16, _ upcaster: @escaping Upcaster
  ) {
    upcasters[Key(eventType: eventType, schemaVersion: schemaVersion)] = upcaster
  }

  /// Every type name this schema reads: `Event`'s own and those of its upcasters.
  public var eventTypes: Set<String> {
    current.union(upcasters.keys.map(\.eventType))
  }

  /// Whether this schema reads records of `eventType` (at some schema version).
  public func handles(_ eventType: String) -> Bool {
    current.contains(eventType) || upcasters.keys.contains { $0.eventType == eventType }
  }

  /// Decodes a payload: through the upcaster registered for its type and version if there is
  /// one, otherwise through `Event`'s decoder.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/unknownEventType`` when
  ///   nothing reads this type, or ``EventStoreError/Code/corruptRecord`` when the payload
  ///   does not decode; either one carries the type name.
  public func decode(
    eventType: String, schemaVersion: UInt16, payload: UnsafeRawBufferPointer
  ) throws(EventStoreError) -> Event {
    var reader = BinaryReader(payload)
    do {
      if !upcasters.isEmpty,
        let upcaster = upcasters[Key(eventType: eventType, schemaVersion: schemaVersion)]
      {
        return try upcaster(&reader)
      }
      guard single.map({ $0 == eventType }) ?? current.contains(eventType) else {
        throw EventStoreError(
          .unknownEventType,
          "no decoder or upcaster for schema version \(schemaVersion) of this type",
          eventType: eventType)
      }
      return try Event(eventType: eventType, schemaVersion: schemaVersion, payload: &reader)
    } catch let error as EventStoreError {
      throw error
    } catch {
      throw EventStoreError(
        .corruptRecord, "payload does not decode: \(error)", eventType: eventType)
    }
  }
}
