import Council
import EventLog
import Foundation
import Testing

@Suite("Interchange (JSON Lines)")
struct InterchangeTests {
  @Test func exportThenImportGivesAnIdenticalLog() async throws {
    let (store, events) = try await simulatedMembershipLog(seed: 21, commands: 800)
    var lines: [String] = []
    let exported = try await Interchange.export(store) { lines.append($0) }
    #expect(exported == events.count)
    let copy = InMemoryEventStore()
    let imported = try await Interchange.importLines(lines, into: copy)
    #expect(imported == events.count)
    let copied = try await copy.readLog(from: .first, limit: 1_000_000).events
    #expect(copied == events)
    // And the export of the copy is the same text.
    var again: [String] = []
    try await Interchange.export(copy) { again.append($0) }
    #expect(again == lines)
  }

  @Test func aLineHasEveryFieldWithSortedKeys() async throws {
    let (store, _) = try await simulatedMembershipLog(seed: 22, commands: 50)
    var lines: [String] = []
    try await Interchange.export(store) { lines.append($0) }
    let first = try #require(lines.first)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
    #expect(
      Set(object.keys) == [
        "data", "eventType", "id", "metadata", "position", "recorded", "schemaVersion", "stream",
        "time",
        "version",
      ])
    #expect(first.hasPrefix("{\"data\":{"))
    #expect(object["eventType"] as? String == "CouncilEstablished")
  }

  @Test func aBadLineIsRefusedWithItsNumber() async throws {
    let (store, _) = try await simulatedMembershipLog(seed: 23, commands: 50)
    var lines: [String] = []
    try await Interchange.export(store) { lines.append($0) }
    lines[3] = "{not json"
    let copy = InMemoryEventStore()
    let error = await #expect(throws: Interchange.ImportError.self) {
      try await Interchange.importLines(lines, into: copy)
    }
    #expect(error?.line == 4)
    #expect(await copy.headPosition() == 3, "the lines before were imported")
    let nonEmpty = InMemoryEventStore()
    try await nonEmpty.append(
      [
        try EventData(
          CouncilEstablished(name: "x", termMonths: 12, graceDays: 0), id: .random(),
          metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
      ], to: "other-1", expectedVersion: .any)
    await #expect(throws: Interchange.ImportError.self) {
      try await Interchange.importLines(lines.prefix(2), into: nonEmpty)
    }
  }
}
