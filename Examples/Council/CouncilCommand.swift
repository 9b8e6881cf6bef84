// The `council` command: create, generate, export, import, replay, query, verify and compact
// council logs. Uses only the libraries' public API.
import ArgumentParser
import Council
import CouncilSamples
import EventLog
import EventLogLMDB
import Foundation

@main
struct CouncilCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "council",
    abstract: "Record, query and check a council's event log.",
    discussion: """
      Every log argument is a directory (an LMDB log) or, in a council built with \
      `swift build --traits Postgres`, a PostgreSQL URL: \
      postgres://USER:PASSWORD@HOST:PORT/DATABASE, with ?schema=NAME to choose the log among \
      several in one database (councillog by default).
      """,
    subcommands: [
      Init.self, Generate.self, Export.self, Import.self, Replay.self, Directory.self,
      Registrations.self, Evaluations.self, Fund.self, Resolutions.self, Members.self, Verify.self,
      People.self, Person.self, Forget.self, Retain.self, Compact.self, Upgrade.self,
      Storage.self,
    ])

  /// Runs the command line; every error, ArgumentParser's own included, is one line on standard
  /// error (`Error: …`) and a non-zero exit status. `--help` prints the help as usual.
  static func main() async {
    // A file-size limit then reads as an error of the write (EFBIG), not a signal that kills.
    signal(SIGXFSZ, SIG_IGN)
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      fail(error)
    }
  }

  /// Prints `error` as one line and exits with its status (help and clean exits as usual).
  static func fail(_ error: any Error) -> Never {
    let code = exitCode(for: error)
    if code == .success {
      let text = fullMessage(for: error)
      if !text.isEmpty { print(text) }
      Foundation.exit(code.rawValue)
    }
    if error is ExitCode { Foundation.exit(code.rawValue) }
    var text = message(for: error)
    if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
    let line =
      text.split(whereSeparator: \.isNewline).first.map(String.init)
      ?? "no subcommand: see `council --help`"
    FileHandle.standardError.writeLine("Error: " + line)
    Foundation.exit(code.rawValue)
  }
}

extension FileHandle {
  /// Writes a line, ignoring a failure (there is nowhere left to report it).
  func writeLine(_ line: String) {
    try? write(contentsOf: Data((line + "\n").utf8))
  }
}

/// `--as-of DATE|POSITION` and `--json`, shared by the queries.
struct QueryOptions: ParsableArguments {
  @Option(
    name: .customLong("as-of"),
    help: "Answer as the log stood then: a day (YYYY-MM-DD) or a log position.")
  var asOf: String?

  @Flag(help: "Print JSON for programs instead of a table.")
  var json = false

  @Flag(
    help:
      "Rebuild the kept read model from the first event instead of catching it up (without --as-of)."
  )
  var rebuild = false

  /// The moment asked for, checked against `store`: a position past its head is refused.
  func moment(in store: any EventStore) async throws -> AsOf {
    guard let asOf else { return .now }
    if let position = UInt64(asOf) {
      let head = try await store.headPosition()
      guard position <= head.rawValue else {
        throw CommandFailure("position \(position) is past the head \(head)")
      }
      return .position(LogPosition(position))
    }
    if let day = Day(asOf) { return .endOf(day) }
    throw CommandFailure("--as-of takes a day (YYYY-MM-DD) or a log position, not \(asOf)")
  }
}

/// Says that `what` is not in the log as of `answer`'s position, and whether it is recorded
/// later (when `laterHas` finds it in the whole log).
func notInLog(
  _ what: String, asOf moment: AsOf, at position: LogPosition,
  laterHas: () async throws -> Bool
) async throws -> CommandFailure {
  if moment != .now, try await laterHas() {
    return CommandFailure(
      "\(what) is not in the log as of position \(position): it is recorded later")
  }
  return CommandFailure("no \(what) in the log")
}

struct Init: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Create an empty log.")
  @OptionGroup var log: LogPath

  func run() async throws {
    try await log.create(purpose: "generating", emptyAllowed: false) { _ in }
    print("Created an empty log in \(log.display)")
  }
}

struct Generate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Record a realistic synthetic council; the same seed gives the same log.")
  @OptionGroup var log: LogPath
  @Option(help: "About how many events to record (1 to 100 000 000).") var events = 10_000
  @Option(help: "The random seed.") var seed: UInt64 = 1

  /// The most events one `generate` records.
  static let maximumEvents = 100_000_000

  func validate() throws {
    guard (1...Self.maximumEvents).contains(events) else {
      throw ValidationError("--events must be from 1 to \(Self.maximumEvents), not \(events)")
    }
  }

  func run() async throws {
    // The store records each event at the simulated time it happened (the simulation moves
    // this clock on before each command), so that the same seed gives the same log and
    // questions as of a day answer as the simulated council stood that day.
    let recording = ManualClock(Day(2016, 1, 1).start)
    let (head, accepted, refused) = try await log.create(
      purpose: "generating", clock: recording.clock
    ) { store in
      try await record(into: store, recording: recording)
    }
    print(
      "Recorded \(head) events in \(log.display) (\(accepted) commands accepted, \(refused) refused by the rules)"
    )
  }

  func record(into store: any EventStore & StateStore, recording: ManualClock) async throws -> (
    LogPosition, Int, Int
  ) {
    let generated = try await CouncilSimulation.generate(
      events: events, seed: seed, into: store, recordingClock: recording)
    return (generated.head, generated.accepted, generated.refused)
  }
}

