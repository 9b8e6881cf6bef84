#if Postgres
  import EventLog
  import EventLogPostgres
  import EventLogTestSupport
  import PostgresNIO
  import Testing

  @Suite("PostgresEventStore")
  struct PostgresStoreTests {
    static func event(_ type: String = "noted") -> EventData {
      EventData(
        id: .random(), eventType: type, encoding: .binary, payload: Array("payload".utf8),
        metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 1_000)))
    }

    @Test("forgotten subjects, and subjects' keys read together, as the lists say")
    func dataKeysReadTogether() async throws {
      try await TestServer.withStore { store in
        let mismatches = try await erasedDataSubjectsMismatches(of: store)
        #expect(mismatches == [])
      }
    }

    @Test("a reopened store finds its log")
    func reopen() async throws {
      let schema = TestServer.freshSchema()
      try await TestServer.withStore(schema: schema) { store in
        try await store.append([Self.event(), Self.event()], to: "a-1", expectedVersion: .noStream)
      }
      try await TestServer.withStore(schema: schema) { store in
        let head = try await store.headPosition()
        let version = try await store.currentVersion(of: "a-1")
        let events = try await store.readStream("a-1")
        #expect(head == 2)
        #expect(version == 2)
        #expect(events.count == 2)
      }
    }

    @Test("closing a store closes its connections, the listening one included")
    func closeEndsConnections() async throws {
      let schema = TestServer.freshSchema()
      let store = try await PostgresEventStore(
        configuration: TestServer.configuration(schema: schema))
      try await store.append([Self.event()], to: "a-1", expectedVersion: .noStream)
      // The listener connects in the background: wait until it is there.
      var open = 0
      for _ in 0..<100 where open < 2 {
        open = try await TestServer.connections(named: "councillog:" + schema)
        if open < 2 { try await Task.sleep(for: .milliseconds(50)) }
      }
      #expect(open >= 2, "a pooled connection and the listening one")
      await store.closeAndWait()
      var left = open
      for _ in 0..<100 where left > 0 {
        try await Task.sleep(for: .milliseconds(50))
        left = try await TestServer.connections(named: "councillog:" + schema)
      }
      #expect(left == 0)
    }

    @Test("an append the server refuses fails alone; the others of its group commit")
    func serverRefusalFailsOnlyItsAppend() async throws {
      let schema = TestServer.freshSchema()
      try await TestServer.withStore(schema: schema) { store in
        // A rule the append logic does not know: the server refuses events of one stream.
        try await TestServer.withClient { connection in
          try await connection.query(
            PostgresQuery(
              unsafeSQL: """
                CREATE FUNCTION \(schema).refuse() RETURNS trigger AS $$ BEGIN
                IF NEW.stream = 'refused-1' THEN RAISE EXCEPTION 'refused by a trigger'; END IF;
                RETURN NEW; END $$ LANGUAGE plpgsql
                """), logger: quiet)
          try await connection.query(
            PostgresQuery(
              unsafeSQL: """
                CREATE TRIGGER refuse BEFORE INSERT ON \(schema).events
                FOR EACH ROW EXECUTE FUNCTION \(schema).refuse()
                """), logger: quiet)
        }
        let outcomes = await withTaskGroup(of: (String, Result<AppendResult, any Error>).self) {
          group in
          for index in 0..<24 {
            let stream = index == 11 ? "refused-1" : "kept-\(index)"
            group.addTask {
              do {
                let result = try await store.append(
                  [Self.event(), Self.event()], to: StreamName(stream), expectedVersion: .noStream)
                return (stream, .success(result))
              } catch {
                return (stream, .failure(error))
              }
            }
          }
          var outcomes: [String: Result<AppendResult, any Error>] = [:]
          for await (stream, outcome) in group { outcomes[stream] = outcome }
          return outcomes
        }
        for (stream, outcome) in outcomes {
          switch outcome {
          case .success:
            #expect(stream != "refused-1", "the server's refusal was lost")
          case .failure(let error):
            #expect(stream == "refused-1", "\(stream) failed: \(error)")
            #expect((error as? EventStoreError)?.code == .storageFailure)
          }
        }
        let log = try await store.readLog(from: .first, limit: 100)
        #expect(log.events.map(\.position.rawValue) == Array(1...46))
        #expect(!log.events.contains { $0.stream == "refused-1" })
        #expect(try await store.currentVersion(of: "refused-1") == nil)
      }
    }

    @Test(
      "appends grouped in one transaction: each checked after the others, refusals and retries alone"
    )
    func groupedAppends() async throws {
      try await TestServer.withStore { store in
        let retried = Self.event()
        let outcomes = try await withThrowingTaskGroup(of: (String, AppendResult?).self) { group in
          for task in 0..<32 {
            group.addTask {
              (
                "own",
                try await store.append(
                  [Self.event()], to: "own-\(task)", expectedVersion: .noStream)
              )
            }
          }
          // One stream, each expecting it new: exactly one is written.
          for _ in 0..<16 {
            group.addTask {
              do {
                return (
                  "shared",
                  try await store.append([Self.event()], to: "shared-1", expectedVersion: .noStream)
                )
              } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
                return ("shared", nil)
              }
            }
          }
          // The same event sent eight times: written once, the others replay its result.
          for _ in 0..<8 {
            group.addTask {
              ("retried", try await store.append([retried], to: "retried-1", expectedVersion: .any))
            }
          }
          var outcomes: [(String, AppendResult?)] = []
          for try await outcome in group { outcomes.append(outcome) }
          return outcomes
        }
        #expect(outcomes.filter { $0.0 == "shared" && $0.1 != nil }.count == 1)
        let replays = Set(outcomes.filter { $0.0 == "retried" }.compactMap(\.1))
        #expect(replays.count == 1)
        #expect(try await store.headPosition() == 34)
        let page = try await store.readLog(from: .first, limit: 100)
        #expect(page.events.map(\.position.rawValue) == Array(UInt64(1)...34))
        #expect(try await store.currentVersion(of: "shared-1") == 1)
        #expect(try await store.readStream("retried-1").map(\.id) == [retried.id])
      }
    }

    /// The error a store opened on `schema` is refused with, if any.
    func openingError(_ schema: String) async -> EventStoreError? {
      await #expect(throws: EventStoreError.self) {
        try await TestServer.withStore(schema: schema) { _ in }
      }
    }

    @Test("tables of the same names that the store did not create are refused")
    func foreignTables() async throws {
      let schema = TestServer.freshSchema()
      try await TestServer.execute(
        "CREATE SCHEMA \(schema); CREATE TABLE \(schema).events (id int PRIMARY KEY)")
      let error = await openingError(schema)
      #expect(error?.code == .foreignFile)
    }

    @Test("a format marker that is not the store's is refused")
    func foreignMarker() async throws {
      let schema = TestServer.freshSchema()
      try await TestServer.execute(
        """
        CREATE SCHEMA \(schema); CREATE TABLE \(schema).councillog_format (key text, value text);
        INSERT INTO \(schema).councillog_format VALUES ('format', 'something-else'), ('version', '1')
        """)
      let error = await openingError(schema)
      #expect(error?.code == .foreignFile)
    }

    @Test("a log of a newer format is refused")
    func newerFormat() async throws {
      let schema = TestServer.freshSchema()
      try await TestServer.withStore(schema: schema) { _ in }
      try await TestServer.execute(
        "UPDATE \(schema).councillog_format SET value = '99' WHERE key = 'version'")
      let error = await openingError(schema)
      #expect(error?.code == .unsupportedFormatVersion)
    }

    @Test("a state and its checkpoint are saved, replaced and deleted together")
    func states() async throws {
      try await TestServer.withStore { store in
        #expect(try await store.loadState("p") == nil)
        try await store.saveState(StoredState(position: 7, bytes: [1, 2, 3]), for: "p")
        try await store.saveState(StoredState(position: 9, bytes: [4]), for: "p")
        #expect(try await store.loadState("p") == StoredState(position: 9, bytes: [4]))
        try await store.deleteState("p")
        #expect(try await store.loadState("p") == nil)
      }
    }

    @Test("a server that cannot be reached is a typed error, not a hang")
    func serverGone() async throws {
      var configuration = try TestServer.configuration()
      configuration.port = 1  // nothing listens there
      configuration.timeout = .seconds(3)
      let error = await #expect(throws: EventStoreError.self) {
        _ = try await PostgresEventStore(configuration: configuration)
      }
      #expect(error?.code == .serverUnavailable)
    }

    @Test("a bad URL is refused with the reason")
    func badURL() throws {
      #expect(throws: EventStoreError.self) {
        _ = try PostgresEventStore.Configuration(url: "mysql://x@y/z")
      }
      #expect(throws: EventStoreError.self) {
        _ = try PostgresEventStore.Configuration(url: "postgres://x@y:port/z")
      }
      let parsed = try PostgresEventStore.Configuration(
        url: "postgres://ana:p%40ss@db.example:6543/log")
      #expect(parsed.username == "ana")
      #expect(parsed.password == "p@ss")
      #expect(parsed.host == "db.example")
      #expect(parsed.port == 6543)
      #expect(parsed.database == "log")
    }

    @Test("filtered reads skip rows on the server and page past them")
    func filters() async throws {
      try await TestServer.withStore { store in
        for index in 0..<30 {
          try await store.append(
            [Self.event(index % 3 == 0 ? "kept" : "skipped")], to: "c\(index % 2)-x",
            expectedVersion: .any)
        }
        let page = try await store.readLog(
          from: .first, limit: 100, filter: LogFilter(categories: ["c0"], eventTypes: ["kept"]))
        #expect(page.events.map(\.position.rawValue) == [1, 7, 13, 19, 25])
        #expect(page.nextPosition == 31)
        let none = try await store.readLog(
          from: .first, limit: 10, filter: LogFilter(eventTypes: ["never-seen"]))
        #expect(none.events.isEmpty)
        #expect(none.nextPosition == 31)
      }
    }
  }
#endif
