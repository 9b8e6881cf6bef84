// The `council` command: create, generate, export, import, replay, query and verify council
// logs. Uses only the libraries' public API.
import ArgumentParser
import Council
import EventLog
import EventLogLMDB
import Foundation

@main
struct CouncilCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "council",
    abstract: "Record, query and check a council's event log.",
    subcommands: [
      Init.self, Generate.self, Export.self, Import.self, Replay.self, Directory.self,
      Registrations.self, Evaluations.self, Fund.self, Resolutions.self, Members.self, Verify.self,
    ])
}

/// A log directory given on the command line.
struct LogPath: ParsableArguments {
  @Argument(help: "The log's directory.")
  var path: String

  /// Opens an existing log; refuses a path that does not exist rather than creating one.
  func open(durability: LMDBEventStore.Durability = .full) throws -> LMDBEventStore {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CommandFailure("no log at \(path): create one with `council init \(path)`")
    }
    guard isDirectory.boolValue, FileManager.default.fileExists(atPath: path + "/data.mdb") else {
      throw CommandFailure("\(path) is not a council log (a directory holding data.mdb)")
    }
    return try LMDBEventStore(path: path, options: .init(durability: durability))
  }

  /// Creates a new, empty log; refuses a path that already holds something.
  func create(durability: LMDBEventStore.Durability = .full, clock: EventClock = .system) throws
    -> LMDBEventStore
  {
    if let contents = try? FileManager.default.contentsOfDirectory(atPath: path), !contents.isEmpty
    {
      throw CommandFailure("\(path) is not empty: choose a new directory")
    }
    if FileManager.default.fileExists(atPath: path),
      (try? FileManager.default.contentsOfDirectory(atPath: path)) == nil
    {
      throw CommandFailure("\(path) is a file: a log is a directory")
    }
    return try LMDBEventStore(path: path, options: .init(durability: durability), clock: clock)
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

  var moment: AsOf {
    get throws {
      guard let asOf else { return .now }
      if let position = UInt64(asOf) { return .position(LogPosition(position)) }
      if let day = Day(asOf) { return .endOf(day) }
      throw CommandFailure("--as-of takes a day (YYYY-MM-DD) or a log position, not \(asOf)")
    }
  }
}

struct Init: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Create an empty log.")
  @OptionGroup var log: LogPath

  func run() async throws {
    let store = try log.create()
    store.close()
    print("Created an empty log in \(log.path)")
  }
}

struct Generate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Record a realistic synthetic council; the same seed gives the same log.")
  @OptionGroup var log: LogPath
  @Option(help: "About how many events to record.") var events = 10_000
  @Option(help: "The random seed.") var seed: UInt64 = 1

  func run() async throws {
    let start = Day(2016, 1, 1)
    // The store records each event at the simulated time: the same seed gives the same log.
    let recording = ManualClock(start.start)
    let store = try log.create(durability: .noSync, clock: recording.clock)
    defer { store.close() }
    let clock = EventClock.fixed(start.start)
    let council = Council(
      store: store, clock: clock, ids: .seeded(seed, clock: .stepping(from: start.start)))
    try await CouncilSetup.recordSeedCouncil(in: council)
    var simulation = CouncilSimulation(
      council: council, start: start, seed: seed, members: max(20, events / 40),
      recordingClock: recording)
    var accepted = 0
    var refused = 0
    while try await store.headPosition().rawValue < UInt64(events) {
      let remaining = events - Int(try await store.headPosition().rawValue)
      let outcome = try await simulation.runCouncil(commands: max(10, min(5000, remaining)))
      accepted += outcome.accepted
      refused += outcome.refused
    }
    let head = try await store.headPosition()
    print(
      "Recorded \(head) events in \(log.path) (\(accepted) commands accepted, \(refused) refused by the rules)"
    )
  }
}

