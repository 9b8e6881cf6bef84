import Council
import EventLog
import EventLogLMDB
import Foundation
import Testing

/// The fixture: a council log of 335 events written by the library before record format 2
/// (`council generate --events 300 --seed 5`, compacted with `mdb_copy -c`), and its export by
/// that same library.
enum FormatOneFixture {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  /// A private copy of the fixture log (opening it for writing upgrades it).
  static func copy() throws -> String {
    let target = FileManager.default.temporaryDirectory
      .appendingPathComponent("councillog-format1-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: directory.appendingPathComponent("format1-log/data.mdb"),
      to: target.appendingPathComponent("data.mdb"))
    return target.path
  }

  /// The export's lines as JSON objects, without the `recorded` key (format 1 had none).
  static func objects(_ lines: [String]) throws -> [NSDictionary] {
    try lines.map { line in
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      var copy = object
      copy["recorded"] = nil
      return copy as NSDictionary
    }
  }
}

@Suite("A log written in format 1")
struct FormatOneLogTests {
  @Test func readsBackExactlyAsItsOwnExportSaid() async throws {
    let path = try FormatOneFixture.copy()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let store = try LMDBEventStore(path: path, options: .init(readOnly: true))
    defer { store.close() }
    var lines: [String] = []
    try await Interchange.export(store) { lines.append($0) }
    let before = try String(
      contentsOf: FormatOneFixture.directory.appendingPathComponent("format1.jsonl"),
      encoding: .utf8
    ).split(separator: "\n").map(String.init)
    #expect(lines.count == 335)
    #expect(try FormatOneFixture.objects(lines) == FormatOneFixture.objects(before))
    let report = try store.verify { record in _ = try CouncilCatalog.decode(record.recordedEvent())
    }
    #expect(report.problems.map(\.description) == [])
    #expect(report.records == 335)
  }

  @Test func opensForWritingAndTakesNewRecordsAfterTheOldOnes() async throws {
    let path = try FormatOneFixture.copy()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let council = Council(store: store)
    let old = try await store.readLog(from: .first, limit: 1000).events
    try await council.apply(
      "9001",
      profile: MemberProfile(
        nameEnglish: "Format Two Centre", nameFrench: "Centre Format Deux", region: "Quebec",
        city: "Montréal", services: ["housing"], clientGroups: ["youth"], languages: ["fr"],
        contact: "office@formattwo.example"),
      by: .publicPerson(name: "Test"))
    let all = try await store.readLog(from: .first, limit: 1000).events
    #expect(all.count == 336)
    #expect(Array(all.prefix(335)) == old)
    let last = try #require(all.last)
    #expect(last.recordedTime >= old[old.count - 1].recordedTime)
    let report = try store.verify { record in _ = try CouncilCatalog.decode(record.recordedEvent())
    }
    #expect(report.problems.map(\.description) == [])
  }

  @Test func itUpgradesToTheCurrentStorageFormatAndReadsBackTheSame() async throws {
    let path = try FormatOneFixture.copy()
    defer { try? FileManager.default.removeItem(atPath: path) }
    func exported() async throws -> [String] {
      let store = try LMDBEventStore(path: path, options: .init(readOnly: true))
      defer { store.close() }
      var lines: [String] = []
      try await Interchange.export(store) { lines.append($0) }
      let report = try store.verify { record in
        _ = try CouncilCatalog.decode(record.recordedEvent())
      }
      #expect(report.problems.map(\.description) == [])
      return lines
    }
    let before = try await exported()
    let report = try LMDBEventStore.upgrade(at: path)
    #expect(report.formatBefore == 1)
    #expect(report.formatAfter == LMDBEventStore.storageFormat)
    #expect(report.streamsNumbered > 0)
    #expect(try await exported() == before)
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    #expect(try store.storageReport().storageFormat == LMDBEventStore.storageFormat)
  }

  @Test func itsExportImportsIntoAFormatTwoLogWhoseTimesNeverRunBackwards() async throws {
    let target = FileManager.default.temporaryDirectory
      .appendingPathComponent("councillog-format1-import-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: target) }
    let lines = try String(
      contentsOf: FormatOneFixture.directory.appendingPathComponent("format1.jsonl"),
      encoding: .utf8
    ).split(separator: "\n").map(String.init)
    let store = try LMDBEventStore(path: target)
    defer { store.close() }
    try await Interchange.importLines(lines, into: store)
    let report = try store.verify { record in _ = try CouncilCatalog.decode(record.recordedEvent())
    }
    #expect(report.problems.map(\.description) == [])
    #expect(report.records == 335)
    var records: [UInt8] = []
    _ = try await store.scanLog(from: .first, limit: 1000, filter: .all) {
      records.append($0.formatVersion)
    }
    #expect(records.allSatisfy { $0 == RecordFormat.version })
  }
}
