/// One recorded event, borrowed from the store during a scan: valid only inside the closure
/// that receives it.
///
/// Reading the header fields costs a few loads; the stream name, metadata and payload are
/// decoded only when asked for. Copy what you need out, or call ``recordedEvent()`` for an
/// owned copy.
public struct RecordView {
  /// The event's position in the log.
  public let position: LogPosition
  /// The record's bytes (see ``RecordFormat``).
  public let bytes: UnsafeRawBufferPointer
  private let types: NameTable
  /// The size of the record's fixed header: where its stream name starts.
  private let headerSize: Int
  /// Where the payload ends: before the checksum (format 2), or at the end (format 1).
  private let payloadEnd: Int

  /// Wraps record bytes read at `position`, checking the fixed header and, for a format 2
  /// record, its checksum.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/corruptRecord`` when the
  ///   bytes are too short, of an unknown format version, do not match their checksum, or name
  ///   an unknown event type.
  public init(position: LogPosition, bytes: UnsafeRawBufferPointer, types: NameTable)
    throws(EventStoreError)
  {
    try self.init(position: position, bytes: bytes, types: types, checksum: true)
  }

  /// Wraps record bytes, checking the checksum only when `checksum` is true: for a verifier
  /// that has reported a checksum mismatch and still wants the damaged record's stream and
  /// version for its other checks.
  package init(
    position: LogPosition, bytes: UnsafeRawBufferPointer, types: NameTable, checksum: Bool
  ) throws(EventStoreError) {
    self.position = position
    self.bytes = bytes
    self.types = types
    guard bytes.count >= RecordFormat.version1HeaderSize else {
      throw EventStoreError(
        .corruptRecord, "record of \(bytes.count) bytes is shorter than its header",
        position: position)
    }
    guard let headerSize = RecordFormat.headerSize(ofVersion: bytes[0]) else {
      throw EventStoreError(
        .corruptRecord,
        "record format version \(bytes[0]) is not one this library reads (1 or \(RecordFormat.version))",
        position: position)
    }
    guard bytes.count >= headerSize else {
      throw EventStoreError(
        .corruptRecord, "record of \(bytes.count) bytes is shorter than its header",
        position: position)
    }
    self.headerSize = headerSize
    let trailer = headerSize == RecordFormat.fixedHeaderSize ? RecordFormat.checksumSize : 0
    guard bytes.count >= headerSize + trailer else {
      throw EventStoreError(
        .corruptRecord, "record of \(bytes.count) bytes is shorter than its header and checksum",
        position: position)
    }
    self.payloadEnd = bytes.count - trailer
    if checksum && trailer > 0 && !RecordChecksum.matches(record: bytes) {
      throw EventStoreError(
        .corruptRecord,
        "the record's checksum does not match its \(bytes.count) bytes: the record is damaged",
        position: position)
    }
    let payloadOffset = Int(bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
    guard payloadOffset >= headerSize, payloadOffset <= payloadEnd else {
      throw EventStoreError(
        .corruptRecord, "payload offset \(payloadOffset) is outside the record",
        position: position)
    }
    guard types.contains(number: eventTypeID) else {
      throw EventStoreError(
        .corruptRecord, "event type number \(eventTypeID) is not in the type table",
        position: position)
    }
  }

  /// The record's format version (1 or 2, see ``RecordFormat``).
  public var formatVersion: UInt8 { bytes[0] }

  /// The interned number of the event type.
  @inlinable public var eventTypeID: UInt32 {
    UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
  }

  /// The interned number of the stream's category.
  @inlinable public var categoryID: UInt32 {
    UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
  }

  /// The event type name (checked to exist when the view was made).
  public var eventType: String { types.name(of: eventTypeID) ?? "#\(eventTypeID)" }

  /// The schema version the payload was written at.
  public var schemaVersion: UInt16 {
    UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
  }

  /// How the payload is encoded.
  public var encoding: PayloadEncoding {
    PayloadEncoding(rawValue: bytes[1]) ?? .binary
  }

  /// The event's version in its stream.
  public var version: StreamVersion {
    StreamVersion(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
  }

  /// The event's ID.
  public var id: EventID {
    EventID(
      high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
      low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 32, as: UInt64.self)))
  }

  /// When the event happened, as the program that appended it said (``EventMetadata/time``).
  public var time: Timestamp {
    Timestamp(
      nanosecondsSince1970: Int64(
        littleEndian: bytes.loadUnaligned(fromByteOffset: 40, as: Int64.self)))
  }

