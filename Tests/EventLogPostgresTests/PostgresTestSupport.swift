#if Postgres
  import EventLog
  import Foundation
  import EventLogPostgres
  import PostgresNIO
  import Testing

  /// The test server, from `COUNCILLOG_POSTGRES_URL` (set by `bash scripts/test.sh`). Without it
  /// every PostgreSQL test fails: they never pass by skipping.
  enum TestServer {
    struct Missing: Error, CustomStringConvertible {
      var description: String {
        "COUNCILLOG_POSTGRES_URL is not set: run the tests with `bash scripts/test.sh`, which starts a PostgreSQL server for them"
      }
    }

    static func url() throws -> String {
      guard let url = Environment.value("COUNCILLOG_POSTGRES_URL"), !url.isEmpty else {
        throw Missing()
      }
      return url
    }

    /// A configuration for a schema of its own, so that tests running in parallel never share
    /// a log.
    static func configuration(schema: String = freshSchema(), connections: Int = 4) throws
      -> PostgresEventStore.Configuration
    {
      var configuration = try PostgresEventStore.Configuration(url: url(), schema: schema)
      configuration.maximumConnections = connections
      // The whole suite runs at once on a machine of two cores, the council command tests'
      // child processes and the server included: a group commit of a hundred contended
      // appends (the conformance checks) can then take longer than the store's default half
      // minute without anything being wrong. The timeout is there to tell a server that went
      // away; the tests that check it set a short one themselves.
      configuration.timeout = .seconds(120)
      return configuration
    }

    static func freshSchema() -> String {
      "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    /// Runs `body` with a store on a fresh schema, and closes it.
    static func withStore(
      schema: String = freshSchema(), clock: EventClock = .system,
      _ body: (PostgresEventStore) async throws -> Void
    ) async throws {
      let store = try await PostgresEventStore(
        configuration: configuration(schema: schema), clock: clock)
      defer { store.close() }
      try await body(store)
    }

    /// How many server connections have `application_name` (as the store sets it:
    /// `councillog:SCHEMA`).
    static func connections(named name: String) async throws -> Int {
      try await withClient { connection in
        let rows = try await connection.query(
          "SELECT count(*) FROM pg_stat_activity WHERE application_name = \(name)", logger: quiet)
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
      }
    }

    /// Runs SQL on the test database directly, as the tests' role.
    static func execute(_ sql: String) async throws {
      try await withClient { connection in
        for statement in sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
          try await connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: quiet)
        }
      }
    }

    /// Runs `body` on a connection of its own to the test database, as the tests' role.
    @discardableResult
    static func withClient<T: Sendable>(
      _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
      let configuration = try self.configuration()
      var pg = PostgresClient.Configuration(
        host: configuration.host, port: configuration.port, username: configuration.username,
        password: configuration.password, database: configuration.database, tls: .disable)
      pg.options.maximumConnections = 1
      let client = PostgresClient(configuration: pg, backgroundLogger: quiet)
      return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await client.withConnection(body)
      }
    }
  }

  /// A logger that says nothing below critical.
  let quiet: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
  }()

  /// The process environment.
  enum Environment {
    static func value(_ name: String) -> String? {
      ProcessInfo.processInfo.environment[name]
    }
  }
#endif
