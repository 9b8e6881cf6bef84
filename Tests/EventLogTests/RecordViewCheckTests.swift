import EventLog
import Testing

/// `streamNameBytes()` and `checkMetadata()` walk a record as `stream()` and `metadata()` do
/// without making values: over damaged headers, each must fail exactly where its model fails,
/// with the same error, and agree on what it read when both pass.
@Suite("RecordView's checks without values")
struct RecordViewCheckTests {
  /// A record with every kind of metadata: correlation, causation, actor and custom pairs.
  func record(stream: String = "registration-42") -> (bytes: [UInt8], types: NameTable) {
    var types = NameTable()
    let type = types.intern("Registered").number
    let event = EventData(
      id: .random(), eventType: "Registered", encoding: .binary, payload: [1, 2, 3, 4, 5],
      metadata: EventMetadata(
        time: Timestamp(nanosecondsSince1970: 1_700_000_000_000_000_000),
        correlationID: .random(), causationID: .random(), actor: "office-7",
        custom: ["source": "import", "line": "12"]))
    var writer = BinaryWriter()
    RecordFormat.encode(
      event, stream: StreamName(stream), version: StreamVersion(3), typeID: type,
      categoryID: 1, recordedTime: Timestamp(nanosecondsSince1970: 1_700_000_000_000_000_001),
      into: &writer)
    return (writer.bytes, types)
  }

  /// Both outcomes as comparable values: the error's message, or what was read.
  func outcomes(_ bytes: [UInt8], _ types: NameTable) -> (name: [String], metadata: [String])? {
    bytes.withUnsafeBytes { raw in
      guard
        let view = try? RecordView(position: 9, bytes: raw, types: types, checksum: false)
      else { return nil }
      func outcome<T>(_ body: () throws -> T) -> String {
        do {
          return "ok \(try body())"
        } catch let error as EventStoreError {
          return "error \(error.message)"
        } catch {
          return "other error \(error)"
        }
      }
      let name = outcome { try view.stream().rawValue }
      let nameBytes = outcome { String(decoding: try view.streamNameBytes(), as: UTF8.self) }
      let metadata = outcome { _ = try view.metadata() }
      let checked = outcome { try view.checkMetadata() }
      return ([name, nameBytes], [metadata, checked])
    }
  }

  @Test func anIntactRecordPassesBothWays() throws {
    let (bytes, types) = record()
    let found = try #require(outcomes(bytes, types))
    #expect(found.name == ["ok registration-42", "ok registration-42"])
    #expect(found.metadata == ["ok ()", "ok ()"])
  }

  @Test func damagedHeadersFailWhereTheValuesFail() throws {
    let (original, types) = record()
    let payloadOffset = original.withUnsafeBytes {
      Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
    }
    let headerEnd = RecordFormat.headerSize(ofVersion: RecordFormat.version) ?? 0
    var random = SystemRandomNumberGenerator()
    var failures = 0
    // Every byte of the stream name and metadata set to values that matter to their lengths,
    // flags and counts; then random changes of one to three bytes.
    var damaged: [[UInt8]] = []
    for offset in headerEnd..<payloadOffset {
      for value: UInt8 in [0, 1, 2, 4, 7, 0x40, 0x7F, 0x80, 0xFF] {
        var bytes = original
        bytes[offset] = value
        damaged.append(bytes)
      }
    }
    for _ in 0..<500 {
      var bytes = original
      for _ in 0..<Int.random(in: 1...3, using: &random) {
        bytes[Int.random(in: headerEnd..<payloadOffset, using: &random)] = random.next()
      }
      damaged.append(bytes)
    }
    for bytes in damaged {
      let found = try #require(outcomes(bytes, types))
      if found.name[0].hasPrefix("error") && found.name[1].hasPrefix("ok") {
        // Only the name's content was refused (empty or too long): the bytes do not judge it.
        #expect(found.name[0].contains("stream name of"), "\(found.name)")
      } else {
        #expect(found.name[1] == found.name[0])
      }
      #expect(found.metadata[1] == found.metadata[0], "\(bytes)")
      if found.metadata[0] != "ok ()" { failures += 1 }
    }
    #expect(failures > 100)  // the damage did reach the checks
  }
}