  /// When the store recorded the event, at commit: never earlier than the event before it.
  /// (A format 1 record has only the program's time, which stands in for it.)
  public var recordedTime: Timestamp {
    let offset = headerSize == RecordFormat.fixedHeaderSize ? RecordFormat.recordedTimeOffset : 40
    return Timestamp(
      nanosecondsSince1970: Int64(
        littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
  }

  private var payloadOffset: Int {
    Int(bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
  }

  /// The payload bytes, borrowed.
  public var payload: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: bytes[payloadOffset..<payloadEnd])
  }

  /// The stream the event belongs to.
  public func stream() throws(EventStoreError) -> StreamName {
    var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<payloadOffset]))
    do {
      _ = try reader.readRaw(count: headerSize)
      let name = try reader.read(String.self)
      // Stores write only validated names; checking the length is enough to refuse garbage.
      guard !name.isEmpty, name.utf8.count <= StreamName.maximumLength else {
        throw BinaryDecodingError(
          offset: headerSize, reason: "stream name of \(name.utf8.count) bytes")
      }
      return StreamName(unchecked: name)
    } catch {
      throw EventStoreError(
        .corruptRecord, "stream name does not decode: \(error)", position: position)
    }
  }

  /// The stream name's UTF-8 bytes as recorded, borrowed: for a reader that tells streams
  /// apart by their bytes and makes a ``StreamName`` (with ``stream()``) only for a name it has
  /// not met. Throws what ``stream()`` throws when the name's length runs past the record.
  package func streamNameBytes() throws(EventStoreError) -> UnsafeRawBufferPointer {
    var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<payloadOffset]))
    do {
      _ = try reader.readRaw(count: headerSize)
      let count = try reader.readLength()
      let at = try reader.take(count, "string")
      return UnsafeRawBufferPointer(rebasing: reader.buffer[at..<at + count])
    } catch {
      throw EventStoreError(
        .corruptRecord, "stream name does not decode: \(error)", position: position)
    }
  }

  /// Checks that the metadata decodes, as ``metadata()`` would, without making its values:
  /// the same walk over the same lengths, so it fails exactly where ``metadata()`` fails and
  /// with the same error.
  package func checkMetadata() throws(EventStoreError) {
    var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<payloadOffset]))
    do throws(BinaryDecodingError) {
      _ = try reader.readRaw(count: headerSize)
      try reader.skipString()
      let flags = try reader.read(UInt8.self)
      if flags & 1 != 0 { _ = try reader.readRaw(count: 16) }
      if flags & 2 != 0 { _ = try reader.readRaw(count: 16) }
      if flags & 4 != 0 { try reader.skipString() }
      let count = try reader.readCount()
      for _ in 0..<count {
        try reader.skipString()
        try reader.skipString()
      }
    } catch {
      throw EventStoreError(
        .corruptRecord, "metadata does not decode: \(error)", position: position,
        eventType: eventType)
    }
  }

  /// The metadata as the record holds it, its actor's bytes borrowed: what a writer of text
  /// needs to copy the metadata out without making strings.
  package struct BorrowedMetadata {
    /// The correlation ID, when there is one.
    package var correlationID: EventID?
    /// The causation ID, when there is one.
    package var causationID: EventID?
    /// The actor's UTF-8 bytes as recorded (not checked to be valid UTF-8), when there is one.
    package var actor: UnsafeRawBufferPointer?
    /// How many custom entries follow (read them with ``metadata()``).
    package var customCount: Int
  }

  /// The metadata's fields, borrowed; throws what ``metadata()`` throws, for the same records.
  package func borrowedMetadata() throws(EventStoreError) -> BorrowedMetadata {
    var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<payloadOffset]))
    do throws(BinaryDecodingError) {
      _ = try reader.readRaw(count: headerSize)
      try reader.skipString()
      let flags = try reader.read(UInt8.self)
      var fields = BorrowedMetadata(customCount: 0)
      if flags & 1 != 0 { fields.correlationID = try Self.eventID(&reader) }
      if flags & 2 != 0 { fields.causationID = try Self.eventID(&reader) }
      if flags & 4 != 0 {
        let count = try reader.readLength()
        fields.actor = try reader.readRaw(count: count)
      }
      let count = try reader.readCount()
      for _ in 0..<count {
        try reader.skipString()
        try reader.skipString()
      }
      fields.customCount = count
      return fields
    } catch {
      throw EventStoreError(
        .corruptRecord, "metadata does not decode: \(error)", position: position,
        eventType: eventType)
    }
  }

  /// An event ID as ``BinaryReader`` reads one, without the generic path.
  private static func eventID(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> EventID {
    let raw = try reader.readRaw(count: 16)
    return EventID(
      high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
      low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
  }

  /// The event's metadata.
  public func metadata() throws(EventStoreError) -> EventMetadata {
    var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<payloadOffset]))
    do {
      _ = try reader.readRaw(count: headerSize)
      _ = try reader.read(String.self)
      let flags = try reader.read(UInt8.self)
      let correlation = flags & 1 != 0 ? try reader.read(EventID.self) : nil
      let causation = flags & 2 != 0 ? try reader.read(EventID.self) : nil
      let actor = flags & 4 != 0 ? try reader.read(String.self) : nil
      let count = try reader.readCount()
      var custom: [String: String] = [:]
      for _ in 0..<count {
        let key = try reader.read(String.self)
        custom[key] = try reader.read(String.self)
      }
      return EventMetadata(
        time: time, correlationID: correlation, causationID: causation, actor: actor,
        custom: custom)
    } catch {
      throw EventStoreError(
        .corruptRecord, "metadata does not decode: \(error)", position: position,
        eventType: eventType)
    }
  }

  /// Decodes the payload with `schema`, reporting failures with this record's position,
  /// stream, version and type.
  public func decode<Event: RecordableEvent>(with schema: EventSchema<Event>)
    throws(EventStoreError) -> Event
  {
    do {
      return try schema.decode(
        eventType: eventType, schemaVersion: schemaVersion, payload: payload)
    } catch var error {
      error.position = position
      error.stream = try? stream()
      error.version = version
      throw error
    }
  }

  /// An owned copy of the whole event.
  public func recordedEvent() throws(EventStoreError) -> RecordedEvent {
    RecordedEvent(
      position: position, stream: try stream(), version: version, id: id, eventType: eventType,
      schemaVersion: schemaVersion, encoding: encoding, payload: Array(payload),
      metadata: try metadata(), recordedTime: recordedTime)
  }
}

