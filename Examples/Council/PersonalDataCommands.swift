import ArgumentParser
import Council
import EventLog
import Foundation

/// `--as WHO`: whose permissions a reading command has.
struct IssuerOption: ParsableArguments {
  @Option(
    name: .customLong("as"),
    help: """
      Read as: office (the default), public, administrator:MEMBER:ACCOUNT or \
      individual:MEMBER:ACCOUNT.
      """)
  var issuer = "office"

  /// The issuer named.
  func parsed() throws -> Issuer {
    let parts = issuer.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    switch (parts.first, parts.count) {
    case ("office", 1): return .office
    case ("public", 1): return .publicPerson(name: "reader")
    case ("administrator", 3):
      return .memberAdministrator(member: MemberID(parts[1]), account: AccountID(parts[2]))
    case ("individual", 3):
      return .individual(member: MemberID(parts[1]), account: AccountID(parts[2]))
    default:
      throw CommandFailure(
        "--as takes office, public, administrator:MEMBER:ACCOUNT or individual:MEMBER:ACCOUNT, not \(issuer)"
      )
    }
  }
}

/// Parses a subject argument (`kind:id`).
func parseSubject(_ text: String) throws -> DataSubject {
  guard let subject = DataSubject(text) else {
    throw CommandFailure("a subject is KIND:ID, such as participant:irrc-2018/r-0001, not \(text)")
  }
  return subject
}

struct People: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the people the log holds data of, and whether each was forgotten.")
  @OptionGroup var log: LogPath
  @Flag(help: "Print JSON for programs instead of a table.") var json = false
  @OptionGroup var reader: IssuerOption

  func run() async throws {
    let log = try await self.log.open()
    defer { log.close() }
    let people = try await Council(store: log.store).people(by: try reader.parsed())
    let rows = people.sorted { $0.key < $1.key }
    if json {
      try printJSON(
        rows.map {
          PersonOutput(subject: $0.key.description, kind: $0.key.kind.rawValue, status: $0.value)
        })
      return
    }
    let erased = rows.filter { $0.value == .erased }.count
    print("\(rows.count) people (\(erased) forgotten)")
    Table(["Subject", "Kind", "Status"]).print(
      rows.map { [$0.key.description, $0.key.kind.rawValue, $0.value.rawValue] })
  }
}

struct PersonOutput: Encodable {
  var subject: String
  var kind: String
  var status: DataSubjectStatus
}

struct Person: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print everything the log holds about one person (an access request).")
  @OptionGroup var log: LogPath
  @Argument(help: "The person: KIND:ID, as `council people` lists them.") var subject: String
  @Flag(help: "Print JSON for programs instead of text.") var json = false
  @OptionGroup var reader: IssuerOption

  func run() async throws {
    let subject = try parseSubject(subject)
    let issuer = try reader.parsed()
    let log = try await self.log.open()
    defer { log.close() }
    let record = try await Council(store: log.store).person(subject, by: issuer)
    if json {
      try printJSON(record)
      return
    }
    print("\(record.subject) (\(record.status.rawValue)): \(record.events.count) events")
    for event in record.events {
      print(
        "position \(event.position)  \(event.time)  \(event.stream) v\(event.version)  \(event.eventType)"
      )
      print("  \(event.data)")
    }
  }
}

struct Forget: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Erase one person: destroy their keys and record the erasure.",
    discussion: """
      Every personal field of the person reads as erased from then on; every other fact and \
      every count stays. Run `council compact` afterwards so that no freed page of the file \
      still holds the destroyed keys. Copies and backups made before keep them: see the \
      Personal Data article.
      """)
  @OptionGroup var log: LogPath
  @Argument(help: "The person: KIND:ID, as `council people` lists them.") var subject: String
  @Option(help: "Why: the person's request, a rule, a correction.") var reason: String

  func run() async throws {
    let subject = try parseSubject(subject)
    let log = try await self.log.open(writable: true)
    defer { log.close() }
    let erasure = try await Council(store: log.store).forget(subject, reason: reason, by: .office)
    let positions = erasure.positions.map { String($0.rawValue) }.joined(separator: ", ")
    print(
      "Forgot \(erasure.subjects.map(\.description).joined(separator: ", "))"
        + (positions.isEmpty ? "" : " (recorded at position \(positions))"))
  }
}

struct Retain: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Erase the personal data that retention rules say is due (run it daily).",
    discussion: """
      Without --rules, the council's own rules: evaluation comments three years after the \
      gathering, participants seven years after it, deactivated accounts seven years after. \
      A rules file is a JSON array of {"name", "subjects" (a kind), "months", "after" \
      (gatheringEnds or accountDeactivated)}.
      """)
  @OptionGroup var log: LogPath
  @Option(help: "A JSON file of retention rules.") var rules: String?
  @Option(help: "Apply the rules as of this day (YYYY-MM-DD) instead of today.") var on: String?

  func run() async throws {
    var chosen = RetentionRule.councilDefaults
    if let rules {
      guard let data = FileManager.default.contents(atPath: rules) else {
        throw CommandFailure("cannot read the rules file \(rules)")
      }
      do {
        chosen = try JSONDecoder().decode([RetentionRule].self, from: data)
      } catch {
        throw CommandFailure("the rules file \(rules) is not a JSON array of rules: \(error)")
      }
    }
    var clock = EventClock.system
    if let on {
      guard let day = Day(on) else {
        throw CommandFailure("--on takes a day (YYYY-MM-DD), not \(on)")
      }
      clock = .fixed(day.start)
    }
    let log = try await self.log.open(writable: true)
    defer { log.close() }
    let erasures = try await Council(store: log.store, clock: clock).applyRetention(
      chosen, by: .office)
    let subjects = erasures.flatMap(\.subjects)
    print(
      "Retention: \(subjects.count) subjects erased"
        + (subjects.isEmpty ? "" : ": " + subjects.map(\.description).joined(separator: ", ")))
  }
}
