// Records the 2018 International Refugee Rights Conference from its report as events in an
// LMDB log, then prints the report's tables from the projections.
//
//   swift run conference-2018 [DIRECTORY] [--forget]
//
// With no directory, the log goes to a fresh temporary directory. With --forget, it then
// forgets one participant (the first who left a comment) and prints the report again: every
// figure stays, and their name and comment read as erased.
import Council
import CouncilSamples
import EventLog
import EventLogLMDB
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let forgetting = arguments.contains("--forget")
let directory =
  arguments.first { $0 != "--forget" }
  ?? FileManager.default.temporaryDirectory.appendingPathComponent(
    "conference-2018-\(UUID().uuidString)"
  ).path

func percent(_ value: Double) -> String { String(format: "%.1f %%", value) }

/// Prints the report's tables as the projections fold them now.
func printReport(_ store: LMDBEventStore, _ council: Council) async throws {
  let reports = try await GatheringReportsProjection().state(in: store, asOf: .now)
  guard let counts = reports.value.registrationCounts(Conference2018.gathering),
    let evaluation = reports.value.evaluationSummary(Conference2018.gathering)
  else { throw EventStoreError(.corruptRecord, "the conference is not in the log") }

  print("\n4. Participants (as of log position \(reports.position))")
  let participantRows: [(String, String)] = [
    ("Participants who attended", "\(counts.checkedIn)"),
    ("Countries", "\(counts.countries)"),
    ("From outside Canada", "\(counts.fromOutsideHostCountry)"),
    ("Non-Canadian participants funded", "\(counts.fundedFromOutsideHostCountry)"),
    ("Refugees or former refugees supported", "\(counts.fundedRefugees)"),
    ("Youth", "\(counts.youth)"),
    (
      "Member rate / non-member rate",
      "\(counts.byRate["member"] ?? 0) / \(counts.byRate["nonMember"] ?? 0)"
    ),
    (
      "Registration closed",
      "\(counts.closedOn?.description ?? "-")\(counts.closedAtCapacity ? ", at capacity" : "")"
    ),
    ("Exceptions admitted after closing", "\(counts.exceptions)"),
    ("Waitlisted / offered a freed place", "\(counts.waitlisted) / \(counts.offersAccepted)"),
  ]
  for (label, value) in participantRows {
    print("  " + label.padding(toLength: 40, withPad: " ", startingAt: 0) + value)
  }

  print("\n2. Conference sessions: \(counts.sessions) in total")
  for kind in SessionKind.allCases {
    guard let sessions = counts.sessionsByKind[kind.rawValue] else { continue }
    print("  " + kind.rawValue.padding(toLength: 40, withPad: " ", startingAt: 0) + "\(sessions)")
  }

  print("\n3. Workshop outcomes recorded")
  for category in OutcomeCategory.allCases {
    print(
      "  " + category.rawValue.padding(toLength: 40, withPad: " ", startingAt: 0)
        + "\(counts.outcomesByCategory[category.rawValue] ?? 0)")
  }

  print("\nEvaluation results - of the \(evaluation.responses) responses received:")
  for statement in evaluation.statements {
    print(
      "  " + percent(statement.percentAgreeing).padding(toLength: 9, withPad: " ", startingAt: 0)
        + statement.statement)
  }
  print("\nParticipants appreciated…")
  for comment in evaluation.comments {
    print("  - \(try await council.reveal(comment, by: .office))")
  }
}

do {
  // The store records each event on the day of 2018 it happened.
  let recording = ManualClock(Day(2018, 1, 15).start)
  let store = try LMDBEventStore(
    path: directory, options: .init(durability: .noSync), clock: recording.clock)
  defer { store.close() }
  let clock = EventClock.fixed(Day(2018, 1, 15).start)
  let council = Council(
    store: store, clock: clock, ids: .seeded(2018, clock: .stepping(from: clock.now())))
  let started = ContinuousClock.now
  let recorded = try await Conference2018.record(in: council, recordingClock: recording)
  print(
    "Recorded the 2018 International Refugee Rights Conference as \(recorded) events in \(directory) (\(ContinuousClock.now - started))"
  )

  try await printReport(store, council)
  if forgetting {
    // The first participant who left a comment asks to be forgotten.
    let state = try await council.gathering(Conference2018.gathering)
    let events = try await store.readLog(from: .first, limit: 100_000).events
    var subject: DataSubject?
    for event in events {
      if case .evaluationSubmitted(let e) = try? event.decode(as: GatheringEvent.self),
        e.comment != nil, let holder = state.registrations[e.registration]?.participant.subject
      {
        subject = holder
        break
      }
    }
    guard let subject else { throw EventStoreError(.corruptRecord, "nobody left a comment") }
    let name = try await council.reveal(
      state.registrations.values.first { $0.participant.subject == subject }?.participant.name
        ?? Personal("?"), by: .office)
    let erasure = try await council.forget(subject, reason: "the participant asked", by: .office)
    print(
      "\nForgot \(name) (\(erasure.subjects.map(\.description).joined(separator: ", "))): the report again, every figure as before"
    )
    try await printReport(store, council)
  }
} catch {
  print("conference-2018: \(error)")
  exit(1)
}
