import EventLog
import Foundation

/// Every event type the council records, by name: what the interchange form (JSON Lines),
/// `council verify` and the event catalog use to read any payload without knowing its
/// aggregate.
public enum CouncilCatalog {
  /// Every payload type, in the order of the event catalog.
  ///
  /// It is made of the families' own lists (``CouncilEventFamily/payloadTypes``, written by
  /// `@EventFamily`) and the two events that belong to no family.
  public static let types: [any CouncilEvent.Type] =
    [CouncilEstablished.self] + MemberEvent.payloadTypes + AccountEvent.payloadTypes
    + [EmailReserved.self] + families.dropFirst(2).flatMap { $0.payloadTypes }

  /// The families of events, one per kind of stream.
  public static let families: [any CouncilEventFamily.Type] = [
    MemberEvent.self, AccountEvent.self, SubscriptionEvent.self, GatheringEvent.self,
    WorkingGroupEvent.self, ResolutionEvent.self, FundEvent.self, ErasureEvent.self,
  ]

  /// The payload types by event type name.
  public static let byName: [String: any CouncilEvent.Type] = Dictionary(
    uniqueKeysWithValues: types.map { ($0.eventType, $0) })

  /// Decodes a stored payload of any council event type.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/unknownEventType`` for a
  ///   name not in the catalog, ``EventStoreError/Code/corruptRecord`` when it does not decode.
  public static func decode(_ event: RecordedEvent) throws -> any CouncilEvent {
    try event.payload.withUnsafeBytes { raw in
      try reading(
        eventType: event.eventType, payload: raw, stream: { event.stream },
        version: event.version, position: event.position, type: byName[event.eventType]
      ) { type, reader in try type.init(from: &reader) }
    }
  }

  /// Decodes the payload of a record where it lies in the log, copying nothing first: what
  /// `council verify` does to every record.
  ///
  /// - Throws: as ``decode(_:)-(RecordedEvent)``.
  public static func decode(_ record: RecordView) throws -> any CouncilEvent {
    let eventType = record.eventType
    return try reading(record, eventType: eventType, type: byName[eventType]) { type, reader in
      try type.init(from: &reader)
    }
  }

  /// Checks that the payload of a record decodes as its council event, without making the
  /// event: each field is stepped over as decoding reads it
  /// (``EventLog/BinaryJSONTranscodable/skipBinary(in:)``), so the check fails where
  /// ``decode(_:)-(RecordView)`` fails, with the same error. What `council verify` does to every
  /// record.
  ///
  /// - Throws: as ``decode(_:)-(RecordView)``.
  public static func check(_ record: RecordView) throws {
    let eventType = record.eventType
    try reading(record, eventType: eventType, type: byName[eventType]) { type, reader in
      try type.skipBinary(in: &reader)
    }
  }

  /// Decodes the payload of a record, as ``decode(_:)-(RecordView)`` does, finding its type
  /// through `types`: what a reader of many records does, to look each name up once.
  static func decode(_ record: RecordView, types: inout RecordTypes) throws -> any CouncilEvent {
    let eventType = record.eventType
    let type = types.type(number: record.eventTypeID, name: eventType)
    return try reading(record, eventType: eventType, type: type) { type, reader in
      try type.init(from: &reader)
    }
  }

  /// Appends the JSON of the payload of a record where it lies to `writer`: the bytes that
  /// writing its decoded payload (``decode(_:)-(RecordView)``) appends, each field written from
  /// its bytes instead of a value made first (``EventLog/BinaryJSONTranscodable``).
  ///
  /// - Throws: as ``decode(_:)-(RecordView)`` for a payload that does not decode; what writing
  ///   the payload throws. `writer` may then hold part of the payload.
  static func transcodeJSON(
    _ record: RecordView, types: inout RecordTypes, to writer: inout JSONWriter
  ) throws {
    let eventType = record.eventType
    let type = types.type(number: record.eventTypeID, name: eventType)
    try reading(record, eventType: eventType, type: type) { type, reader in
      try type.transcodeJSON(from: &reader, to: &writer)
    }
  }

