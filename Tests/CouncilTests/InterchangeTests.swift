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

  @Test(arguments: BadLine.allCases)
  func eachBadLineIsOneErrorNamingItsNumber(_ bad: BadLine) async throws {
    let (lines, events) = try await exportedLines(seed: 24, commands: 60)
    let broken = try bad.apply(to: lines, at: 4)
    let copy = InMemoryEventStore()
    let error = await #expect(throws: Interchange.ImportError.self) {
      try await Interchange.importLines(broken, into: copy)
    }
    #expect(error?.line == 5)
    #expect(error?.reason.contains(bad.expected) == true, "\(String(describing: error))")
    #expect(error?.description.contains("\n") == false)
    // Nothing is ever written at a wrong position: the copy holds a prefix of the log.
    let stored = try await copy.readLog(from: .first, limit: 1_000_000).events
    #expect(stored.count <= 4)
    #expect(stored == Array(events.prefix(stored.count)))
  }

  /// Streams come back within a batch (the importer appends them again in their place, in
  /// one multi-stream append): a wrong version there is the store's refusal, reported with
  /// the line of the append it refused, and nothing of its batch is written.
  @Test func aStreamThatComesBackInABatchWithAWrongVersionIsRefusedAtItsLine() async throws {
    let (lines, events) = try await exportedLines(seed: 27, commands: 200)
    // A line whose stream had a line earlier, but not on the line just before it.
    let index = try #require(
      events.indices.dropFirst(2).first { index in
        events[index - 1].stream != events[index].stream
          && events[..<(index - 1)].contains { $0.stream == events[index].stream }
      })
    #expect(index < Interchange.Importer.batchSize, "in the first batch")
    let broken = try BadLine.wrongVersion.apply(to: lines, at: index)
    let copy = InMemoryEventStore()
    let error = await #expect(throws: Interchange.ImportError.self) {
      try await Interchange.importLines(broken, into: copy)
    }
    #expect(error?.line == index + 1, "\(String(describing: error))")
    let stream = events[index].stream
    #expect(
      error?.reason
        == "version \(events[index].version.rawValue + 1) of \(stream) does not follow the lines before, which give its version \(events[index].version.rawValue - 1)",
      "\(String(describing: error))")
    #expect(await copy.headPosition() == .start, "nothing of the batch is written")

    // Unbroken, the same lines import whole: the copy is the log.
    let whole = InMemoryEventStore()
    try await Interchange.importLines(lines, into: whole)
    #expect(try await whole.readLog(from: .first, limit: 1_000_000).events == events)
  }

  @Test func aNewerSchemaVersionIsRefusedAndTheCurrentOneAccepted() async throws {
    let (lines, _) = try await exportedLines(seed: 25, commands: 50)
    let first = try #require(lines.first)
    #expect(throws: Never.self) { try Interchange.event(fromLine: first, number: 1) }
    let newer = try BadLine.edit(first) { $0["schemaVersion"] = 2 }
    let error = #expect(throws: Interchange.ImportError.self) {
      try Interchange.event(fromLine: newer, number: 1)
    }
    #expect(
      error?.reason == "schema version 2 of CouncilEstablished is newer than this program knows (1)"
    )
  }

  @Test func importIntoALogThatIsNotEmptyIsRefusedAtTheFirstLine() async throws {
    let (lines, events) = try await exportedLines(seed: 26, commands: 20)
    let copy = InMemoryEventStore()
    try await Interchange.importLines(lines, into: copy)
    let error = await #expect(throws: Interchange.ImportError.self) {
      try await Interchange.importLines(["", "", lines[0]], into: copy)
    }
    #expect(error?.line == 3)
    #expect(try await copy.readLog(from: .first, limit: 1_000_000).events == events)
  }

  @Test func recordedTimesAreKeptAndALineWithoutOneIsRecordedAtItsTime() async throws {
    let (lines, events) = try await exportedLines(seed: 27, commands: 60)
    let copy = InMemoryEventStore(clock: .fixed(Timestamp(nanosecondsSince1970: 0)))
    try await Interchange.importLines(lines, into: copy)
    let copied = try await copy.readLog(from: .first, limit: 1_000_000).events
    #expect(copied.map(\.recordedTime) == events.map(\.recordedTime))
    // A file of a log of record format 1 has no recorded times: each line is recorded at its
    // time, or with the line before when that is later; never at the importing store's clock.
    let stamp = Timestamp(nanosecondsSince1970: 1_700_000_000_000_000_000)
    var old = try lines.map { line in try BadLine.edit(line) { $0["recorded"] = nil } }
    #expect(old.allSatisfy { !$0.contains("\"recorded\"") })
    // Make the second line's time earlier than the first's, as format 1 logs had.
    old[1] = try BadLine.edit(old[1]) { $0["time"] = "2000-01-01T00:00:00.000000000Z" }
    let stamped = InMemoryEventStore(clock: .fixed(stamp))
    try await Interchange.importLines(old, into: stamped)
    let read = try await stamped.readLog(from: .first, limit: 1_000_000).events
    #expect(read.count == events.count)
    #expect(read.allSatisfy { $0.recordedTime < stamp })
    #expect(read[1].recordedTime == read[0].recordedTime)
    #expect(read.dropFirst(2).map(\.recordedTime) == read.dropFirst(2).map(\.metadata.time))
    #expect(zip(read, read.dropFirst()).allSatisfy { $0.recordedTime <= $1.recordedTime })
  }
}

