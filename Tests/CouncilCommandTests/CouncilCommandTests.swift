import Council
import EventLog
import EventLogLMDB
import EventLogTestSupport
import Foundation
import Synchronization
import Testing

/// What a run of the `council` binary did.
struct CouncilRun {
  var status: Int32
  var killed: Bool
  var output: String
  var errors: String

  /// The lines of standard error.
  var errorLines: [String] { errors.split(separator: "\n").map(String.init) }
}

/// The `council` binary, built beside the test bundle, run as a child process.
struct CouncilBinary {
  let path: String
  let directory: String

  /// The binary, for runs whose outputs go to files in `directory`.
  init(workingIn directory: String) throws {
    let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    path = bundle.deletingLastPathComponent().appendingPathComponent("council").path
    self.directory = directory
    try #require(
      FileManager.default.isExecutableFile(atPath: path), "build the council binary first")
  }

  /// Starts `council ARGUMENTS` (or `sh -c SHELL` with `$COUNCIL` set) in `directory`.
  func start(_ arguments: [String], shell: String? = nil, tag: String = UUID().uuidString)
    throws -> (Process, String, String, ExitSignal)
  {
    let outPath = directory + "/.out-" + tag
    let errPath = directory + "/.err-" + tag
    try #require(FileManager.default.createFile(atPath: outPath, contents: nil))
    try #require(FileManager.default.createFile(atPath: errPath, contents: nil))
    let process = Process()
    if let shell {
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      process.arguments = ["-c", shell]
      var environment = ["COUNCIL": path, "PATH": "/usr/bin:/bin"]
      // Where the master key of personal data is (see scripts/test.sh).
      for name in ["HOME", "XDG_CONFIG_HOME", "COUNCIL_MASTER_KEY", "COUNCIL_MASTER_KEY_FILE"] {
        environment[name] = ProcessInfo.processInfo.environment[name]
      }
      process.environment = environment
    } else {
      process.executableURL = URL(fileURLWithPath: path)
      process.arguments = arguments
    }
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.standardOutput = FileHandle(forWritingAtPath: outPath)
    process.standardError = FileHandle(forWritingAtPath: errPath)
    let exit = ExitSignal()
    process.terminationHandler = { _ in exit.signal() }
    try process.run()
    return (process, outPath, errPath, exit)
  }

  /// What a started run did, once it has ended. Waits without blocking a thread: a test that
  /// blocks one of the few threads of Swift's cooperative pool (`waitUntilExit`) starves every
  /// other test's tasks meanwhile (the PostgreSQL tests' transactions then wait on their
  /// clients past the store's timeout).
  func finish(_ started: (Process, String, String, ExitSignal)) async throws -> CouncilRun {
    let (process, outPath, errPath, exit) = started
    await exit.wait()
    process.waitUntilExit()
    defer {
      try? FileManager.default.removeItem(atPath: outPath)
      try? FileManager.default.removeItem(atPath: errPath)
    }
    return CouncilRun(
      status: process.terminationStatus, killed: process.terminationReason == .uncaughtSignal,
      output: try String(contentsOfFile: outPath, encoding: .utf8),
      errors: try String(contentsOfFile: errPath, encoding: .utf8))
  }

  /// Runs `council ARGUMENTS` to its end.
  func run(_ arguments: [String]) async throws -> CouncilRun {
    try await finish(try start(arguments))
  }

  /// Runs `sh -c SHELL` with `$COUNCIL` the binary, to its end.
  func shell(_ command: String) async throws -> CouncilRun {
    try await finish(try start([], shell: command))
  }
}

/// A child process's exit, told to one task that awaits it.
final class ExitSignal: Sendable {
  private let state = Mutex<(exited: Bool, waiter: CheckedContinuation<Void, Never>?)>(
    (false, nil))

  /// Records the exit and wakes the waiter, if any.
  func signal() {
    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
      state.exited = true
      defer { state.waiter = nil }
      return state.waiter
    }
    waiter?.resume()
  }

  /// Returns once the process has exited.
  func wait() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let exited = state.withLock { state -> Bool in
        if state.exited { return true }
        state.waiter = continuation
        return false
      }
      if exited { continuation.resume() }
    }
  }
}

/// The visible entries of `directory` (the runs' output files are hidden and removed).
func listing(_ directory: String) -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
    !$0.hasPrefix(".out-") && !$0.hasPrefix(".err-")
  }.sorted()
}

