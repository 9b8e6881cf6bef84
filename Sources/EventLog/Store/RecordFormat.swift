/// The binary layout of one stored event record, shared by every store in this package.
///
/// A record is the value stored at a log position (the position itself is the key). Format
/// version 2, all integers little-endian:
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 1 | record format version (2) |
/// | 1 | 1 | payload encoding: 0 binary, 1 JSON (other values reserved, e.g. encrypted) |
/// | 2 | 2 | schema version of the event type |
/// | 4 | 4 | event type, as an interned number (see ``NameTable``) |
/// | 8 | 4 | stream category, as an interned number |
/// | 12 | 4 | offset of the payload from the record's start |
/// | 16 | 8 | stream version |
/// | 24 | 16 | event ID (UUID bytes) |
/// | 40 | 8 | time the program gave (``EventMetadata/time``), nanoseconds since 1970 (signed) |
/// | 48 | 8 | time the store recorded the event at commit, nanoseconds since 1970 (signed) |
/// | 56 | … | stream name (LEB128 length, UTF-8) |
/// | … | 1 | metadata flags: 1 correlation ID, 2 causation ID, 4 actor |
/// | … | … | correlation ID (16), causation ID (16), actor (LEB128 length, UTF-8), if flagged |
/// | … | … | custom metadata: LEB128 count, then key and value strings, sorted by key |
/// | payload offset | … | the payload |
/// | last 8 | 8 | checksum of every byte before it (``RecordChecksum``) |
///
/// Everything a reader filters on (type, category, stream version) sits at a fixed offset, so
/// a reader skips a record without decoding anything else. Format 1 (written before the
/// checksum) has the same first 48 bytes and the stream name at 48; its recorded time is the
/// program's time, its payload runs to the end, and it has no checksum. Readers read both.
public enum RecordFormat {
  /// The record format version this library writes.
  public static let version: UInt8 = 2
  /// The size of the fixed part of the header (format 2).
  public static let fixedHeaderSize = 56
  /// The size of the fixed part of a format 1 header.
  public static let version1HeaderSize = 48
  /// Where the recorded time sits (format 2).
  public static let recordedTimeOffset = 48
  /// The size of the checksum that ends a format 2 record.
  public static let checksumSize = 8

  /// The size of the fixed header of a record in format `version`, or `nil` for a format this
  /// library does not read.
  @inlinable
  public static func headerSize(ofVersion version: UInt8) -> Int? {
    switch version {
    case 2: return fixedHeaderSize
    case 1: return version1HeaderSize
    default: return nil
    }
  }

  /// The recorded time of a record this library has just encoded (format 2), or `nil` when
  /// the bytes are too short to hold one.
  public static func recordedTime(ofEncoded record: [UInt8]) -> Timestamp? {
    guard record.count >= recordedTimeOffset + 8 else { return nil }
    return record.withUnsafeBytes {
      Timestamp(
        nanosecondsSince1970: Int64(
          littleEndian: $0.loadUnaligned(fromByteOffset: recordedTimeOffset, as: Int64.self)))
    }
  }