/// One recorded event, owned: where it is in the log and its stream, and what it says.
public struct RecordedEvent: Hashable, Sendable {
  /// The event's position in the whole log.
  public var position: LogPosition
  /// The stream the event belongs to.
  public var stream: StreamName
  /// The event's version in its stream.
  public var version: StreamVersion
  /// The event's ID.
  public var id: EventID
  /// The event type name.
  public var eventType: String
  /// The schema version the payload was written at.
  public var schemaVersion: UInt16
  /// How the payload is encoded.
  public var encoding: PayloadEncoding
  /// The encoded payload.
  public var payload: [UInt8]
  /// When, who and why (``EventMetadata/time`` is when the program said it happened).
  public var metadata: EventMetadata
  /// When the store recorded the event, at commit; never earlier than the event before it.
  public var recordedTime: Timestamp

  /// Creates a recorded event from its parts; `recordedTime` defaults to the metadata's time.
  public init(
    position: LogPosition, stream: StreamName, version: StreamVersion, id: EventID,
    eventType: String, schemaVersion: UInt16, encoding: PayloadEncoding, payload: [UInt8],
    metadata: EventMetadata, recordedTime: Timestamp? = nil
  ) {
    self.recordedTime = recordedTime ?? metadata.time
    self.position = position
    self.stream = stream
    self.version = version
    self.id = id
    self.eventType = eventType
    self.schemaVersion = schemaVersion
    self.encoding = encoding
    self.payload = payload
    self.metadata = metadata
  }

  /// Decodes the payload with `schema`, reporting failures with this event's position,
  /// stream, version and type.
  public func decode<Event: RecordableEvent>(with schema: EventSchema<Event>)
    throws(EventStoreError) -> Event
  {
    do {
      return try payload.withTypedUnsafeBytes { raw throws(EventStoreError) in
        try schema.decode(eventType: eventType, schemaVersion: schemaVersion, payload: raw)
      }
    } catch var error {
      error.position = position
      error.stream = stream
      error.version = version
      throw error
    }
  }

  /// Decodes the payload as `Event`, through its own decoder.
  public func decode<Event: RecordableEvent>(as _: Event.Type) throws(EventStoreError) -> Event {
    try decode(with: EventSchema<Event>())
  }

  /// The event as it was appended (without its place in the log), for copying it elsewhere:
  /// it keeps its recorded time.
  public var data: EventData {
    EventData(
      id: id, eventType: eventType, schemaVersion: schemaVersion, encoding: encoding,
      payload: payload, metadata: metadata, recordedTime: recordedTime)
  }
}

extension Array where Element == UInt8 {
  /// `withUnsafeBytes` keeping the body's typed error.
  package func withTypedUnsafeBytes<T, E: Error>(
    _ body: (UnsafeRawBufferPointer) throws(E) -> T
  ) throws(E) -> T {
    let result: Result<T, E> = withUnsafeBytes { raw in
      Result { () throws(E) in try body(raw) }
    }
    return try result.get()
  }
}