struct Export: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Write the log as JSON Lines.")
  @OptionGroup var log: LogPath
  @Option(help: "The file to write (standard output when absent).") var to: String?
  @Flag(
    help: """
      Write people's data opened, in plaintext, with the master key; without it, it is \
      written sealed. Forgotten people's data is written erased either way.
      """)
  var plaintext = false

  func run() async throws {
    let log = try await self.log.open()
    defer { log.close() }
    let store = log.store
    let protector = plaintext ? Council(store: store).protector : nil
    if plaintext && protector == nil {
      throw CommandFailure("this log keeps no data keys: there is nothing to open")
    }
    if let to {
      let count = try await Interchange.exportFile(store, to: to, revealingWith: protector)
      print("Exported \(count) events to \(to)")
    } else {
      try await Interchange.export(
        store, toDescriptor: STDOUT_FILENO, naming: "standard output", revealingWith: protector)
    }
  }
}

struct Import: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Read JSON Lines into a new log.")
  @Argument(help: "The JSON Lines file.") var file: String
  @OptionGroup var log: LogPath

  func run() async throws {
    let count = try await log.importFile(file)
    print("Imported \(count) events into \(log.display)")
  }
}

struct Replay: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Rebuild every projection from the first event in memory; print the rate and peak memory.")
  @OptionGroup var log: LogPath
  @Flag(help: "Save the rebuilt read models into the log (without it, the log is not written).")
  var keep = false

  func run() async throws {
    let log = try await self.log.open(writable: keep)
    defer { log.close() }
    let store = log.store
    let head = try await store.headPosition()
    let bar = ProgressBar(total: head.rawValue)
    let source: any EventStore & StateStore = keep ? store : ReadOnlyLog(store)
    let runner = ProjectionRunner(
      CouncilReadModelsProjection(), store: source, options: .init(pageSize: 4096))
    let anonymous = AnonymousMemoryPeak()
    let started = ContinuousClock.now
    try await runner.rebuild { progress in bar.show(progress.done, rate: progress.eventsPerSecond) }
    let elapsed = ContinuousClock.now - started
    // (Nothing is freed between the last sample and now: at least what is held now.)
    let anonymousPeak = max(anonymous.stop(), MemoryUsage.anonymousKilobytes())
    bar.finish()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = seconds > 0 ? Double(head.rawValue) / seconds : 0
    print(
      "Rebuilt every projection from \(head) events in \(String(format: "%.2f", seconds)) s: \(Int(rate)) events a second"
    )
    // Not file-backed after the rebuild, once the allocator's free memory is given back: the
    // read models and their saved form (kept in memory without --keep). The most it reached
    // during the rebuild, less that, is what the rebuild held beyond them at its highest: its
    // pages of events, its buffers, the save's encoding.
    let peak = MemoryUsage.peakResidentKilobytes()
    let trimmed = MemoryUsage.releaseFreeMemory()
    let models = MemoryUsage.anonymousKilobytes()
    let beyond = trimmed ? ", \(max(0, anonymousPeak / 1024 - models / 1024)) MiB beyond them" : ""
    print(
      "Peak resident memory: \(peak / 1024) MiB, the log's mapped pages included; not file-backed: at most \(anonymousPeak / 1024) MiB during the rebuild, \(models / 1024) MiB in use after it (the read models and their saved form)\(beyond)"
    )
    let state = runner.state
    print(
      "Active members: \(state.directory.activeCount); members with a history: \(state.membership.members.count)"
    )
    // The read models (1.8 GiB of small allocations at 10 M events) are left to the process's
    // exit, which takes their memory back at once, rather than freed one allocation at a time
    // just before it.
    _ = Unmanaged.passRetained(runner)
  }
}