struct Export: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Write the log as JSON Lines.")
  @OptionGroup var log: LogPath
  @Option(help: "The file to write (standard output when absent).") var to: String?

  func run() async throws {
    let store = try log.open()
    defer { store.close() }
    let output: FileHandle
    if let to {
      guard FileManager.default.createFile(atPath: to, contents: nil),
        let handle = FileHandle(forWritingAtPath: to)
      else {
        throw CommandFailure("cannot write \(to)")
      }
      output = handle
    } else {
      output = .standardOutput
    }
    var buffer = Data()
    let count = try await Interchange.export(store) { line in
      buffer.append(contentsOf: line.utf8)
      buffer.append(10)
      if buffer.count > 1 << 20 {
        output.write(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    output.write(buffer)
    if let to {
      try output.close()
      print("Exported \(count) events to \(to)")
    }
  }
}

struct Import: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Read JSON Lines into a new log.")
  @Argument(help: "The JSON Lines file.") var file: String
  @OptionGroup var log: LogPath

  func run() async throws {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw CommandFailure("cannot read \(file)")
    }
    let store = try log.create(durability: .noSync)
    defer { store.close() }
    let lines = String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false
    ).map(String.init)
    let count = try await Interchange.importLines(lines, into: store)
    print("Imported \(count) events into \(log.path)")
  }
}

struct Replay: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Rebuild every projection from the first event; print the rate and peak memory.")
  @OptionGroup var log: LogPath

  func run() async throws {
    let store = try log.open()
    defer { store.close() }
    let head = try await store.headPosition()
    let bar = ProgressBar(total: head.rawValue)
    let runner = ProjectionRunner(
      CouncilReadModelsProjection(), store: store, options: .init(pageSize: 4096))
    let started = ContinuousClock.now
    try await runner.rebuild { progress in bar.show(progress.done, rate: progress.eventsPerSecond) }
    let elapsed = ContinuousClock.now - started
    bar.finish()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = seconds > 0 ? Double(head.rawValue) / seconds : 0
    print(
      "Rebuilt every projection from \(head) events in \(String(format: "%.2f", seconds)) s: \(Int(rate)) events a second"
    )
    print(
      "Peak resident memory: \(MemoryUsage.peakResidentKilobytes() / 1024) MiB (of which not file-backed now: \(MemoryUsage.anonymousKilobytes() / 1024) MiB)"
    )
    let models = runner.state
    print(
      "Active members: \(models.directory.activeEntries.count); members with a history: \(models.membership.members.count)"
    )
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
    let store = try log.open()
    defer { store.close() }
    let answer = try await MemberDirectoryProjection().state(in: store, asOf: try query.moment)
    let page = answer.value.search(
      DirectoryQuery(
        region: region, service: service, clientGroup: clientGroup, language: language, text: text,
        pageSize: 1_000_000),
      as: office ? .office : .publicPerson(name: "reader"))
    if query.json {
      try printJSON(
        DirectoryOutput(
          position: answer.position.rawValue, total: page.total,
          countsByRegion: page.countsByRegion, entries: page.entries))
      return
    }
    print("Member directory as of log position \(answer.position): \(page.total) active members")
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
    let store = try log.open()
    defer { store.close() }
    let answer = try await MembershipHistoryProjection().state(in: store, asOf: try query.moment)
    if let member {
      guard let history = answer.value.members[MemberID(member)] else {
        throw CommandFailure("no member \(member) in the log as of position \(answer.position)")
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
    if query.json {
      try printJSON(
        YearsOutput(
          position: answer.position.rawValue,
          years: answer.value.years.sorted { $0.key < $1.key }.map {
            YearOutput(year: $0.key, counts: $0.value)
          }))
      return
    }
    print("Membership by year as of log position \(answer.position)")
    Table(["Year", "Joined", "Renewed", "Lapsed", "Rejoined", "Withdrew"]).print(
      answer.value.years.sorted { $0.key < $1.key }.map { year, counts in
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
      "Check a log: gapless positions, stream indexes consistent with the events, every payload decodes."
  )
  @OptionGroup var log: LogPath

  func run() async throws {
    let store = try log.open()
    defer { store.close() }
    let problems = try await LogVerifier(store: store).run()
    for problem in problems { print(problem) }
    let head = try await store.headPosition()
    if problems.isEmpty {
      print(
        "OK: \(head) events, positions gapless, stream indexes consistent, every payload decodes")
    } else {
      print("\(problems.count) problem(s) in \(head) events")
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
