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

  /// How this schema reads one type name, at any schema version: resolved once per type by
  /// ``RecordDecoder``.
  struct Resolution: Sendable {
    var eventType: String
    var decoder: PayloadDecoder<Event>?
    var upcasters: [UInt16: Upcaster]

    /// Reads a payload of this type at `schemaVersion`, with errors as
    /// ``EventSchema/decode(eventType:schemaVersion:payload:)`` gives them.
    func decode(schemaVersion: UInt16, payload: UnsafeRawBufferPointer)
      throws(EventStoreError) -> Event
    {
      try EventSchema.decoding(
        eventType, schemaVersion: schemaVersion, payload: payload,
        upcaster: upcasters.isEmpty ? nil : upcasters[schemaVersion], known: decoder != nil
      ) { reader in try decoder!(schemaVersion, &reader) }
    }
  }

  /// Reads a payload through `upcaster` if there is one, otherwise through `read` when the
  /// type is `known`: the error semantics every decoding path shares.
  private static func decoding(
    _ eventType: String, schemaVersion: UInt16, payload: UnsafeRawBufferPointer,
    upcaster: Upcaster?, known: Bool, _ read: (inout BinaryReader) throws -> Event
  ) throws(EventStoreError) -> Event {
    var reader = BinaryReader(payload)
    do {
      if let upcaster { return try upcaster(&reader) }
      guard known else {
        throw EventStoreError(
          .unknownEventType,
          "no decoder or upcaster for schema version \(schemaVersion) of this type",
          eventType: eventType)
      }
      return try read(&reader)
    } catch let error as EventStoreError {
      throw error
    } catch {
      throw EventStoreError(
        .corruptRecord, "payload does not decode: \(error)", eventType: eventType)
    }
  }

  /// What reads `eventType`: `Event`'s decoder and the upcasters registered for the name.
  func resolve(_ eventType: String) -> Resolution {
    var byVersion: [UInt16: Upcaster] = [:]
    for (key, upcaster) in upcasters where key.eventType == eventType {
      byVersion[key.schemaVersion] = upcaster
    }
    return Resolution(
      eventType: eventType,
      decoder: current.contains(eventType) ? Event.payloadDecoder(for: eventType) : nil,
      upcasters: byVersion)
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
    try Self.decoding(
      eventType, schemaVersion: schemaVersion, payload: payload,
      upcaster: upcasters.isEmpty
        ? nil : upcasters[Key(eventType: eventType, schemaVersion: schemaVersion)],
      known: single.map { $0 == eventType } ?? current.contains(eventType)
    ) { reader in try Event(eventType: eventType, schemaVersion: schemaVersion, payload: &reader) }
  }
}

/// Decodes records through an ``EventSchema``, resolving each event type once.
///
/// Records carry their type as a number interned by their store; a `RecordDecoder` looks up
/// what reads each number the first time it meets it, so that decoding a record costs no
/// type-name hashing or comparison. A ``ProjectionRunner`` uses one per page it reads.
///
/// ```swift
/// var decoder = RecordDecoder(EventSchema<MemberEvent>())
/// try await store.scanLog(from: .first, limit: 1024, filter: filter) { record in
///   let event = try decoder.decode(record)
/// }
/// ```
public struct RecordDecoder<Event: RecordableEvent>: Sendable {
  /// The schema records are read through.
  public let schema: EventSchema<Event>
  private var resolved: [EventSchema<Event>.Resolution?] = []

  /// A decoder reading through `schema`.
  public init(_ schema: EventSchema<Event>) {
    self.schema = schema
  }

  /// Decodes `record`'s payload, reporting failures as
  /// ``RecordView/decode(with:)`` does: with the record's position, stream, version and type.
  public mutating func decode(_ record: RecordView) throws(EventStoreError) -> Event {
    let number = Int(record.eventTypeID)
    let eventType = record.eventType
    if number >= resolved.count {
      resolved.append(contentsOf: repeatElement(nil, count: number + 1 - resolved.count))
    }
    // The name is compared too (equal strings from one table compare in a few instructions),
    // so that a decoder handed records of another store, numbered otherwise, stays right.
    let resolution: EventSchema<Event>.Resolution
    if let known = resolved[number], known.eventType == eventType {
      resolution = known
    } else {
      resolution = schema.resolve(eventType)
      resolved[number] = resolution
    }
    do {
      return try resolution.decode(schemaVersion: record.schemaVersion, payload: record.payload)
    } catch var error {
      error.position = record.position
      error.stream = try? record.stream()
      error.version = record.version
      throw error
    }
  }
}
