import EventLogTestSupport

#if Postgres
  import Foundation
  import PostgresNIO
  import Testing

  /// The test server's URL (`COUNCILLOG_POSTGRES_URL`, set by `bash scripts/test.sh`), on
  /// schemas of the tests' own. Without it these tests fail: they never pass by skipping.
  enum CouncilPostgres {
    struct Missing: Error, CustomStringConvertible {
      var description: String {
        "COUNCILLOG_POSTGRES_URL is not set: run the tests with `bash scripts/test.sh`, which starts a PostgreSQL server for them"
      }
    }

    static func url() throws -> String {
      guard let url = ProcessInfo.processInfo.environment["COUNCILLOG_POSTGRES_URL"],
        !url.isEmpty
      else { throw Missing() }
      return url
    }

    /// A URL of a schema no other test uses.
    static func freshLog() throws -> (url: String, schema: String) {
      let schema = "cli_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
      return (try url() + "?schema=" + schema, schema)
    }

    /// The server's URL with the password replaced.
    static func urlWithPassword(_ password: String) throws -> String {
      let url = try url()
      let scheme = try #require(url.range(of: "://"))
      let at = try #require(url.lastIndex(of: "@"))
      let colon = try #require(url[scheme.upperBound..<at].firstIndex(of: ":"))
      return String(url[...colon]) + password + String(url[at...])
    }

    /// Runs `sql` on the test database and returns the first column of each row, as text.
    static func query(_ sql: String) async throws -> [String] {
      let url = try url()
      let scheme = try #require(url.range(of: "://"))
      let rest = url[scheme.upperBound...]
      let at = try #require(rest.lastIndex(of: "@"))
      let credentials = rest[..<at].split(separator: ":", maxSplits: 1).map(String.init)
      let hostPort = rest[rest.index(after: at)...].prefix { $0 != "/" }
      let database = String(rest[rest.index(after: at)...].drop { $0 != "/" }.dropFirst())
      let parts = hostPort.split(separator: ":").map(String.init)
      var configuration = PostgresClient.Configuration(
        host: parts[0], port: Int(parts.count > 1 ? parts[1] : "5432") ?? 5432,
        username: credentials[0], password: credentials.count > 1 ? credentials[1] : nil,
        database: database, tls: .disable)
      configuration.options.maximumConnections = 1
      var logger = Logger(label: "test")
      logger.logLevel = .critical
      let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
      return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await client.withConnection { connection in
          var values: [String] = []
          for try await row in try await connection.query(
            PostgresQuery(unsafeSQL: sql), logger: logger)
          {
            if let value = try? row.decode(String.self) { values.append(value) }
          }
          return values
        }
      }
    }

    /// The staging schemas that `council import` and `generate` left on the server.
    static func stagingSchemas() async throws -> [String] {
      try await query(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'councillog_staging_%'")
    }
  }

  @Suite("council on PostgreSQL", .serialized)
  struct PostgresCommandTests {
    /// The lines of `run` that do not depend on timing (the replay's rate and memory).
    static func steady(_ run: CouncilRun) -> [String] {
      run.output.split(separator: "\n").map(String.init).filter {
        !$0.contains(" a second") && !$0.hasPrefix("Peak resident memory")
      }
    }

    @Test func anLMDBLogExportedImportedAndExportedAgainIsByteIdenticalAndAnswersAlike()
      async throws
    {
      let directory = TemporaryDirectory()
      let council = try CouncilBinary(workingIn: directory.path)
      let (url, schema) = try CouncilPostgres.freshLog()
      #expect(
        try await council.run(["generate", "log", "--events", "3000", "--seed", "5"]).status == 0)
      #expect(try await council.run(["export", "log", "--to", "a.jsonl"]).status == 0)
      let imported = try await council.run(["import", "a.jsonl", url])
      #expect(imported.status == 0, "\(imported.errors)")
      #expect(imported.output.hasPrefix("Imported "), "\(imported.output)")
      #expect(!imported.output.contains(try CouncilPostgres.url()), "the password is not printed")
      let exported = try await council.run(["export", url, "--to", "b.jsonl"])
      #expect(exported.status == 0, "\(exported.errors)")
      let a = try Data(contentsOf: URL(fileURLWithPath: directory.appending("a.jsonl")))
      let b = try Data(contentsOf: URL(fileURLWithPath: directory.appending("b.jsonl")))
      #expect(a.count > 100_000)
      let difference = firstDifference(a, b)
      #expect(difference == nil, "the two exports differ: \(difference ?? "")")
      // Standard output too.
      let piped = try await council.run(["export", url])
      #expect(piped.output.utf8.count == a.count)

      // Replay and the queries answer alike on both stores.
      let queries: [[String]] = [
        ["replay"], ["directory", "--json"], ["members", "--as-of", "1500"], ["fund", "--json"],
        ["registrations", "--json"],
      ]
      for query in queries {
        let lmdb = try await council.run([query[0], "log"] + query.dropFirst())
        let postgres = try await council.run([query[0], url] + query.dropFirst())
        #expect(lmdb.status == 0, "\(query): \(lmdb.errors)")
        #expect(postgres.status == 0, "\(query): \(postgres.errors)")
        #expect(Self.steady(lmdb) == Self.steady(postgres), "\(query)")
        #expect(!Self.steady(postgres).isEmpty, "\(query)")
      }

      // verify on both.
      let verifiedLMDB = try await council.run(["verify", "log"])
      let verifiedPostgres = try await council.run(["verify", url])
      #expect(verifiedLMDB.status == 0, "\(verifiedLMDB.output)")
      #expect(verifiedPostgres.status == 0, "\(verifiedPostgres.output)\(verifiedPostgres.errors)")
      let head = try #require(verifiedLMDB.output.split(separator: " ").dropFirst().first)
      #expect(verifiedPostgres.output.hasPrefix("OK: \(head) events in "))

      // A second import into the same log is refused, and leaves it as it was.
      let again = try await council.run(["import", "a.jsonl", url])
      #expect(again.status != 0)
      #expect(again.errorLines.count == 1, "\(again.errors)")
      #expect(again.errorLines.first?.contains("already holds a log of \(head) events") == true)
      #expect(try await council.run(["verify", url]).output.hasPrefix("OK: \(head) events"))

      // A damaged row: verify names its position and exits with status 2.
      _ = try await CouncilPostgres.query(
        """
        UPDATE \(schema).events SET record = set_byte(record, length(record) - 9, \
        get_byte(record, length(record) - 9) # 32) WHERE position = 1500
        """)
      let damaged = try await council.run(["verify", url])
      #expect(damaged.status == 2, "\(damaged.output)\(damaged.errors)")
      #expect(damaged.output.contains("position 1500"), "\(damaged.output)")
      #expect(try await CouncilPostgres.stagingSchemas() == [])
      _ = try await CouncilPostgres.query("DROP SCHEMA \(schema) CASCADE")
    }

    @Test func generateAndInitWorkOnAURLAndTheSameSeedGivesTheSameLog() async throws {
      let directory = TemporaryDirectory()
      let council = try CouncilBinary(workingIn: directory.path)
      let (url, schema) = try CouncilPostgres.freshLog()
      let generated = try await council.run(["generate", url, "--events", "250", "--seed", "3"])
      #expect(generated.status == 0, "\(generated.errors)")
      #expect(
        try await council.run(["generate", "log", "--events", "250", "--seed", "3"]).status == 0)
      // Sealing draws new keys and nonces each time: the logs agree opened.
      let postgres = try await council.run(["export", url, "--plaintext"])
      let lmdb = try await council.run(["export", "log", "--plaintext"])
      #expect(postgres.status == 0, "\(postgres.errors)")
      #expect(!lmdb.output.isEmpty)
      expectSameText(postgres.output, lmdb.output)
      let again = try await council.run(["generate", url, "--events", "250"])
      #expect(again.status != 0)
      #expect(again.errorLines.count == 1, "\(again.errors)")
      _ = try await CouncilPostgres.query("DROP SCHEMA \(schema) CASCADE")

      let (empty, emptySchema) = try CouncilPostgres.freshLog()
      let missing = try await council.run(["fund", empty])
      #expect(missing.status != 0)
      #expect(missing.errorLines.count == 1, "\(missing.errors)")
      #expect(missing.errorLines.first?.contains("no council log in schema") == true)
      let created = try await council.run(["init", empty])
      #expect(created.status == 0, "\(created.errors)")
      #expect(try await council.run(["verify", empty]).output.hasPrefix("OK: 0 events"))
      let twice = try await council.run(["init", empty])
      #expect(twice.status != 0)
      #expect(twice.errorLines.count == 1, "\(twice.errors)")
      #expect(twice.errorLines.first?.contains("already holds a log") == true)
      // An empty log, as `init` leaves it, takes an import.
      #expect(try await council.run(["export", "log", "--to", "log.jsonl"]).status == 0)
      let imported = try await council.run(["import", "log.jsonl", empty])
      #expect(imported.status == 0, "\(imported.errors)")
      // The sealed export carried the keys: the imported log opens with the same master key.
      expectSameText(try await council.run(["export", empty, "--plaintext"]).output, lmdb.output)
      #expect(try await CouncilPostgres.stagingSchemas() == [])
      _ = try await CouncilPostgres.query("DROP SCHEMA \(emptySchema) CASCADE")
    }

    @Test func aFailingImportLeavesTheTargetEmptyAndNoStagingSchema() async throws {
      let directory = TemporaryDirectory()
      let council = try CouncilBinary(workingIn: directory.path)
      let (url, schema) = try CouncilPostgres.freshLog()
      #expect(
        try await council.run(["generate", "log", "--events", "1500", "--seed", "2"]).status == 0)
      let export = try await council.run(["export", "log"])
      var lines = export.output.split(separator: "\n").map(String.init)
      // Line 1100 breaks, after a batch of a thousand was appended to the staging log.
      lines[1099] = "{\"not\": \"an event\"}"
      try lines.joined(separator: "\n").write(
        toFile: directory.appending("bad.jsonl"), atomically: true, encoding: .utf8)
      let run = try await council.run(["import", "bad.jsonl", url])
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "\(run.errors)")
      #expect(run.errorLines.first?.contains("line 1100") == true, "\(run.errors)")
      // The target was not there before: it is not there after.
      let after = try await council.run(["verify", url])
      #expect(after.status != 0)
      #expect(
        after.errorLines.first?.contains("no council log in schema") == true, "\(after.errors)")
      // Into an empty log that exists, the same: it stays empty.
      #expect(try await council.run(["init", url]).status == 0)
      let again = try await council.run(["import", "bad.jsonl", url])
      #expect(again.errorLines.first?.contains("line 1100") == true, "\(again.errors)")
      let empty = try await council.run(["verify", url])
      #expect(empty.output.hasPrefix("OK: 0 events"), "\(empty.output)\(empty.errors)")
      #expect(try await CouncilPostgres.stagingSchemas() == [])
      _ = try await CouncilPostgres.query("DROP SCHEMA \(schema) CASCADE")
    }

    @Test func aBadURLAWrongPasswordAndAnUnreachableServerAreOneLineEach() async throws {
      let directory = TemporaryDirectory()
      let council = try CouncilBinary(workingIn: directory.path)
      let cases: [(String, String)] = [
        ("postgres://councillog@127.0.0.1:5432", "names no database"),
        ("postgres://councillog@127.0.0.1:port/councillog", "port is not a number"),
        (try CouncilPostgres.url() + "?sslmode=disable", "takes only schema=NAME"),
        (try CouncilPostgres.url() + "?schema=no-dashes", "not a plain identifier"),
        (try CouncilPostgres.urlWithPassword("wrong"), "password authentication failed"),
        ("postgres://councillog:secret@127.0.0.1:1/councillog", "cannot be reached"),
      ]
      for (url, expected) in cases {
        for arguments in [["export", url], ["verify", url], ["fund", url]] {
          let started = ContinuousClock.now
          let run = try await council.run(arguments)
          let elapsed = ContinuousClock.now - started
          #expect(run.status != 0, "\(arguments)")
          #expect(run.errorLines.count == 1, "\(arguments): \(run.errors)")
          #expect(run.errorLines.first?.hasPrefix("Error: ") == true, "\(run.errors)")
          #expect(run.errorLines.first?.contains(expected) == true, "\(arguments): \(run.errors)")
          #expect(!run.errors.contains("secret"), "the password is not printed")
          #expect(elapsed < .seconds(15), "\(arguments) took \(elapsed)")
        }
      }
      // An import from a file that is not there says so before touching the server.
      let missing = try await council.run(["import", "nothere.jsonl", try CouncilPostgres.url()])
      #expect(missing.status != 0)
      #expect(missing.errorLines.count == 1, "\(missing.errors)")
    }
  }
#endif