@Suite("council command line", .serialized)
struct CouncilCommandTests {
  @Test func argumentParserErrorsAreOneLineWithANonZeroStatus() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    let cases: [([String], String)] = [
      (["export", "--bogus", "x"], "Error: Unknown option '--bogus'"),
      (["export"], "Error: Missing expected argument '<path>'"),
      (
        ["generate", "x", "--events", "abc"],
        "Error: The value 'abc' is invalid for '--events <events>'"
      ),
      (["nothere"], "Error: Unexpected argument 'nothere'"),
      (["generate", "x", "--events", "0"], "Error: --events must be from 1 to 100000000, not 0"),
      (
        ["generate", "x", "--events", "9223372036854775807"],
        "Error: --events must be from 1 to 100000000, not 9223372036854775807"
      ),
    ]
    for (arguments, expected) in cases {
      let run = try await council.run(arguments)
      #expect(run.status != 0, "\(arguments)")
      #expect(run.errorLines == [expected], "\(arguments)")
      #expect(run.output.isEmpty)
    }
    #expect(listing(directory.path) == [], "nothing was created")
    let help = try await council.run(["export", "--help"])
    #expect(help.status == 0)
    #expect(help.output.contains("USAGE: council export <path> [--to <to>]"))
    #expect(help.errors.isEmpty)
  }

  @Test func queryInputsAreChecked() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    let generated = try await council.run(["generate", "log", "--events", "300"])
    #expect(generated.status == 0)
    let head = try #require(
      generated.output.split(separator: " ").dropFirst().first.flatMap { Int($0) })
    let past = try await council.run(["directory", "log", "--as-of", "99999999"])
    #expect(past.status == 1)
    #expect(past.errorLines == ["Error: position 99999999 is past the head \(head)"])
    let atHead = try await council.run(["directory", "log", "--as-of", "\(head)"])
    #expect(atHead.status == 0)
    #expect(atHead.output.hasPrefix("Member directory as of log position \(head):"))
    // A consultation recorded after position 10 is not in the log as of 10, but is in it.
    #expect(try await council.run(["evaluations", "log", "spring-2016"]).status == 0)
    let early = try await council.run(["evaluations", "log", "spring-2016", "--as-of", "10"])
    #expect(early.status == 1)
    #expect(
      early.errorLines == [
        "Error: consultation or conference spring-2016 is not in the log as of position 10: it is recorded later"
      ])
    let never = try await council.run(["registrations", "log", "no-such", "--as-of", "10"])
    #expect(never.errorLines == ["Error: no consultation or conference no-such in the log"])
    let member = try await council.run(["members", "log", "no-such-member"])
    #expect(member.errorLines == ["Error: no member no-such-member in the log"])
  }

  @Test func aDataFileThatIsADirectoryIsNotALog() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    try FileManager.default.createDirectory(
      atPath: directory.appending("log/data.mdb"), withIntermediateDirectories: true)
    for command in ["verify", "export", "fund"] {
      let run = try await council.run([command, "log"])
      #expect(run.status == 1)
      #expect(
        run.errorLines == ["Error: log/data.mdb is a directory, not a log file: log is not a log"])
    }
  }

  /// Four `generate`s racing to create one path: exactly one wins (its log is complete), the
  /// others exit 1 with one line and leave nothing behind.
  @Test func ofFourGeneratesRacingToOnePathOneWinsAndTheOthersSaySo() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    let started = try (1...4).map { seed in
      try council.start(["generate", "log", "--events", "1500", "--seed", "\(seed)"])
    }
    var runs: [CouncilRun] = []
    for run in started { runs.append(try await council.finish(run)) }
    #expect(runs.filter { $0.status == 0 }.count == 1)
    for run in runs where run.status != 0 {
      #expect(run.status == 1)
      #expect(run.errorLines.count == 1)
      let line = run.errorLines.first ?? ""
      #expect(
        line == "Error: log was created by another process meanwhile: nothing was written there"
          || line == "Error: log is not empty: choose a new directory", "\(line)")
    }
    #expect(listing(directory.path) == ["log"])
    let verified = try await council.run(["verify", "log"])
    #expect(verified.status == 0)
    #expect(verified.output.hasPrefix("OK: "))
  }

  /// An import killed at any moment leaves no log at the target; the next import removes what
  /// it left and succeeds.
  @Test func aKilledImportLeavesNoLogAndTheNextOneSucceeds() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(try await council.run(["generate", "log", "--events", "6000"]).status == 0)
    #expect(try await council.run(["export", "log", "--to", "log.jsonl"]).status == 0)
    // Kill it once its staging directory exists; if it finished first, try again sooner.
    var staged = false
    var killed = CouncilRun(status: 0, killed: false, output: "", errors: "")
    for delay in [40, 10, 2, 0] {
      let started = try council.start(["import", "log.jsonl", "copy"])
      staged = false
      for _ in 0..<5000 where !staged {
        staged = listing(directory.path).contains { $0.hasPrefix(".copy.importing-") }
        if !staged { try await Task.sleep(for: .microseconds(200)) }
      }
      try await Task.sleep(for: .milliseconds(delay))
      kill(started.0.processIdentifier, SIGKILL)
      killed = try await council.finish(started)
      if killed.killed { break }
      try? FileManager.default.removeItem(atPath: directory.appending("copy"))
    }
    #expect(staged)
    #expect(killed.killed, "the kill landed while the import ran")
    #expect(!FileManager.default.fileExists(atPath: directory.appending("copy")))
    #expect(listing(directory.path).contains { $0.hasPrefix(".copy.importing-") })
    let again = try await council.run(["import", "log.jsonl", "copy"])
    #expect(again.status == 0)
    #expect(listing(directory.path) == ["copy", "log", "log.jsonl"])
    let original = try await council.run(["export", "log"])
    let copy = try await council.run(["export", "copy"])
    expectSameText(copy.output, original.output)
    #expect(!copy.output.isEmpty)
  }

  @Test func anExportThatCannotBeWrittenIsOneLineAndLeavesNoFile() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(try await council.run(["generate", "log", "--events", "1000"]).status == 0)
    let limited = try await council.shell(
      "ulimit -f 20; exec \"$COUNCIL\" export log --to log.jsonl")
    #expect(limited.status == 1)
    #expect(limited.errorLines == ["Error: writing log.jsonl: File too large"])
    #expect(listing(directory.path) == ["log"], "no file and no staging file")
    let full = try await council.shell("exec \"$COUNCIL\" export log > /dev/full")
    #expect(full.status == 1)
    #expect(full.errorLines == ["Error: writing standard output: No space left on device"])
  }

  @Test func replayWritesIntoTheLogOnlyWithKeep() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(try await council.run(["generate", "log", "--events", "500"]).status == 0)
    let data = directory.appending("log/data.mdb")
    let before = try Data(contentsOf: URL(fileURLWithPath: data))
    let replay = try await council.run(["replay", "log"])
    #expect(replay.status == 0)
    #expect(replay.output.contains("Rebuilt every projection from"))
    // The memory line: the peak, the most not file-backed during the rebuild, what is in use
    // after it, and the difference, each a whole number of MiB, in that order.
    let memory = try #require(
      replay.output.split(separator: "\n").first { $0.hasPrefix("Peak resident memory: ") })
    let figures = memory.split(separator: " ").compactMap { Int($0) }
    #expect(figures.count == 4, "\(memory)")
    if figures.count == 4 {
      #expect(figures[0] >= figures[1] && figures[1] >= figures[2], "\(memory)")
      #expect(figures[3] == figures[1] - figures[2], "\(memory)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: data)) == before)
    let kept = try await council.run(["replay", "log", "--keep"])
    #expect(kept.status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: data)) != before)
  }

  @Test func theSameSeedGivesTheSameLog() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(
      try await council.run(["generate", "one", "--events", "400", "--seed", "9"]).status == 0)
    #expect(
      try await council.run(["generate", "two", "--events", "400", "--seed", "9"]).status == 0)
    // Sealing draws new keys and nonces each time: the logs agree opened.
    let one = try await council.run(["export", "one", "--plaintext"])
    let two = try await council.run(["export", "two", "--plaintext"])
    #expect(one.status == 0)
    #expect(!one.output.isEmpty)
    expectSameText(one.output, two.output)
    #expect(one.output.contains("\"recorded\":\"2016-01-01T00:00:00."))
  }

  @Test func verifyNamesTheDamagedPositionWithStatus2() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(try await council.run(["generate", "log", "--events", "500"]).status == 0)
    let healthy = try await council.run(["verify", "log"])
    #expect(healthy.status == 0)
    #expect(healthy.output.hasPrefix("OK: "))
    // One changed byte inside a payload (a member's city).
    let path = directory.appending("log/data.mdb")
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let city = try #require(bytes.range(of: Data("Montr".utf8)))
    bytes[city.lowerBound + 2] ^= 1
    try bytes.write(to: URL(fileURLWithPath: path))
    let damaged = try await council.run(["verify", "log"])
    #expect(damaged.status == 2)
    let first = damaged.output.split(separator: "\n").first.map(String.init) ?? ""
    #expect(first.hasPrefix("position "), "\(damaged.output)")
    #expect(first.contains("checksum does not match"), "\(damaged.output)")
  }

  @Test func verifyBesideALiveWriterSaysOK() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(try await council.run(["generate", "log", "--events", "300"]).status == 0)
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    let applied = Mutex(0)
    let writer = Task {
      let service = Council(store: store)
      var count = 0
      while !Task.isCancelled {
        try await service.apply(
          MemberID("live-\(count)"),
          profile: MemberProfile(
            nameEnglish: "Live Centre \(count)", nameFrench: "Centre vivant \(count)",
            region: "Quebec", city: "Laval", services: ["housing"], clientGroups: ["youth"],
            languages: ["fr"], contact: "office\(count)@live.example"),
          by: .publicPerson(name: "Writer"))
        count += 1
        applied.withLock { $0 = count }
      }
    }
    while applied.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
    let before = applied.withLock { $0 }
    var outcomes: [CouncilRun] = []
    for _ in 0..<4 {
      // The run is awaited without holding a thread, so the writer keeps appending meanwhile.
      outcomes.append(try await council.run(["verify", "log"]))
    }
    let after = applied.withLock { $0 }
    writer.cancel()
    _ = await writer.result
    #expect(after > before, "the writer appended while verify ran")
    for run in outcomes {
      #expect(run.status == 0, "\(run.output)")
      #expect(run.output.hasPrefix("OK: "))
      let problems = run.output.split(separator: "\n").filter { $0.hasPrefix("position ") }
      #expect(problems.isEmpty, "\(run.output)")
    }
  }

  /// Whether the tests may mount file systems in a mount namespace of their own (as root).
  static let canMount =
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")

  @Test(.enabled(if: canMount, "needs root and unshare(1) to mount a read-only view"))
  func aLogOnReadOnlyStorageCanBeReadAndAWriteIsRefusedInOneLine() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(try await council.run(["generate", "log", "--events", "500"]).status == 0)
    // In a mount namespace of its own, the log directory becomes a read-only mount.
    let readOnly = "unshare -m sh -c 'mount --bind log log && mount -o remount,ro,bind log && "
    let verify = try await council.shell(readOnly + "exec \"$COUNCIL\" verify log'")
    #expect(verify.status == 0)
    #expect(verify.output.hasPrefix("OK: "))
    #expect(verify.errors.isEmpty)
    let query = try await council.shell(readOnly + "exec \"$COUNCIL\" directory log'")
    #expect(query.status == 0)
    #expect(query.output.hasPrefix("Member directory as of log position "))
    let export = try await council.shell(readOnly + "exec \"$COUNCIL\" export log --to log.jsonl'")
    #expect(export.status == 0)
    #expect(FileManager.default.fileExists(atPath: directory.appending("log.jsonl")))
    let replay = try await council.shell(readOnly + "exec \"$COUNCIL\" replay log'")
    #expect(replay.status == 0)
    let keep = try await council.shell(readOnly + "exec \"$COUNCIL\" replay log --keep'")
    #expect(keep.status == 1)
    #expect(keep.errorLines.count == 1)
    #expect(keep.errorLines.first?.hasPrefix("Error: readOnly: ") == true, "\(keep.errors)")
  }

  @Test(.enabled(if: canMount, "needs root and unshare(1) to mount a small tmpfs"))
  func aFullDiskEndsImportGenerateAndExportInOneLineAndLeavesNothing() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(try await council.run(["generate", "log", "--events", "3000"]).status == 0)
    #expect(try await council.run(["export", "log", "--to", "log.jsonl"]).status == 0)
    try FileManager.default.createDirectory(
      atPath: directory.appending("small"), withIntermediateDirectories: false)
    let small = "unshare -m sh -c 'mount -t tmpfs -o size=300k tmpfs small && \"$COUNCIL\" "
    let list = "; echo; ls -A small'"
    let commands: [(String, String)] = [
      ("import log.jsonl small/copy", "storageFull: "),
      ("generate small/generated --events 20000", "storageFull: "),
      (
        "export log --to small/log.jsonl", "Error: writing small/log.jsonl: No space left on device"
      ),
    ]
    for (command, expected) in commands {
      let run = try await council.shell(small + command + list)
      #expect(run.errorLines.count == 1, "\(command): \(run.errors)")
      #expect(run.errorLines.first?.hasPrefix("Error: ") == true)
      #expect(run.errorLines.first?.contains(expected) == true, "\(command): \(run.errors)")
      // The shell printed an empty line and then what is left on the small disk: nothing.
      #expect(run.output.hasSuffix("\n\n") || run.output == "\n", "\(command): \(run.output)")
    }
    let status = try await council.shell(small + "import log.jsonl small/copy'")
    #expect(status.status == 1)
  }
}
