import Council
import EventLog
import Foundation

// Fuzz target: one stored record, as raw bytes, read the way a store's readers read it.
//
// Each input is read twice: as given (so that the fixed header checks and the checksum check
// are fuzzed), and with its checksum recomputed (so that the fuzzer gets past the checksum to
// the stream name, metadata and payload decoding behind it).

/// The position every fuzzed record claims to be at.
let fuzzPosition = LogPosition(7)

/// Checks that a reader's error is the typed error of a damaged record at ``fuzzPosition``.
func expectCorruptRecord(_ error: EventStoreError, _ what: String) {
  guard error.code == .corruptRecord, error.position == fuzzPosition else {
    violated("\(what) threw \(error), not a corrupt-record error at \(fuzzPosition)")
  }
}

/// Everything a reader does with the bytes of one record.
func readRecord(_ bytes: UnsafeRawBufferPointer) {
  let view: RecordView
  do {
    view = try RecordView(position: fuzzPosition, bytes: bytes, types: fuzzTypes)
  } catch {
    expectCorruptRecord(error, "RecordView.init")
    return
  }
  // The fixed header: a few loads each, which must stay inside the record.
  var digest = view.eventType.utf8.count &+ Int(view.formatVersion) &+ Int(view.categoryID)
  digest &+= Int(view.schemaVersion) &+ Int(view.encoding.rawValue)
  digest &+= Int(truncatingIfNeeded: view.version.rawValue) &+ view.payload.count
  digest &+= view.id.description.utf8.count &+ view.time.description.utf8.count
  digest &+= view.recordedTime.description.utf8.count
  do {
    digest &+= try view.stream().rawValue.utf8.count
  } catch {
    expectCorruptRecord(error, "stream()")
  }
  do {
    digest &+= try view.metadata().custom.count
  } catch {
    expectCorruptRecord(error, "metadata()")
  }
  // A council family decoded straight from the borrowed view, as projections do.
  if let member = try? view.decode(with: EventSchema<MemberEvent>()) {
    digest &+= member.eventType.utf8.count
  }
  readPayload(view.payload)
  let event: RecordedEvent
  do {
    event = try view.recordedEvent()
  } catch {
    expectCorruptRecord(error, "recordedEvent()")
    return
  }
  guard event.eventType == view.eventType, event.payload.count == view.payload.count else {
    violated("recordedEvent() disagrees with the view")
  }
  readCouncilEvent(event)
  compareLines(view, event)
  if digest == 42 { print("", terminator: "") }  // keeps the reads above from being dropped
}

/// What an export writes from the record where it lies must be its owned event's line, byte
/// for byte, and fail where that fails.
func compareLines(_ view: RecordView, _ event: RecordedEvent) {
  var fromRecord: [UInt8] = []
  let recordLine = (try? Interchange.appendLine(for: view, to: &fromRecord)).map { fromRecord }
  let eventLine = (try? Interchange.line(for: event)).map { Array($0.utf8) }
  guard recordLine == eventLine else {
    violated(
      "the record's line \(recordLine.map { String(decoding: $0, as: UTF8.self) } ?? "(failed)") is not the event's \(eventLine.map { String(decoding: $0, as: UTF8.self) } ?? "(failed)")"
    )
  }
}

/// What `council verify` and `council export` do with an owned event: decode its payload as
/// a council event, and write it as an interchange line.
func readCouncilEvent(_ event: RecordedEvent) {
  do {
    _ = try CouncilCatalog.decode(event)
  } catch let error as EventStoreError {
    guard error.code == .corruptRecord || error.code == .unknownEventType else {
      violated("CouncilCatalog.decode threw \(error)")
    }
    return
  } catch {
    violated("CouncilCatalog.decode threw an untyped error: \(error)")
  }
  _ = try? event.decode(as: AccountEvent.self)
  _ = try? event.decode(as: SubscriptionEvent.self)
  _ = try? Interchange.line(for: event)
}

