import EventLog
import Testing

/// The bytes `RecordFormat.encode` writes, checked against the layout its documentation gives,
/// written here field by field.
@Suite("Record format layout")
struct RecordFormatLayoutTests {
  /// The record the documented layout describes, written one field after the other.
  func documented(
    _ event: EventData, stream: String, version: UInt64, type: UInt32, category: UInt32,
    recorded: Int64
  ) -> [UInt8] {
    func little<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
      (0..<MemoryLayout<Integer>.size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
    func leb(_ value: Int) -> [UInt8] {
      var bytes: [UInt8] = []
      var rest = value
      repeat {
        bytes.append(UInt8(rest & 0x7F) | (rest >= 0x80 ? 0x80 : 0))
        rest >>= 7
      } while rest > 0
      return bytes
    }
    func text(_ string: String) -> [UInt8] { leb(string.utf8.count) + Array(string.utf8) }
    func id(_ id: EventID) -> [UInt8] {
      Array(little(id.high).reversed()) + Array(little(id.low).reversed())
    }
    let metadata = event.metadata
    var tail: [UInt8] = text(stream)
    let flags: UInt8 =
      (metadata.correlationID == nil ? 0 : 1) | (metadata.causationID == nil ? 0 : 2)
      | (metadata.actor == nil ? 0 : 4)
    tail.append(flags)
    if let correlation = metadata.correlationID { tail += id(correlation) }
    if let causation = metadata.causationID { tail += id(causation) }
    if let actor = metadata.actor { tail += text(actor) }
    tail += leb(metadata.custom.count)
    for key in metadata.custom.keys.sorted() {
      tail += text(key)
      tail += text(metadata.custom[key] ?? "")
    }
    var record: [UInt8] = [2, event.encoding.rawValue]
    record += little(event.schemaVersion)
    record += little(type)
    record += little(category)
    record += little(UInt32(56 + tail.count))
    record += little(version)
    record += id(event.id)
    record += little(metadata.time.nanosecondsSince1970)
    record += little(recorded)
    record += tail
    record += event.payload
    let checksum = record.withUnsafeBytes { RecordChecksum.hash($0) }
    return record + little(checksum)
  }

  static let variants: [EventMetadata] = [
    EventMetadata(time: Timestamp(nanosecondsSince1970: 1)),
    EventMetadata(
      time: Timestamp(nanosecondsSince1970: -5), correlationID: EventID(high: 1, low: 2),
      causationID: EventID(high: .max, low: 3), actor: "office",
      custom: ["zeta": "last", "alpha": "first", "mid": ""]),
    EventMetadata(
      time: Timestamp(nanosecondsSince1970: 1_538_474_400_000_000_000),
      causationID: EventID(high: 7, low: 8), actor: String(repeating: "é", count: 100)),
    EventMetadata(time: Timestamp(nanosecondsSince1970: 9), custom: ["only": "one"]),
  ]

  @Test(arguments: variants.indices)
  func aRecordIsTheDocumentedLayout(variant: Int) {
    let payloads: [[UInt8]] = [[], [0xFF], Array(repeating: 0x5A, count: 300)]
    for payload in payloads {
      let event = EventData(
        id: EventID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10),
        eventType: "Tested", schemaVersion: 3, encoding: variant % 2 == 0 ? .binary : .json,
        payload: payload, metadata: Self.variants[variant])
      // A stream name longer than 127 bytes takes two bytes of length.
      for stream in ["member-42", "gathering-" + String(repeating: "x", count: 200)] {
        var writer = BinaryWriter()
        // A writer that held a longer record before: encoding clears it.
        writer.writeRaw(Array(repeating: 0xEE, count: 1000))
        RecordFormat.encode(
          event, stream: StreamName(stream), version: StreamVersion(300), typeID: 0x1_0203,
          categoryID: 5, recordedTime: Timestamp(nanosecondsSince1970: 44), into: &writer)
        let expected = documented(
          event, stream: stream, version: 300, type: 0x1_0203, category: 5, recorded: 44)
        #expect(writer.bytes == expected, "variant \(variant), \(payload.count)-byte payload")
        #expect(RecordFormat.recordedTime(ofEncoded: writer.bytes)?.nanosecondsSince1970 == 44)
      }
    }
  }
}