  /// The payload types of the records of a store, by the number the store interns their names
  /// with: each name looked up in ``byName`` once, not hashed for every record.
  struct RecordTypes {
    private var byNumber: [(name: String, type: (any CouncilEvent.Type)?)?] = []

    /// The type named `name`, which its store numbers `number`; `nil` for a name not in the
    /// catalog. The name is compared too (equal strings from one table compare in a few
    /// instructions), so that records of another store, numbered otherwise, still read right.
    mutating func type(number: UInt32, name: String) -> (any CouncilEvent.Type)? {
      let index = Int(number)
      if index < byNumber.count, let known = byNumber[index], known.name == name {
        return known.type
      }
      if index >= byNumber.count {
        byNumber.append(contentsOf: repeatElement(nil, count: index + 1 - byNumber.count))
      }
      let type = byName[name]
      byNumber[index] = (name, type)
      return type
    }
  }

  /// Calls `body` with the payload type named `eventType` and a reader of `payload`, turning
  /// what goes wrong into the errors every reader of a payload gives: `unknownEventType` for a
  /// name not in the catalog (`type` is `nil`), `corruptRecord` when reading fails. What writing
  /// JSON throws (a value with no JSON form) is passed on as it is.
  private static func reading<Result>(
    eventType: String, payload: UnsafeRawBufferPointer, stream: () -> StreamName?,
    version: StreamVersion, position: LogPosition, type: (any CouncilEvent.Type)?,
    _ body: (any CouncilEvent.Type, inout BinaryReader) throws -> Result
  ) throws -> Result {
    guard let type else {
      throw EventStoreError(
        .unknownEventType, "not a council event type", stream: stream(), version: version,
        position: position, eventType: eventType)
    }
    var reader = BinaryReader(payload)
    do {
      return try body(type, &reader)
    } catch let error as JSONWriter.Unwritable {
      throw error
    } catch let error as EncodingError {
      throw error
    } catch {
      throw EventStoreError(
        .corruptRecord, "payload does not decode: \(error)", stream: stream(),
        version: version, position: position, eventType: eventType)
    }
  }

  /// ``reading(eventType:payload:stream:version:position:type:_:)`` for a record where it
  /// lies, its stream read only for an error.
  private static func reading<Result>(
    _ record: RecordView, eventType: String, type: (any CouncilEvent.Type)?,
    _ body: (any CouncilEvent.Type, inout BinaryReader) throws -> Result
  ) throws -> Result {
    try reading(
      eventType: eventType, payload: record.payload, stream: { try? record.stream() },
      version: record.version, position: record.position, type: type, body)
  }

  /// The JSON of a payload, keys sorted, as `JSONEncoder` writes it with `.sortedKeys`: written
  /// by the payload's ``EventLog/JSONWritable`` form, which the coding macros generate.
  public static func json(_ payload: any CouncilEvent) throws -> Data {
    var writer = JSONWriter()
    try payload.writeJSON(to: &writer)
    return Data(writer.bytes)
  }

  /// Reads a payload of the named type from its JSON.
  public static func payload(named name: String, json: Data) throws -> any CouncilEvent {
    guard let type = byName[name] else {
      throw EventStoreError(.unknownEventType, "not a council event type", eventType: name)
    }
    return try decodeJSON(type, json)
  }

  private static func decodeJSON<T: CouncilEvent>(_ type: T.Type, _ json: Data) throws -> T {
    try JSONDecoder().decode(T.self, from: json)
  }
}

/// An aggregate's enum of events, each case wrapping one ``CouncilEvent``.
public protocol CouncilEventFamily: EventFamily, Equatable {
  /// The wrapped event.
  var payload: any CouncilEvent { get }
  /// The event type of each case, in the order of the cases.
  static var payloadTypes: [any CouncilEvent.Type] { get }
}