struct Directory: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Search the member directory.")
  @OptionGroup var log: LogPath
  @OptionGroup var query: QueryOptions
  @Option(help: "A province or territory.") var region: String?
  @Option(help: "A service offered.") var service: String?
  @Option(name: .customLong("client-group"), help: "A target client group.") var clientGroup:
    String?
  @Option(help: "A language.") var language: String?
  @Option(help: "Words in either name (case and accents ignored).") var text: String?
  @Flag(help: "Show e-mail addresses, as the office sees the directory.") var office = false

  func run() async throws {
    let log = try await self.log.openForQuery()
    defer { log.close() }
    let question = DirectoryQuery(
      region: region, service: service, clientGroup: clientGroup, language: language, text: text,
      pageSize: 1_000_000)
    let viewer: Issuer = office ? .office : .publicPerson(name: "reader")
    let (page, position) = try await query.answer(question, as: viewer, in: log)
    if query.json {
      try printJSON(
        DirectoryOutput(
          position: position.rawValue, total: page.total,
          countsByRegion: page.countsByRegion, entries: page.entries))
      return
    }
    print("Member directory as of log position \(position): \(page.total) active members")
    Table(["Member", "Name", "Region", "City", "Services", "Accounts"]).print(
      page.entries.map { entry in
        [
          entry.member.rawValue, entry.profile.nameEnglish, entry.profile.region,
          entry.profile.city,
          entry.profile.services.joined(separator: ", "), String(entry.accounts.count),
        ]
      })
    print(
      "By region: "
        + page.countsByRegion.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
          separator: ", "))
  }
}

struct DirectoryOutput: Encodable {
  var position: UInt64
  var total: Int
  var countsByRegion: [String: Int]
  var entries: [DirectoryEntry]
}

struct Members: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Membership history: per year, or one member's terms and gaps.")
  @OptionGroup var log: LogPath
  @Argument(help: "A member's identifier, for its own history.") var member: String?
  @OptionGroup var query: QueryOptions

  func run() async throws {
    let log = try await self.log.openForQuery()
    defer { log.close() }
    let store = log.store
    let moment = try await query.moment(in: store)
    if let member {
      let answer = try await query.history(of: MemberID(member), in: log)
      guard let history = answer.history else {
        throw try await notInLog("member \(member)", asOf: moment, at: answer.position) {
          try await MembershipHistoryProjection().state(in: store, asOf: .now).value
            .members[MemberID(member)] != nil
        }
      }
      if query.json {
        try printJSON(
          MemberOutput(
            position: answer.position.rawValue, member: member, history: history, gaps: history.gaps
          ))
        return
      }
      print(
        "Member \(member) as of log position \(answer.position): joined \(history.joinedOn?.description ?? "never")"
      )
      Table(["Term starts", "Term ends"]).print(
        history.terms.map { [$0.starts.description, $0.ends.description] })
      Table(["Gap from", "Gap to"]).print(
        history.gaps.map { [$0.starts.description, $0.ends.description] })
      Table(["From", "Status"]).print(
        history.changes.map { [$0.on.description, $0.status.rawValue] })
      return
    }
    let answer = try await query.years(in: log)
    if query.json {
      try printJSON(
        YearsOutput(
          position: answer.position.rawValue,
          years: answer.years.sorted { $0.key < $1.key }.map {
            YearOutput(year: $0.key, counts: $0.value)
          }))
      return
    }
    print("Membership by year as of log position \(answer.position)")
    Table(["Year", "Joined", "Renewed", "Lapsed", "Rejoined", "Withdrew"]).print(
      answer.years.sorted { $0.key < $1.key }.map { year, counts in
        [
          String(year), String(counts.joined), String(counts.renewed), String(counts.lapsed),
          String(counts.rejoined), String(counts.withdrew),
        ]
      })
  }
}

struct MemberOutput: Encodable {
  var position: UInt64
  var member: String
  var history: MemberHistory
  var gaps: [MembershipTerm]
}

struct YearOutput: Encodable {
  var year: Int
  var counts: MembershipYear
}

struct YearsOutput: Encodable {
  var position: UInt64
  var years: [YearOutput]
}

struct Verify: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Check a log in one snapshot: gapless positions, checksums, recorded-time order, indexes (LMDB: header pages, stream and ID indexes; PostgreSQL: the head row, each row's columns, the name table), every payload decodes."
  )
  @OptionGroup var log: LogPath

  func run() async throws {
    // Damage that stops the log from opening, or from being read at all, is a finding too.
    let report: VerificationReport
    let indexes: String
    do {
      let log = try await self.log.open()
      indexes =
        self.log.isPostgres
        ? "head row, row columns and name table consistent"
        : "stream and ID indexes consistent"
      defer { log.close() }
      // One read snapshot: right beside writers appending meanwhile.
      // Each payload is stepped over as decoding reads it, failing where decoding fails,
      // without the event made.
      report = try await log.verify { record in
        try CouncilCatalog.check(record)
      }
    } catch let error as EventStoreError {
      guard error.code == .corruptRecord else { throw error }
      print("log: \(error.message)")
      print("1 problem: the log cannot be read")
      throw ExitCode(2)
    }
    for problem in report.problems { print(problem) }
    if report.isHealthy {
      print(
        "OK: \(report.head) events in \(report.streams) streams, positions gapless, checksums match, recorded times in order, \(indexes), every payload decodes"
      )
    } else {
      print("\(report.problems.count) problem(s) in \(report.head) events")
      throw ExitCode(2)
    }
  }
}

/// A failure reported as one line (`Error: …`) with a non-zero exit status.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

func printJSON(_ value: some Encodable) throws {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
  print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