/// One way to break a line of an export, and what the error must say.
enum BadLine: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case notJSON, notAnObject, dataNull, dataNumber, dataString, dataArray, dataMissing
  case payloadFieldsMissing, newerSchema, unknownType, wrongVersion, swapped, repeated
  case positionZero, recordedEarlier, positionNegative, schemaVersionTooLarge, largestVersionTwice

  var testDescription: String { rawValue }

  /// A fragment of the reason the import must give.
  var expected: String {
    switch self {
    case .notJSON: return "not valid JSON"
    case .notAnObject: return "not a JSON object"
    case .dataNull: return "data is null, not an object"
    case .dataNumber: return "data is a number, not an object"
    case .dataString: return "data is a string, not an object"
    case .dataArray: return "data is an array, not an object"
    case .dataMissing: return "no data"
    case .payloadFieldsMissing: return "payload: no "
    case .newerSchema: return "schema version 99 of "
    case .unknownType: return "unknown event type NoSuchEvent"
    case .wrongVersion: return "does not follow"
    case .swapped: return "position 6 where 5 was expected"
    case .repeated: return "position 4 where 5 was expected"
    case .positionZero: return "position 0 is not a position"
    case .recordedEarlier: return "recorded time 2000-01-01T00:00:00.000000000Z is earlier than "
    case .positionNegative: return "position is not a whole number from 1 to 18446744073709551615"
    case .schemaVersionTooLarge: return "schemaVersion is not a whole number from 1 to 65535"
    case .largestVersionTwice: return "version 18446744073709551615 of "
    }
  }

  /// `lines` with the line at `index` broken.
  func apply(to lines: [String], at index: Int) throws -> [String] {
    var lines = lines
    let line = lines[index]
    switch self {
    case .notJSON: lines[index] = "{not json"
    case .notAnObject: lines[index] = "[1, 2]"
    case .dataNull: lines[index] = try Self.edit(line) { $0["data"] = NSNull() }
    case .dataNumber: lines[index] = try Self.edit(line) { $0["data"] = 42 }
    case .dataString: lines[index] = try Self.edit(line) { $0["data"] = "text" }
    case .dataArray: lines[index] = try Self.edit(line) { $0["data"] = [1, 2] }
    case .dataMissing: lines[index] = try Self.edit(line) { $0["data"] = nil }
    case .payloadFieldsMissing:
      lines[index] = try Self.edit(line) { $0["data"] = [String: Any]() }
    case .newerSchema: lines[index] = try Self.edit(line) { $0["schemaVersion"] = 99 }
    case .unknownType: lines[index] = try Self.edit(line) { $0["eventType"] = "NoSuchEvent" }
    case .wrongVersion:
      lines[index] = try Self.edit(line) {
        $0["version"] = (($0["version"] as? Int) ?? 0) + 1
      }
    case .swapped: lines.swapAt(index, index + 1)
    case .repeated: lines[index] = lines[index - 1]
    case .positionZero: lines[index] = try Self.edit(line) { $0["position"] = 0 }
    case .recordedEarlier:
      lines[index] = try Self.edit(line) { $0["recorded"] = "2000-01-01T00:00:00.000000000Z" }
    case .positionNegative: lines[index] = try Self.edit(line) { $0["position"] = -1 }
    case .schemaVersionTooLarge: lines[index] = try Self.edit(line) { $0["schemaVersion"] = 70_000 }
    case .largestVersionTwice:
      // Two events of one stream at the largest version: no version can follow it.
      lines[index] = try Self.edit(line) { $0["version"] = UInt64.max }
      lines[index + 1] = try Self.edit(lines[index]) {
        $0["position"] = index + 2
        $0["id"] = "00000000-0000-7000-8000-000000000001"
      }
    }
    return lines
  }

  /// The line with its JSON object changed by `change`.
  static func edit(_ line: String, _ change: (inout [String: Any]) -> Void) throws -> String {
    var object = try #require(
      try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    change(&object)
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }
}
