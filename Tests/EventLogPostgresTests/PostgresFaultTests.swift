#if Postgres
  import EventLog
  import EventLogPostgres
  import Foundation
  import Synchronization
  import Testing

  /// The server stopped, or killed, in the middle of concurrent appends, then started again:
  /// each test runs a PostgreSQL cluster of its own (beside the one the other tests share),
  /// since it stops it.
  @Suite("PostgresEventStore faults", .serialized)
  struct PostgresFaultTests {
    @Test("appends survive the server stopped mid-append and restarted, with no reopening")
    func serverStopped() async throws {
      try await interruptAppends(with: "stop")
    }

    @Test("appends survive the server killed (SIGKILL) mid-append and restarted")
    func serverKilled() async throws {
      try await interruptAppends(with: "kill")
    }

    /// Eight appenders append batches of two events to streams of their own, each at its
    /// exact expected version, and retry an append that fails with
    /// ``EventStoreError/Code/serverUnavailable`` with the same events (its outcome is unknown:
    /// it may have committed). Midway the server is stopped (`how`: `stop` or `kill`) and,
    /// a second later, started again. Every acknowledged append is then in the log at the
    /// positions it was given, none is there twice, positions are gapless, and the same store
    /// appends again.
    func interruptAppends(with how: String) async throws {
      let cluster = try await TestCluster.start()
      defer { cluster.remove() }
      var configuration = try PostgresEventStore.Configuration(
        url: cluster.url, schema: TestServer.freshSchema())
      configuration.maximumConnections = 4
      // Long enough for a busy machine (a new connection's password exchange alone can take
      // seconds when every core is busy). The appends the outage catches fail at once anyway:
      // their connections are terminated (stop) or drop (kill).
      configuration.timeout = .seconds(60)
      let store = try await PostgresEventStore(configuration: configuration)
      defer { store.close() }

      let appenders = 8
      let progress = Counter()
      let stopping = Flag()
      let restarted = Flag()
      let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
        for appender in 0..<appenders {
          group.addTask {
            try await Self.append(
              to: StreamName(validating: "fault-\(appender)"), store: store, progress: progress,
              stopping: stopping, untilTenAfter: restarted)
          }
        }
        // The outage, while every appender is appending.
        while progress.value < 40 {
          try await Task.sleep(for: .milliseconds(5))
        }
        stopping.set()
        try await cluster.run(how)
        try await Task.sleep(for: .seconds(1))
        try await cluster.run("start")
        restarted.set()
        var outcomes: [Outcome] = []
        for try await outcome in group { outcomes.append(outcome) }
        return outcomes
      }

      // Appends in flight when the server went away either failed (and were retried) or
      // waited for it to come back.
      #expect(
        outcomes.map { $0.retried + $0.outlasting }.reduce(0, +) > 0,
        "no append was in flight during the outage")
      let total = UInt64(outcomes.map(\.acknowledged.count).reduce(0, +))
      let log = try await store.readLog(from: .first, limit: Int(total) + 10)
      #expect(log.events.map(\.position.rawValue) == Array(1...total), "a gap, or a duplicate")
      #expect(try await store.headPosition().rawValue == total)
      let positions = Dictionary(
        log.events.map { ($0.id, $0.position) }, uniquingKeysWith: { first, _ in first })
      #expect(positions.count == log.events.count, "an event is in the log twice")
      for outcome in outcomes {
        for (id, position) in outcome.acknowledged {
          #expect(positions[id] == position, "an acknowledged event is not where it was put")
        }
      }
      // The same store, not reopened, appends again.
      let after = try await store.append(
        [PostgresStoreTests.event()], to: "after-restart", expectedVersion: .noStream)
      #expect(after.firstPosition.rawValue == total + 1)
    }

    /// What one appender was told.
    struct Outcome: Sendable {
      /// Each acknowledged event and the position it was given.
      var acknowledged: [(EventID, LogPosition)] = []
      /// How many attempts failed because the server was away.
      var retried = 0
      /// How many appends began before the server was started again and ended after,
      /// without failing.
      var outlasting = 0
    }

    /// Appends batches of two to `stream` until ten have been acknowledged after `restarted`
    /// is set, retrying an append the outage failed with the same events.
    static func append(
      to stream: StreamName, store: PostgresEventStore, progress: Counter, stopping: Flag,
      untilTenAfter restarted: Flag
    ) async throws -> Outcome {
      var outcome = Outcome()
      var version: StreamVersion? = nil
      var afterRestart = 0
      let deadline = ContinuousClock.now + .seconds(150)
      while afterRestart < 10 {
        let events = [PostgresStoreTests.event(), PostgresStoreTests.event()]
        let late = restarted.value
        var failed = false
        while true {
          do {
            let result = try await store.append(
              events, to: stream, expectedVersion: version.map { .exactly($0) } ?? .noStream)
            version = result.lastVersion
            for (offset, event) in events.enumerated() {
              outcome.acknowledged.append(
                (event.id, LogPosition(result.firstPosition.rawValue + UInt64(offset))))
            }
            progress.increment()
            // Begun before the server was back, and done after: the outage held it up.
            if !late && !failed && restarted.value { outcome.outlasting += 1 }
            break
          } catch let error as EventStoreError {
            guard error.code == .serverUnavailable, ContinuousClock.now < deadline else {
              throw error
            }
            outcome.retried += 1
            failed = true
            try await Task.sleep(for: .milliseconds(50))
          }
        }
        if late { afterRestart += 1 }
      }
      return outcome
    }
  }

  /// A flag set once, shared by tasks.
  final class Flag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
  }

  /// A count shared by tasks.
  final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
  }

  /// A PostgreSQL cluster of a test's own, made by `scripts/pg-cluster.sh` under
  /// `COUNCILLOG_POSTGRES_CLUSTERS` (set by `bash scripts/test.sh`), so that it can be stopped
  /// and killed without touching the server the other tests share.
  struct TestCluster {
    struct Missing: Error, CustomStringConvertible {
      var description: String {
        "COUNCILLOG_POSTGRES_CLUSTERS is not set: run the tests with `bash scripts/test.sh`"
      }
    }

    struct ScriptFailed: Error, CustomStringConvertible {
      var description: String
    }

    let directory: String
    let url: String

    /// The repository's `scripts/pg-cluster.sh`.
    static let script = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("scripts/pg-cluster.sh").path

    /// Creates and starts a cluster on a free port.
    static func start() async throws -> TestCluster {
      guard let root = Environment.value("COUNCILLOG_POSTGRES_CLUSTERS"), !root.isEmpty else {
        throw Missing()
      }
      let directory = root + "/fault-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
      let password = "fault-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
      let port = try await runScript(["init", directory, password])
        .trimmingCharacters(in: .whitespacesAndNewlines)
      return TestCluster(
        directory: directory,
        url: "postgres://councillog:\(password)@127.0.0.1:\(port)/councillog")
    }

    /// Runs `pg-cluster.sh COMMAND` on this cluster: `stop`, `kill` or `start`.
    func run(_ command: String) async throws {
      _ = try await Self.runScript([command, directory])
    }

    /// Stops the cluster at once and deletes it.
    func remove() {
      guard
        let pid = try? Self.spawn([
          "-c", "bash \"$0\" kill \"$1\"; rm -rf \"$1\"", Self.script, directory,
        ])
      else { return }
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// Runs the script and returns what it printed; fails with what it said on error.
    ///
    /// Not through Foundation's `Process`: its termination handler was seen never to run for a
    /// script whose server outlived it, leaving the test waiting. The script is spawned
    /// directly, its output written to a file, and its exit polled.
    private static func runScript(_ arguments: [String]) async throws -> String {
      let output = FileManager.default.temporaryDirectory
        .appendingPathComponent(
          "pg-cluster-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        )
        .path
      let errors = output + ".err"
      defer {
        try? FileManager.default.removeItem(atPath: output)
        try? FileManager.default.removeItem(atPath: errors)
      }
      let pid = try spawn([script] + arguments, output: output, errors: errors)
      var status: Int32 = 0
      while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped < 0 && errno != EINTR {
          throw ScriptFailed(description: "pg-cluster.sh \(arguments[0]): waitpid failed")
        }
        try await Task.sleep(for: .milliseconds(20))
      }
      let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
      // Exited normally (the low seven bits are 0) with status 0.
      guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
        throw ScriptFailed(
          description:
            "pg-cluster.sh \(arguments[0]) failed: \(printed)\((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")"
        )
      }
      return printed
    }

    /// Starts `/bin/bash` with `arguments`, its standard output to `output` and its standard
    /// error to `errors` (each /dev/null unless given), and returns its process ID.
    private static func spawn(
      _ arguments: [String], output: String = "/dev/null", errors: String = "/dev/null"
    ) throws -> pid_t {
      var actions = posix_spawn_file_actions_t()
      posix_spawn_file_actions_init(&actions)
      defer { posix_spawn_file_actions_destroy(&actions) }
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
      posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
      // Apart: what the server's tools say on standard error (that they cannot enter the
      // test's working directory, say) is not what the script prints.
      posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
      let argv = (["/bin/bash"] + arguments).map { strdup($0) } + [nil]
      defer { for pointer in argv { free(pointer) } }
      var pid: pid_t = 0
      let result = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ)
      guard result == 0 else {
        throw ScriptFailed(description: "cannot start bash: \(String(cString: strerror(result)))")
      }
      return pid
    }
  }
#endif
