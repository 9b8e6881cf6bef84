import EventLogTestSupport
import Foundation
import Testing

@Suite("council upgrade")
struct UpgradeCommandTests {
  /// The golden log, written in storage format 2 by the library of 2026-11-29.
  static let formatTwoLog = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("CouncilTests/Fixtures/format2-log")

  @Test func aFormatTwoLogIsUpgradedOnceAndReadsTheSame() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    try FileManager.default.createDirectory(
      atPath: directory.appending("log"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: Self.formatTwoLog.appendingPathComponent("data.mdb").path,
      toPath: directory.appending("log/data.mdb"))
    #expect(try await council.run(["export", "log", "--to", "before.jsonl"]).status == 0)
    let storage = try await council.run(["storage", "log"])
    #expect(
      storage.output.split(separator: "\n").dropFirst().first
        == "storage format 2: `council upgrade` brings it to format 3, with a smaller stream index",
      "\(storage.output)")

    let upgraded = try await council.run(["upgrade", "log"])
    #expect(upgraded.status == 0, "\(upgraded.errors)")
    #expect(upgraded.output.split(separator: "\n").count == 1)
    #expect(
      upgraded.output.hasPrefix("Upgraded log from storage format 2 to 3 ("), "\(upgraded.output)")
    let again = try await council.run(["upgrade", "log"])
    #expect(again.status == 0, "\(again.errors)")
    #expect(again.output.hasPrefix("log is in storage format 3 already"), "\(again.output)")

    let verified = try await council.run(["verify", "log"])
    #expect(verified.status == 0, "\(verified.output)")
    let upgradedStorage = try await council.run(["storage", "log"])
    #expect(upgradedStorage.output.contains("\nstorage format 3\n"), "\(upgradedStorage.output)")
    #expect(try await council.run(["export", "log", "--to", "after.jsonl"]).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: directory.appending("before.jsonl")))
    let after = try Data(contentsOf: URL(fileURLWithPath: directory.appending("after.jsonl")))
    #expect(before == after)
  }

  @Test func upgradeRefusesWhatIsNotAnLMDBLogInOneLine() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    let cases: [([String], String)] = [
      (["upgrade", "nothing"], "Error: no log at nothing"),
      (
        ["upgrade", "postgres://user:secret@127.0.0.1:1/db"],
        "Error: upgrade works on LMDB logs (directories) only"
      ),
    ]
    try await expectRefusedInOneLine(council, cases)
  }
}
