import EventLogTestSupport
import Foundation
import Testing

/// The two sizes `council compact` prints: `Compacted LOG: BEFORE bytes before, AFTER bytes
/// after`.
private func sizes(_ output: String) -> (before: Int, after: Int)? {
  let numbers = output.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
  guard numbers.count == 2 else { return nil }
  return (numbers[0], numbers[1])
}

@Suite("council compact")
struct CompactCommandTests {
  @Test func compactPrintsBothSizesAndTheLogStillVerifies() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(
      try await council.run(["generate", "log", "--events", "3000", "--seed", "7"]).status == 0)
    let exported = try await council.run(["export", "log", "--to", "before.jsonl"])
    #expect(exported.status == 0)

    let compacted = try await council.run(["compact", "log"])
    #expect(compacted.status == 0, "\(compacted.errors)")
    #expect(compacted.errors.isEmpty)
    #expect(compacted.output.split(separator: "\n").count == 1)
    #expect(compacted.output.hasPrefix("Compacted log: "))
    let (before, after) = try #require(sizes(compacted.output), "\(compacted.output)")
    #expect(after <= before)
    let data = try FileManager.default.attributesOfItem(atPath: directory.appending("log/data.mdb"))
    #expect(data[.size] as? Int == after)

    let verified = try await council.run(["verify", "log"])
    #expect(verified.status == 0, "\(verified.output)")
    #expect(verified.output.hasPrefix("OK: "))
    // Every event is as it was.
    #expect(try await council.run(["export", "log", "--to", "after.jsonl"]).status == 0)
    let first = try Data(contentsOf: URL(fileURLWithPath: directory.appending("before.jsonl")))
    let second = try Data(contentsOf: URL(fileURLWithPath: directory.appending("after.jsonl")))
    #expect(first == second)
    #expect(listing(directory.appending("log")) == ["data.mdb", "lock.mdb"])
  }

  @Test func compactRefusesWhatIsNotAnLMDBLogInOneLine() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    let cases: [([String], String)] = [
      (["compact", "nothing"], "Error: no log at nothing: create one with `council init nothing`"),
      (
        ["compact", "postgres://user:secret@127.0.0.1:1/db"],
        "Error: compact works on LMDB logs (directories) only"
      ),
    ]
    try await expectRefusedInOneLine(council, cases)
    #expect(listing(directory.path).isEmpty)
  }

  /// With too little room for the compacted copy, compact ends in one line and the log is as
  /// it was, with nothing left beside it.
  @Test(.enabled(if: CouncilCommandTests.canMount, "needs root and unshare(1) to mount a tmpfs"))
  func aFullDiskEndsCompactInOneLineAndLeavesTheLogAsItWas() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(try await council.run(["generate", "log", "--events", "3000"]).status == 0)
    // How big the copy would be: compact a copy of the log on the roomy disk.
    #expect(try await council.shell("cp -r log probe").status == 0)
    let probe = try await council.run(["compact", "probe"])
    let (before, after) = try #require(sizes(probe.output), "\(probe.output) \(probe.errors)")
    // Room for the log and its lock file, and for half of the copy.
    let kilobytes = (before + after / 2) / 1024 + 64
    try FileManager.default.createDirectory(
      atPath: directory.appending("small"), withIntermediateDirectories: false)
    let run = try await council.shell(
      "unshare -m sh -c 'mount -t tmpfs -o size=\(kilobytes)k tmpfs small && cp -r log small/log && \"$COUNCIL\" compact small/log; echo; ls -A small/log; cmp log/data.mdb small/log/data.mdb && echo unchanged && \"$COUNCIL\" verify small/log'"
    )
    #expect(run.errorLines.count == 1, "\(run.errors)")
    #expect(run.errorLines.first?.hasPrefix("Error: storageFull: ") == true, "\(run.errors)")
    #expect(run.output.hasPrefix("\ndata.mdb\nlock.mdb\nunchanged\nOK: "), "\(run.output)")
  }
}

@Suite("council storage")
struct StorageCommandTests {
  @Test func storageShowsEachDatabaseAndTheRecordsPartsInBytesAnEvent() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(
      try await council.run(["generate", "log", "--events", "2000", "--seed", "7"]).status == 0)
    let run = try await council.run(["storage", "log"])
    #expect(run.status == 0, "\(run.errors)")
    let lines = run.output.split(separator: "\n").map(String.init)
    let events = try #require(lines.first { $0.hasPrefix("events ") }, "\(run.output)")
    let fields = events.split(separator: " ")
    let count = try #require(Int(fields[1]))
    #expect(lines.first?.hasSuffix("; \(count) events") == true, "\(run.output)")
    #expect(lines.dropFirst().first == "storage format 3", "\(run.output)")
    for name in ["ids ", "streams ", "stream-index ", "free pages ", "header pages "] {
      #expect(lines.contains { $0.hasPrefix(name) }, "no \(name)in \(run.output)")
    }
    #expect(lines.contains { $0.hasPrefix("records: ") && $0.contains("payload ") })

    for arguments in [
      ["storage", "nothing"], ["storage", "postgres://user:secret@127.0.0.1:1/db"],
    ] {
      let refused = try await council.run(arguments)
      #expect(refused.status != 0)
      #expect(refused.errorLines.count == 1, "\(refused.errors)")
      #expect(!refused.errors.contains("secret"))
    }
  }
}