  /// Writes one record into `writer` (which is cleared first), stamped with `recordedTime`.
  ///
  /// The record's size is known before it is written (its strings and payload are at hand),
  /// so it is written in one pass into room made once, and its checksum taken over it there.
  public static func encode(
    _ event: EventData, stream: StreamName, version: StreamVersion, typeID: UInt32,
    categoryID: UInt32, recordedTime: Timestamp, into writer: inout BinaryWriter
  ) {
    writer.removeAll()
    let metadata = event.metadata
    // Custom metadata is rare: encoded apart, sorted by key, only when there is some.
    var custom: [UInt8] = []
    if !metadata.custom.isEmpty {
      var pairs = BinaryWriter(capacity: 64)
      pairs.writeVariableLength(UInt64(metadata.custom.count))
      for (key, value) in metadata.custom.sorted(by: { $0.key < $1.key }) {
        pairs.write(key)
        pairs.write(value)
      }
      custom = pairs.bytes
    }
    var flags: UInt8 = 0
    if metadata.correlationID != nil { flags |= 1 }
    if metadata.causationID != nil { flags |= 2 }
    if metadata.actor != nil { flags |= 4 }
    // The closures below capture these, not the event (which they would copy whole).
    let encoding = event.encoding.rawValue
    let schemaVersion = event.schemaVersion
    let id = event.id
    let payloadBytes = event.payload
    var streamName = stream.rawValue
    var actor = metadata.actor ?? ""
    streamName.withUTF8 { name in
      actor.withUTF8 { actorBytes in
        payloadBytes.withUnsafeBytes { payload in
          var metadataSize = 1 + (custom.isEmpty ? 1 : custom.count)
          if metadata.correlationID != nil { metadataSize += 16 }
          if metadata.causationID != nil { metadataSize += 16 }
          if metadata.actor != nil {
            metadataSize += lengthSize(actorBytes.count) + actorBytes.count
          }
          let payloadOffset = fixedHeaderSize + lengthSize(name.count) + name.count + metadataSize
          let size = payloadOffset + payload.count + checksumSize
          writer.appendInPlace(count: size) { out in
            var bytes = RecordBytes(out)
            bytes.put(Self.version)
            bytes.put(encoding)
            bytes.put(schemaVersion)
            bytes.put(typeID)
            bytes.put(categoryID)
            bytes.put(UInt32(payloadOffset))
            bytes.put(version.rawValue)
            bytes.put(id)
            bytes.put(UInt64(bitPattern: metadata.time.nanosecondsSince1970))
            bytes.put(UInt64(bitPattern: recordedTime.nanosecondsSince1970))
            bytes.putLength(name.count)
            bytes.put(UnsafeRawBufferPointer(name))
            bytes.put(flags)
            if let id = metadata.correlationID { bytes.put(id) }
            if let id = metadata.causationID { bytes.put(id) }
            if metadata.actor != nil {
              bytes.putLength(actorBytes.count)
              bytes.put(UnsafeRawBufferPointer(actorBytes))
            }
            if custom.isEmpty {
              bytes.put(UInt8(0))
            } else {
              custom.withUnsafeBytes { bytes.put($0) }
            }
            bytes.put(payload)
            bytes.put(RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: out[..<bytes.offset])))
          }
        }
      }
    }
  }

  /// The bytes `value` takes in LEB128.
  static func lengthSize(_ value: Int) -> Int {
    var size = 1
    var rest = UInt64(value) >> 7
    while rest != 0 {
      size += 1
      rest >>= 7
    }
    return size
  }
}

/// A record's bytes as ``RecordFormat/encode(_:stream:version:typeID:categoryID:recordedTime:into:)``
/// writes them, in room made for exactly the record: integers little-endian, an event ID's
/// 16 bytes big-endian (as in its text form).
private struct RecordBytes {
  let out: UnsafeMutableRawBufferPointer
  private(set) var offset = 0

  init(_ out: UnsafeMutableRawBufferPointer) { self.out = out }

  mutating func put<Integer: FixedWidthInteger>(_ value: Integer) {
    out.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Integer.self)
    offset += MemoryLayout<Integer>.size
  }

  mutating func put(_ id: EventID) {
    out.storeBytes(of: id.high.bigEndian, toByteOffset: offset, as: UInt64.self)
    out.storeBytes(of: id.low.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
    offset += 16
  }

  /// A length in LEB128: seven bits a byte, low bits first.
  mutating func putLength(_ length: Int) {
    var rest = UInt64(length)
    while rest >= 0x80 {
      put(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    put(UInt8(rest))
  }

  mutating func put(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    UnsafeMutableRawBufferPointer(rebasing: out[offset..<(offset + bytes.count)])
      .copyMemory(from: UnsafeRawBufferPointer(start: source, count: bytes.count))
    offset += bytes.count
  }
}

/// Interned names (event types, stream categories) and their numbers, as a store keeps them.
///
/// Numbers start at 1 and are never reused; a store persists the table beside the log.
public struct NameTable: Sendable {
  /// The names, the name numbered `n` at index `n - 1`.
  public private(set) var names: [String] = []
  private var numbers: [String: UInt32] = [:]

  /// An empty table.
  public init() {}

  /// The number of `name`, if it has one.
  public func number(of name: String) -> UInt32? { numbers[name] }

  /// Whether a name has `number` (no string is copied).
  @inlinable public func contains(number: UInt32) -> Bool {
    number >= 1 && Int(number) <= names.count
  }

  /// The name numbered `number`, if there is one.
  public func name(of number: UInt32) -> String? {
    number >= 1 && Int(number) <= names.count ? names[Int(number) - 1] : nil
  }

  /// Adds `name` under the next number, unless it has one; returns its number and whether it
  /// was added.
  @discardableResult
  public mutating func intern(_ name: String) -> (number: UInt32, added: Bool) {
    if let number = numbers[name] { return (number, false) }
    names.append(name)
    let number = UInt32(names.count)
    numbers[name] = number
    return (number, true)
  }

  /// Records that `name` has `number` (as read back from storage).
  ///
  /// - Returns: `false` when the number is not the next one, which means the stored table is
  ///   corrupt.
  public mutating func restore(_ name: String, number: UInt32) -> Bool {
    guard Int(number) == names.count + 1, numbers[name] == nil else { return false }
    names.append(name)
    numbers[name] = number
    return true
  }
}
