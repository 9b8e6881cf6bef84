import Council
import EventLog
import EventLogLMDB
import Foundation
import Testing

/// The golden log: every council event type, written by the library of 2026-11-29 in record
/// format 2 (`council generate --events 1500 --seed 3`, and one event of each of the 14 types
/// that the generator does not record at that size, added by `scripts/golden-log`), with that
/// library's export. Whatever replaces the hand-written binary coding must read it back
/// exactly and write every payload again byte for byte.
enum GoldenLog {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  /// A private copy of the golden log.
  static func copy() throws -> String {
    let target = FileManager.default.temporaryDirectory
      .appendingPathComponent("councillog-golden-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: directory.appendingPathComponent("format2-log/data.mdb"),
      to: target.appendingPathComponent("data.mdb"))
    return target.path
  }

  /// The export that was made of it, line by line.
  static func exportedLines() throws -> [String] {
    try String(
      contentsOf: directory.appendingPathComponent("format2.jsonl"), encoding: .utf8
    ).split(separator: "\n").map(String.init)
  }

  /// Runs `body` with the golden log opened read-only.
  static func withLog(_ body: (LMDBEventStore) async throws -> Void) async throws {
    let path = try copy()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let store = try LMDBEventStore(path: path, options: .init(readOnly: true))
    defer { store.close() }
    try await body(store)
  }
}

@Suite("The golden log (record format 2, every event type)")
struct GoldenLogTests {
  @Test("it reads back exactly as its own export said, and verifies")
  func readsBackAsExported() async throws {
    try await GoldenLog.withLog { store in
      var lines: [String] = []
      try await Interchange.export(store) { lines.append($0) }
      let expected = try GoldenLog.exportedLines()
      #expect(lines.count == 1514)
      #expect(lines.count == expected.count)
      for (index, (line, before)) in zip(lines, expected).enumerated() where line != before {
        Issue.record("line \(index + 1) differs:\n\(line)\n\(before)")
        break
      }
      let report = try store.verify { record in
        _ = try CouncilCatalog.decode(record.recordedEvent())
      }
      #expect(report.problems.map(\.description) == [])
    }
  }

  @Test("it holds every event type of the catalog, and nothing else")
  func holdsEveryEventType() async throws {
    try await GoldenLog.withLog { store in
      let events = try await store.readLog(from: .first, limit: 10_000).events
      let types = Set(events.map(\.eventType))
      // The erasure of personal data came after format 2.
      let added: Set<String> = ["PersonalDataErased"]
      #expect(types == Set(CouncilCatalog.types.map { $0.eventType }).subtracting(added))
    }
  }

  @Test("every payload decodes and encodes again to the same bytes, but personal data")
  func payloadsEncodeAgainByteForByte() async throws {
    try await GoldenLog.withLog { store in
      let events = try await store.readLog(from: .first, limit: 10_000).events
      #expect(events.count == 1514)
      var withPersonalData: Set<String> = []
      for event in events {
        let decoded = try CouncilCatalog.decode(event)
        var writer = BinaryWriter()
        try decoded.encodePayload(to: &writer)
        if let failure = writer.failure {
          // Format 2 held personal fields in plaintext; they read back, but are never written
          // in plaintext again (they have no subject to be sealed for).
          #expect(failure.code == .noSubject, "\(event.eventType): \(failure)")
          withPersonalData.insert(event.eventType)
          continue
        }
        #expect(
          writer.bytes == event.payload,
          "\(event.eventType) at position \(event.position) encodes differently")
      }
      // The golden log holds every type with values in every field: the types that hold
      // personal data are exactly those the catalog declares.
      #expect(withPersonalData == Set(CouncilCatalog.personalFields.keys))
    }
  }

  @Test("upgraded to storage format 3, it reads back the same, verifies, and its index is smaller")
  func upgradesToTheCurrentStorageFormat() async throws {
    let path = try GoldenLog.copy()
    defer { try? FileManager.default.removeItem(atPath: path) }
    func contents() async throws -> (lines: [String], streams: [[RecordedEvent]], index: Int) {
      let store = try LMDBEventStore(path: path, options: .init(readOnly: true))
      defer { store.close() }
      var lines: [String] = []
      try await Interchange.export(store) { lines.append($0) }
      let names = Set(try await store.readLog(from: .first, limit: 10_000).events.map(\.stream))
      var streams: [[RecordedEvent]] = []
      for name in names.sorted(by: { $0.rawValue < $1.rawValue }) {
        streams.append(try await store.readStream(name))
      }
      let report = try store.verify { record in
        _ = try CouncilCatalog.decode(record.recordedEvent())
      }
      #expect(report.problems.map(\.description) == [])
      let index = try store.storageReport().databases.first { $0.name == "stream-index" }
      return (lines, streams, try #require(index).pages)
    }
    let before = try await contents()
    let report = try LMDBEventStore.upgrade(at: path)
    #expect(report.formatBefore == 2)
    #expect(report.formatAfter == LMDBEventStore.storageFormat)
    #expect(report.bytesAfter < report.bytesBefore)
    let after = try await contents()
    #expect(after.lines == before.lines)
    #expect(after.streams == before.streams)
    #expect(after.index < before.index, "stream-index pages \(before.index) → \(after.index)")
  }
}
