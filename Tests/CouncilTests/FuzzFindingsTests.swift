import Council
import EventLog
import Testing

/// Inputs the fuzz targets (Fuzz/) found to crash the library, kept as tests.
@Suite("Fuzz findings (Council)")
struct CouncilFuzzFindingsTests {
  /// A line of the interchange form, with `data` and `time` as given.
  func line(data: String, time: String = "2016-04-04T11:00:00.000000000Z") -> String {
    "{\"data\":\(data),\"eventType\":\"RegistrationOpened\","
      + "\"id\":\"0151fa7b-dcfa-72ed-be99-0908ed2ef80b\","
      + "\"metadata\":{\"actor\":\"office\",\"custom\":{}},\"position\":86,"
      + "\"schemaVersion\":1,\"stream\":\"gathering-spring-2016\",\"time\":\"\(time)\",\"version\":2}"
  }

  /// `data` that is not an object trapped in `JSONSerialization` ("Top-level object was not
  /// NSArray or NSDictionary"); found by the interchange target with `data` a large number.
  @Test func aLineWhoseDataIsNotAnObjectIsAnImportError() {
    for data in ["9223372036854775808", "null", "1", "\"text\"", "true", "[]", "[{}]"] {
      let error = #expect(throws: Interchange.ImportError.self, "\(data)") {
        try Interchange.event(fromLine: line(data: data), number: 7)
      }
      #expect(error?.line == 7)
    }
  }

  /// A time whose nanoseconds do not fit a timestamp trapped on overflow; found by the
  /// interchange target with a time in 4032.
  @Test func aLineWhoseTimeIsOutOfRangeIsAnImportError() {
    let error = #expect(throws: Interchange.ImportError.self) {
      try Interchange.event(
        fromLine: line(data: "{}", time: "4032-01-01T00:00:00.000000000Z"), number: 9)
    }
    #expect(error?.line == 9)
  }
}

@Suite("Fuzz findings (council records)")
struct CouncilRecordFuzzFindingsTests {
  /// A stored `OfferLapsed` record whose day is 2⁶³ − 1 days after 1970 (found by the record
  /// target): it decoded, then trapped on overflow when exported (`Day.description`).
  static let farDayRecord: [UInt8] = [
    0x02, 0x00, 0x01, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x6f, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x51, 0xfa, 0x7b, 0xdc, 0xfe, 0x71, 0x39,
    0x86, 0xe8, 0x29, 0x58, 0xb7, 0xeb, 0xb4, 0x4e, 0x00, 0xe0, 0x9f, 0xe4, 0xe5, 0x22, 0x42, 0x14,
    0x00, 0xe0, 0x9f, 0xe4, 0xe5, 0x22, 0x42, 0x14, 0x0d, 0x1d, 0xf8, 0x35, 0xaf, 0x75, 0x21, 0xc9,
    0x15, 0x67, 0x61, 0x74, 0x68, 0x65, 0x72, 0x69, 0x6e, 0x67, 0x2d, 0x73, 0x70, 0x72, 0x69, 0x6e,
    0x67, 0x2d, 0x32, 0x30, 0x31, 0x36, 0x05, 0x01, 0x51, 0xfa, 0x7b, 0xdc, 0xfd, 0x70, 0x28, 0xb4,
    0x01, 0x8f, 0x7d, 0x3b, 0x49, 0x12, 0xeb, 0x06, 0x6f, 0x66, 0x66, 0x69, 0x63, 0x65, 0x00, 0x0e,
    0x25, 0x73, 0x70, 0x72, 0x69, 0x6e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0x00, 0xfe, 0x87, 0x02, 0x66,
  ]

  @Test func aPayloadDayOutsideYears0To9999IsACorruptRecord() throws {
    var types = NameTable()
    for type in CouncilCatalog.types { types.intern(type.eventType) }
    // The finding was written when the checksum sat at bytes 56..<64 of the header: move it to
    // the record's end (the payload offset moves 8 bytes earlier), and recompute it.
    let found = Self.farDayRecord
    var record = Array(found[..<56]) + Array(found[64...])
    record.withUnsafeMutableBytes { raw in
      let payloadOffset = UInt32(
        littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
      raw.storeBytes(of: (payloadOffset - 8).littleEndian, toByteOffset: 12, as: UInt32.self)
    }
    let sum = record.withUnsafeBytes { RecordChecksum.hash($0) }
    withUnsafeBytes(of: sum.littleEndian) { record.append(contentsOf: $0) }
    let event = try record.withUnsafeBytes { raw in
      try RecordView(position: 7, bytes: raw, types: types).recordedEvent()
    }
    #expect(event.eventType == "OfferLapsed")
    let error = #expect(throws: EventStoreError.self) { try CouncilCatalog.decode(event) }
    #expect(error?.code == .corruptRecord)
    #expect(error?.position == 7)
    #expect(throws: EventStoreError.self) { try Interchange.line(for: event) }
  }

  @Test func daysAtTheEdgesOfYears0To9999StillDecode() throws {
    for day in [Day(0, 1, 1), Day(9999, 12, 31)] {
      var writer = BinaryWriter()
      day.encode(to: &writer)
      let decoded = try writer.bytes.withUnsafeBytes { raw in
        var reader = BinaryReader(raw)
        return try Day(from: &reader)
      }
      #expect(decoded == day)
      #expect(Day(decoded.description) == day)
    }
    for days in [
      Int.max, Int.min, Day(9999, 12, 31).daysSince1970 + 1, Day(0, 1, 1).daysSince1970 - 1,
    ] {
      var writer = BinaryWriter()
      writer.write(days)
      #expect(throws: BinaryDecodingError.self) {
        try writer.bytes.withUnsafeBytes { raw in
          var reader = BinaryReader(raw)
          _ = try Day(from: &reader)
        }
      }
    }
  }
}