/// Reads `payload` with ``BinaryReader`` as a little program: each byte picks the next read
/// (strings, counts, arrays, integers, optionals, dictionaries, sets...), until a read fails
/// or the bytes run out. Every read must stay inside the buffer and fail with an error.
func readPayload(_ payload: UnsafeRawBufferPointer) {
  var reader = BinaryReader(payload)
  var digest = 0
  var steps = 0
  while !reader.isAtEnd, steps < 64 {
    steps += 1
    do {
      switch try reader.read(UInt8.self) % 18 {
      case 0: digest &+= try reader.read(String.self).utf8.count
      case 1: digest &+= try reader.readCount()
      case 2: digest &+= try reader.read([String].self).count
      case 3: digest &+= Int(truncatingIfNeeded: try reader.read(UInt64.self))
      case 4: digest &+= try reader.read(Int.self)
      case 5: digest &+= Int(try reader.read(UInt32.self))
      case 6: digest &+= try reader.read(Bool.self) ? 1 : 0
      case 7: digest &+= try reader.read(Double.self).isNaN ? 1 : 0
      case 8: digest &+= try reader.readBytes().count
      case 9: digest &+= try reader.read(String?.self)?.utf8.count ?? 0
      case 10: digest &+= try reader.read([Int].self).count
      case 11: digest &+= try reader.read([String: String].self).count
      case 12: digest &+= try reader.read(Set<String>.self).count
      case 13:
        digest &+= Int(truncatingIfNeeded: try reader.read(Timestamp.self).nanosecondsSince1970)
      case 14: digest &+= try reader.read(EventID?.self)?.version ?? 0
      case 15: digest &+= Int(truncatingIfNeeded: try reader.readZigZag(Int64.self))
      case 16: digest &+= try reader.readRaw(count: Int(try reader.read(UInt8.self))).count
      default: digest &+= Int(try reader.readFixedWidth(UInt16.self))
      }
    } catch {
      break
    }
    guard reader.offset <= payload.count else {
      violated("BinaryReader read past its buffer: offset \(reader.offset) of \(payload.count)")
    }
  }
  if digest == 42 { print("", terminator: "") }  // keeps the reads from being dropped
}

/// libFuzzer's entry point: reads `size` bytes at `data` as a record, as given and with its
/// checksum fixed up.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecord(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  readRecord(bytes)
  guard size >= RecordFormat.fixedHeaderSize + RecordFormat.checksumSize else { return 0 }
  // The checksum is the record's last 8 bytes, over every byte before them.
  let offset = size - RecordFormat.checksumSize
  let computed = RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: bytes[..<offset]))
  let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  guard computed != stored else { return 0 }
  // An exact-size copy, so that the address sanitizer sees any read past the record's end.
  var copy = [UInt8](bytes)
  copy.withUnsafeMutableBytes { raw in
    raw.storeBytes(of: computed.littleEndian, toByteOffset: offset, as: UInt64.self)
  }
  copy.withUnsafeBytes { readRecord($0) }
  return 0
}

/// libFuzzer's initialization hook: when started with `FUZZ_WRITE_SEEDS` (a directory) and
/// `FUZZ_FIXTURE` (an interchange file), writes seed records made from the fixture's events
/// (format 2, format 1, and with every metadata field) and exits instead of fuzzing.
@_cdecl("LLVMFuzzerInitialize")
public func initializeRecordFuzzer(
  _ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?
) -> CInt {
  guard let request = seedRequest() else { return 0 }
  var seeds: [[UInt8]] = []
  var writer = BinaryWriter()
  for (index, fixture) in fixtureEvents(at: request.fixture).enumerated() {
    var data = fixture.event.data
    if index % 4 == 1 {
      data.metadata.causationID = EventID(high: 0x0123_4567_89AB_7CDE, low: 0x8123_4567_89AB_CDEF)
      data.metadata.actor = "fuzz-actor"
      data.metadata.custom = ["reason": "seed", "source": "fuzz"]
    }
    guard let typeID = fuzzTypes.number(of: data.eventType) else { continue }
    RecordFormat.encode(
      data, stream: fixture.event.stream, version: fixture.event.version, typeID: typeID,
      categoryID: 3, recordedTime: fixture.event.recordedTime, into: &writer)
    let record = writer.bytes
    seeds.append(record)
    if index % 3 == 0 {
      // The same event in format 1: no recorded time or checksum, the stream name at 48.
      var old = Array(record[..<RecordFormat.version1HeaderSize])
      old += record[RecordFormat.fixedHeaderSize...]
      old[0] = 1
      let payloadOffset = UInt32(
        littleEndian: record.withUnsafeBytes {
          $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
        })
      let shifted =
        payloadOffset - UInt32(RecordFormat.fixedHeaderSize - RecordFormat.version1HeaderSize)
      withUnsafeBytes(of: shifted.littleEndian) { raw in
        for i in 0..<4 { old[12 + i] = raw[i] }
      }
      seeds.append(old)
    }
  }
  writeSeeds(seeds, prefix: "record", to: request.directory)
  exit(0)
}
