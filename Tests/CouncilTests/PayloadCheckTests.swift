import EventLog
import Testing

@testable import Council

/// `CouncilCatalog.check(_:)`, what `council verify` does to every record, steps over a
/// payload's fields without making the event: it must fail exactly where
/// `CouncilCatalog.decode(_:)` fails, with the same error, and pass where it passes.
@Suite("Payload checks without events")
struct PayloadCheckTests {
  /// The record of `event` with `payload` in place of its own, as the store writes it.
  func record(of event: RecordedEvent, payload: [UInt8]) -> (bytes: [UInt8], types: NameTable) {
    var types = NameTable()
    let type = types.intern(event.eventType).number
    let data = EventData(
      id: event.id, eventType: event.eventType, schemaVersion: event.schemaVersion,
      encoding: .binary, payload: payload, metadata: event.metadata)
    var writer = BinaryWriter()
    RecordFormat.encode(
      data, stream: event.stream, version: event.version, typeID: type, categoryID: 1,
      recordedTime: event.recordedTime, into: &writer)
    return (writer.bytes, types)
  }

  /// What checking and decoding the record say: "ok", or the error's code and message.
  func outcomes(_ bytes: [UInt8], _ types: NameTable, position: LogPosition) throws -> (
    checked: String, decoded: String
  ) {
    try bytes.withUnsafeBytes { raw in
      let view = try RecordView(position: position, bytes: raw, types: types)
      func outcome(_ body: () throws -> Void) -> String {
        do {
          try body()
          return "ok"
        } catch let error as EventStoreError {
          return
            "\(error.code) \(error.message) \(error.stream?.rawValue ?? "-") \(error.eventType ?? "-")"
        } catch {
          return "untyped \(error)"
        }
      }
      return (
        outcome { try CouncilCatalog.check(view) }, outcome { _ = try CouncilCatalog.decode(view) }
      )
    }
  }

  @Test("every payload of the golden log, whole, cut short and with bytes replaced")
  func checkFailsWhereDecodingFails() async throws {
    try await GoldenLog.withLog { store in
      let events = try await store.readLog(from: .first, limit: 10_000).events
      var types: Set<String> = []
      var failed = 0
      var passed = 0
      for event in events where !types.contains(event.eventType) {
        types.insert(event.eventType)
        let payload = Array(event.payload)
        var variants = [payload]
        for length in 0..<payload.count { variants.append(Array(payload.prefix(length))) }
        for index in payload.indices {
          for replacement: UInt8 in [0x00, 0x03, 0x7F, 0x80, 0xFF]
          where payload[index] != replacement {
            var changed = payload
            changed[index] = replacement
            variants.append(changed)
          }
        }
        for variant in variants {
          let (bytes, names) = record(of: event, payload: variant)
          let (checked, decoded) = try outcomes(bytes, names, position: event.position)
          #expect(checked == decoded, "\(event.eventType): \(variant)")
          if decoded == "ok" { passed += 1 } else { failed += 1 }
        }
      }
      #expect(types.count >= CouncilCatalog.types.count - 1)
      // Both outcomes occur often: damage that still decodes, and damage that does not.
      #expect(passed > 1000)
      #expect(failed > 1000)
    }
  }

  @Test("a record of a type the catalog does not know is refused as decoding refuses it")
  func unknownTypeIsRefusedAlike() async throws {
    try await GoldenLog.withLog { store in
      var event = try #require(try await store.readLog(from: .first, limit: 1).events.first)
      event.eventType = "NotACouncilEvent"
      let (bytes, names) = record(of: event, payload: Array(event.payload))
      let (checked, decoded) = try outcomes(bytes, names, position: event.position)
      #expect(checked == decoded)
      #expect(checked.hasPrefix("unknownEventType"))
    }
  }
}
