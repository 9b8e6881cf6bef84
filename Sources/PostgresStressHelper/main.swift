// A child process for the PostgreSQL store's multi-process tests: several of these, each with
// its own connection pool, are the "programs on several machines" of a shared log.
//
//   PostgresStressHelper write URL SCHEMA NAME CONNECTIONS TASKS ROUNDS
//     Opens the log with at most CONNECTIONS connections and runs TASKS appenders at once.
//     In each of ROUNDS rounds an appender appends one event to the shared stream
//     `shared-(ROUND mod 2)` (any version) and then a batch of three events to its own stream
//     `private-NAME-TASK` (its exact version), and prints `ack POSITION…` with the positions
//     each append was given. Prints `done` at the end.
//
//   PostgresStressHelper follow URL SCHEMA COUNT
//     Follows the log from its first event and prints `seen POSITION` for each event it is
//     given, in the order given, until it has seen COUNT events; prints `done` then.
//
// Exit status 0 on success, 1 with one line on standard error otherwise.
import EventLog
import Foundation

#if Postgres
  import EventLogPostgres
#endif

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("PostgresStressHelper: \(message)\n".utf8))
  exit(1)
}

/// Unbuffered, so that the parent sees each line as soon as it is printed.
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

#if Postgres
  func open(url: String, schema: String, connections: Int) async throws -> PostgresEventStore {
    var configuration = try PostgresEventStore.Configuration(url: url, schema: schema)
    configuration.maximumConnections = connections
    return try await PostgresEventStore(configuration: configuration)
  }

  func event(_ name: String) -> EventData {
    EventData(
      id: .random(), eventType: "StressNoted", encoding: .binary, payload: Array(name.utf8),
      metadata: EventMetadata(time: EventClock.system.now(), actor: "pid-\(getpid())"))
  }

  func write(
    url: String, schema: String, name: String, connections: Int, tasks: Int, rounds: Int
  ) async throws {
    let store = try await open(url: url, schema: schema, connections: connections)
    defer { store.close() }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for task in 0..<tasks {
        group.addTask {
          let own = try StreamName(validating: "private-\(name)-\(task)")
          var version: StreamVersion? = nil
          for round in 0..<rounds {
            let shared = try await store.append(
              [event(name)], to: StreamName(validating: "shared-\(round % 2)"),
              expectedVersion: .any)
            say("ack \(shared.firstPosition.rawValue)")
            let batch = try await store.append(
              [event(name), event(name), event(name)], to: own,
              expectedVersion: version.map { .exactly($0) } ?? .noStream)
            version = batch.lastVersion
            let positions = (batch.firstPosition.rawValue...batch.lastPosition.rawValue).map {
              String($0)
            }
            say("ack " + positions.joined(separator: " "))
          }
        }
      }
      try await group.waitForAll()
    }
    say("done")
  }

  func follow(url: String, schema: String, count: Int) async throws {
    let store = try await open(url: url, schema: schema, connections: 2)
    defer { store.close() }
    var seen = 0
    for try await event in store.follow(from: .first) {
      say("seen \(event.position.rawValue)")
      seen += 1
      if seen == count { break }
    }
    say("done")
  }
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
#if Postgres
  do {
    switch arguments.first {
    case "write" where arguments.count == 7:
      guard let connections = Int(arguments[4]), let tasks = Int(arguments[5]),
        let rounds = Int(arguments[6])
      else { fail("CONNECTIONS, TASKS and ROUNDS are numbers") }
      try await write(
        url: arguments[1], schema: arguments[2], name: arguments[3], connections: connections,
        tasks: tasks, rounds: rounds)
    case "follow" where arguments.count == 4:
      guard let count = Int(arguments[3]) else { fail("COUNT is a number") }
      try await follow(url: arguments[1], schema: arguments[2], count: count)
    default:
      fail("usage: write URL SCHEMA NAME CONNECTIONS TASKS ROUNDS | follow URL SCHEMA COUNT")
    }
  } catch {
    fail("\(error)")
  }
#else
  fail("built without the Postgres trait (swift build --traits Postgres)")
#endif
