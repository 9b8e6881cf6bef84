#if Postgres
  @_exported import EventLog
  import PostgresNIO
  import Synchronization

  /// An event store that keeps the log in a PostgreSQL database, shared by every process and
  /// machine that opens it: the same guarantees as the LMDB store, checked by the same
  /// conformance suite.
  ///
  /// Records are stored in the shared ``RecordFormat`` bytes, one row per event, with the event
  /// type and stream category numbers beside them so that a filtered read skips rows on the
  /// server. Positions are assigned under a lock on the log's head row, so they are gapless and
  /// become visible in position order; see <doc:GaplessPositions>.
  ///
  /// Open one store per process and share it; call ``close()`` when done.
  public final class PostgresEventStore: InlineProjectionHost, Sendable {
    /// Where the database is and how to use it.
    public struct Configuration: Sendable {
      /// The server's host name or address.
      public var host: String
      /// The server's port.
      public var port: Int
      /// The role to log in as.
      public var username: String
      /// The role's password, if the server asks for one.
      public var password: String?
      /// The database to connect to; it must exist (the store creates only its schema).
      public var database: String
      /// The schema that holds the store's tables (created when missing): several logs can share
      /// a database, one per schema. Letters, digits and underscores, starting with a letter or
      /// an underscore.
      public var schema: String
      /// The most connections the store opens at once (at least 2: one listens for appends).
      public var maximumConnections: Int
      /// How long an operation may wait for the server before it fails with
      /// ``EventStoreError/Code/serverUnavailable``.
      public var timeout: Duration

      /// The database must exist already; the schema in it is created on first use if missing.
      public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String,
        schema: String = "councillog", maximumConnections: Int = 8, timeout: Duration = .seconds(30)
      ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
        self.maximumConnections = maximumConnections
        self.timeout = timeout
      }

      /// Reads a URL of the form `postgres://USER:PASSWORD@HOST:PORT/DATABASE`, optionally
      /// followed by `?schema=NAME`, which chooses the schema (and so the log) in place of
      /// `schema`.
      ///
      /// - Throws: ``EventStoreError/Code/invalidArgument`` naming what is wrong with the URL
      ///   (a query parameter other than `schema` among them).
      public init(url: String, schema: String = "councillog") throws(EventStoreError) {
        var rest = Substring(url)
        guard let scheme = rest.range(of: "://"),
          ["postgres", "postgresql"].contains(rest[..<scheme.lowerBound])
        else {
          throw EventStoreError(
            .invalidArgument, "not a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        rest = rest[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else {
          throw EventStoreError(.invalidArgument, "the PostgreSQL URL names no database")
        }
        let path = rest[rest.index(after: slash)...]
        let database = String(path.prefix { $0 != "?" })
        var schema = schema
        if let question = path.firstIndex(of: "?") {
          for parameter in path[path.index(after: question)...].split(separator: "&") {
            let parts = parameter.split(
              separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "schema", !parts[1].isEmpty else {
              throw EventStoreError(
                .invalidArgument,
                "the PostgreSQL URL's query takes only schema=NAME, not \(String(parameter).debugDescription)"
              )
            }
            schema = Self.percentDecoded(parts[1])
          }
        }
        let authority = rest[..<slash]
        var user = "postgres"
        var password: String?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
          let credentials = authority[..<at]
          hostPort = authority[authority.index(after: at)...]
          if let colon = credentials.firstIndex(of: ":") {
            user = Self.percentDecoded(credentials[..<colon])
            password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
          } else {
            user = Self.percentDecoded(credentials)
          }
        }
        var host = String(hostPort)
        var port = 5432
        if let colon = hostPort.lastIndex(of: ":") {
          guard let number = Int(hostPort[hostPort.index(after: colon)...]),
            (1...65535).contains(number)
          else {
            throw EventStoreError(.invalidArgument, "the PostgreSQL URL's port is not a number")
          }
          port = number
          host = String(hostPort[..<colon])
        }
        guard !host.isEmpty, !database.isEmpty, !user.isEmpty else {
          throw EventStoreError(
            .invalidArgument, "the PostgreSQL URL needs a user, a host and a database")
        }
        self.init(
          host: host, port: port, username: user, password: password, database: database,
          schema: schema)
      }

      private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
          if byte == UInt8(ascii: "%"), utf8.count >= 2,
            let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
          {
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
          } else {
            bytes.append(byte)
          }
        }
        return String(decoding: bytes, as: UTF8.self)
      }
    }

    /// The marker the store keeps in its format table, to recognize its own tables.
    static let formatMarker = "councillog-event-log"
    /// The table layout version this library writes and reads. Format 2 adds the table of
    /// personal data's keys (`data_keys`); a format 1 log gains it when first opened.
    public static let formatVersion = 2

    let client: PostgresClient
    let tables: Tables
    let channel: String
    let timeout: Duration
    /// The clock that stamps each event's recorded time at commit.
    public let clock: EventClock
    let signal = AppendSignal(head: .start)
    let names = Mutex(Names())
    let inlines = Mutex<[any InlineUpdater]>([])
    let writer = Mutex(WriterQueue())
    private let tasks: [Task<Void, Never>]

    /// Connects to the database, creates the store's tables in the configuration's schema when
    /// they are not there, and checks them when they are.
    ///
    /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/foreignFile`` when the
    ///   schema holds tables of the store's names that the store did not create,
    ///   ``EventStoreError/Code/unsupportedFormatVersion`` when they were written by a newer
    ///   format, ``EventStoreError/Code/serverUnavailable`` when the server cannot be reached,
    ///   ``EventStoreError/Code/invalidArgument`` for a bad schema name.
    public init(configuration: Configuration, clock: EventClock = .system) async throws {
      let schema = configuration.schema
      guard Self.isPlainIdentifier(schema) else {
        throw EventStoreError(
          .invalidArgument, "schema name \(schema.debugDescription) is not a plain identifier")
      }
      var options = PostgresClient.Configuration.Options()
      options.maximumConnections = Swift.max(2, configuration.maximumConnections)
      options.connectTimeout = .seconds(5)
      // So that an administrator sees whose connections these are (`pg_stat_activity`).
      // And every query of the store reads along an index in the order it asks for; without
      // statistics (a table just written) the planner may prefer reading a whole range and
      // sorting it, which made every page of a filtered read cost a scan to the log's end.
      options.additionalStartupParameters = [
        ("application_name", "councillog:" + schema), ("enable_sort", "off"),
      ]
      var pgConfiguration = PostgresClient.Configuration(
        host: configuration.host, port: configuration.port, username: configuration.username,
        password: configuration.password, database: configuration.database, tls: .disable)
      pgConfiguration.options = options
      let client = PostgresClient(
        configuration: pgConfiguration, backgroundLogger: logger)
      let runner = Task { await client.run() }
      self.client = client
      self.tables = Tables(schema: schema)
      self.channel = "councillog_" + schema.lowercased()
      self.timeout = configuration.timeout
      self.clock = clock
      do {
        try await Self.prepareSchema(client: client, tables: tables, timeout: timeout)
      } catch {
        runner.cancel()
        self.tasks = []
        throw error
      }
      let listener = Task { [client, channel, signal] in
        await Self.listen(client: client, channel: channel, signal: signal)
      }
      self.tasks = [runner, listener]
      signal.publish(head: try await headPosition())
    }

    /// Whether `schema` is a name the store takes: letters, digits and underscores, starting
    /// with a letter or an underscore, at most 48 bytes.
    static func isPlainIdentifier(_ schema: String) -> Bool {
      guard let first = schema.utf8.first, schema.utf8.count <= 48,
        first == UInt8(ascii: "_")
          || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first | 0x20)
      else { return false }
      return schema.utf8.allSatisfy({
        $0 == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
          || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20)
      })
    }

    deinit {
      for task in tasks { task.cancel() }
    }

    /// Closes the store's connections, the one that listens for appends included, without
    /// waiting for them to be gone. Operations after this fail.
    public func close() {
      for task in tasks { task.cancel() }
    }

    /// Closes the store's connections and returns once they are closed.
    public func closeAndWait() async {
      close()
      for task in tasks { await task.value }
    }

    // MARK: Running queries

    /// Runs `body` on a pooled connection, failing with ``EventStoreError/Code/serverUnavailable``
    /// when the server does not answer within the configured timeout.
    func withConnection<T: Sendable>(
      _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
      try await Self.withConnection(client: client, timeout: timeout, what, body)
    }

    static func withConnection<T: Sendable>(
      client: PostgresClient, timeout: Duration, _ what: String,
      _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
      // Not a task group: a group waits for all its tasks, and a connection request does not
      // end when cancelled while the server is away. The first of the operation and the timer
      // to finish answers; the other is cancelled.
      let once = Once<T>()
      let operation = Task {
        do {
          once.resume(with: .success(try await client.withConnection(body)))
        } catch {
          once.resume(with: .failure(storeError(error, what)))
        }
      }
      let timer = Task {
        try await Task.sleep(for: timeout)
        once.resume(
          with: .failure(
            EventStoreError(
              .serverUnavailable, "\(what): the server did not answer within \(timeout)")))
      }
      defer {
        operation.cancel()
        timer.cancel()
      }
      return try await withTaskCancellationHandler {
        try await once.wait()
      } onCancel: {
        once.resume(with: .failure(CancellationError()))
      }
    }

    // MARK: Schema

    static func prepareSchema(client: PostgresClient, tables: Tables, timeout: Duration)
      async throws
    {
      try await withConnection(client: client, timeout: timeout, "opening the log") { connection in
        do {
          try await connection.query("BEGIN", logger: logger)
          let lockKey = "councillog:" + tables.schema
          try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
          try await connection.query(
            "CREATE SCHEMA IF NOT EXISTS \(unescaped: tables.quotedSchema)", logger: logger)
          var present: Set<String> = []
          let rows = try await connection.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = \(tables.schema)",
            logger: logger)
          for try await name in rows.decode(String.self) { present.insert(name) }
          if present.contains(Tables.formatName) {
            try await checkFormat(connection, tables)
          } else if !present.isDisjoint(with: Tables.allNames) {
            throw EventStoreError(
              .foreignFile,
              "schema \(tables.schema) holds tables named \(present.intersection(Tables.allNames).sorted().joined(separator: ", ")) that this library did not create"
            )
          } else {
            try await createTables(connection, tables)
          }
          try await connection.query("COMMIT", logger: logger)
        } catch {
          // Even when cancelled: a pooled connection must not stay inside this transaction.
          await Task.detached { _ = try? await connection.query("ROLLBACK", logger: logger) }.value
          throw error
        }
      }
    }

    private static func checkFormat(_ connection: PostgresConnection, _ tables: Tables) async throws
    {
      var marker: String?
      var version: String?
      do {
        let rows = try await connection.query(
          "SELECT key::text, value::text FROM \(unescaped: tables.format)", logger: logger)
        for try await (key, value) in rows.decode((String, String).self) {
          if key == "format" { marker = value }
          if key == "version" { version = value }
        }
      } catch {
        throw EventStoreError(
          .foreignFile,
          "table \(tables.format) was not created by this library: \(storeError(error, "reading it"))"
        )
      }
      guard marker == formatMarker, let version, let number = Int(version), number >= 1 else {
        throw EventStoreError(
          .foreignFile, "table \(tables.format) does not hold this library's format marker")
      }
      guard number <= formatVersion else {
        throw EventStoreError(
          .unsupportedFormatVersion,
          "the log's tables are of format \(number); this library reads format \(formatVersion) and earlier"
        )
      }
      // An older format is upgraded here, one step at a time, inside the opening transaction
      // and under its advisory lock: either every step and the new version are committed, or
      // nothing is. See <doc:GaplessPositions>, "Tables and their format".
      var current = number
      while current < formatVersion {
        let step = current + 1
        guard let migration = migrations[step] else {
          throw EventStoreError(
            .unsupportedFormatVersion, "no migration of the log's tables to format \(step)")
        }
        try await migration(connection, tables)
        try await connection.query(
          "UPDATE \(unescaped: tables.format) SET value = \(String(step)) WHERE key = 'version'",
          logger: logger)
        current = step
      }
    }

    /// The steps that upgrade the tables of format N - 1 to format N, by N. Format 1 is the
    /// first, so there is none yet; format 2 adds its step here as `2: { connection, tables in
    /// … }` (statements that change the tables, and rewrite rows if it must), and raises
    /// ``formatVersion``.
    static let migrations: [Int: @Sendable (PostgresConnection, Tables) async throws -> Void] = [
      // Format 2: the data keys of personal data (see PostgresDataKeys.swift).
      2: { connection, tables in
        try await connection.query(
          PostgresQuery(unsafeSQL: Tables.createKeys(tables.keys)), logger: logger)
      }
    ]

    private static func createTables(_ connection: PostgresConnection, _ tables: Tables)
      async throws
    {
      let statements: [String] = [
        "CREATE TABLE \(tables.format) (key text PRIMARY KEY, value text NOT NULL)",
        "CREATE TABLE \(tables.head) (id int PRIMARY KEY CHECK (id = 1), position bigint NOT NULL, recorded_time bigint)",
        """
        CREATE TABLE \(tables.events) (position bigint PRIMARY KEY, stream text NOT NULL, \
        version bigint NOT NULL, id bytea NOT NULL UNIQUE, type_no int NOT NULL, \
        category_no int NOT NULL, record bytea NOT NULL, UNIQUE (stream, version))
        """,
        "CREATE TABLE \(tables.names) (kind smallint NOT NULL, number int NOT NULL, name text NOT NULL, PRIMARY KEY (kind, number), UNIQUE (kind, name))",
        "CREATE TABLE \(tables.states) (key text PRIMARY KEY, position bigint NOT NULL, bytes bytea NOT NULL)",
        Tables.createKeys(tables.keys),
        "INSERT INTO \(tables.head) VALUES (1, 0, NULL)",
        "INSERT INTO \(tables.format) VALUES ('format', '\(formatMarker)'), ('version', '\(formatVersion)')",
      ]
      for statement in statements {
        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
      }
    }

    // MARK: Follow

    private static func listen(client: PostgresClient, channel: String, signal: AppendSignal) async
    {
      while !Task.isCancelled {
        do {
          try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
              for try await notification in notifications {
                if let head = UInt64(notification.payload) {
                  signal.publish(head: LogPosition(head))
                }
              }
            }
          }
        } catch {}
        // The server went away or the listen ended: appends are still found by polling
        // (waitForAppends times out) until listening works again.
        try? await Task.sleep(for: .seconds(1))
      }
    }

    /// Returns once the head passes `position`: at once when this store appends, on the
    /// server's notification when another process does, or after half a second (the poll
    /// that covers a lost notification).
    public func waitForAppends(after position: LogPosition) async {
      await signal.wait(after: position, timeout: .milliseconds(500))
    }
  }

  /// The logger of the store's queries and connections: errors are reported through the
  /// store's typed errors, so it logs only what is critical.
  let logger: Logger = {
    var logger = Logger(label: "councillog.postgres")
    logger.logLevel = .critical
    return logger
  }()

  /// A result that arrives once, from whichever of several tasks finishes first.
  final class Once<T: Sendable>: Sendable {
    private let state = Mutex<
      (result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)
    >((nil, nil))

    /// Delivers `result` unless one was delivered already.
    func resume(with result: Result<T, any Error>) {
      let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
        guard state.result == nil else { return nil }
        state.result = result
        defer { state.waiter = nil }
        return state.waiter
      }
      waiter?.resume(with: result)
    }

    /// The first result delivered.
    func wait() async throws -> T {
      try await withCheckedThrowingContinuation { continuation in
        let ready = state.withLock { state -> Result<T, any Error>? in
          if let result = state.result { return result }
          state.waiter = continuation
          return nil
        }
        if let ready { continuation.resume(with: ready) }
      }
    }
  }

  /// The store's tables, qualified by schema.
  struct Tables: Sendable {
    static let formatName = "councillog_format"
    static let allNames: Set<String> = [
      formatName, "head", "events", "names", "states", "data_keys",
    ]

    /// The statement that creates the data keys' table named `name`.
    static func createKeys(_ name: String) -> String {
      "CREATE TABLE \(name) (subject text NOT NULL, id bigint NOT NULL, wrapped bytea NOT NULL, PRIMARY KEY (subject, id))"
    }

    let schema: String
    let quotedSchema: String
    let format: String
    let head: String
    let events: String
    let names: String
    let states: String
    let keys: String

    init(schema: String) {
      self.schema = schema
      quotedSchema = "\"" + schema + "\""
      format = quotedSchema + "." + Self.formatName
      head = quotedSchema + ".head"
      events = quotedSchema + ".events"
      names = quotedSchema + ".names"
      states = quotedSchema + ".states"
      keys = quotedSchema + ".data_keys"
    }
  }

  /// The interned event types and categories, as far as this store has read them.
  struct Names: Sendable {
    var types = NameTable()
    var categories = NameTable()

    /// Keeps the larger of each table: numbers are never reused, so the larger one holds the
    /// smaller.
    mutating func merge(_ other: Names) {
      if other.types.names.count > types.names.count { types = other.types }
      if other.categories.names.count > categories.names.count { categories = other.categories }
    }
  }
#endif
