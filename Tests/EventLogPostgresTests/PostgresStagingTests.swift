#if Postgres
  import EventLog
  import EventLogPostgres
  import Testing

  @Suite("PostgresEventStore staging: adopt, dropSchema, ?schema=, checkConnection")
  struct PostgresStagingTests {
    @Test("adopt moves a staging log into an empty one in one step, and refuses a non-empty one")
    func adopt() async throws {
      let target = TestServer.freshSchema()
      let staging = TestServer.freshSchema()
      try await TestServer.withStore(schema: target) { target in
        try await TestServer.withStore(schema: staging) { staging in
          try await PostgresVerificationTests.fill(staging)
          #expect(
            try await staging.erasedDataSubjects()
              == ErasedDataSubjects(anySubject: false, erased: []))
          let kept = DataSubject("participant", "g/r1")
          let forgotten = DataSubject("participant", "g/r2")
          try await staging.storeDataKeys([
            WrappedDataKey(subject: kept, id: 7, wrapped: [1, 2, 3]),
            WrappedDataKey(subject: forgotten, id: 8, wrapped: [4, 5, 6]),
          ])
          #expect(try await staging.destroyDataKeys(of: forgotten) == 1)
          let before = try await staging.readLog(from: .first, limit: 100).events
          #expect(try await target.adopt(staging) == 12)
          // The data keys came along, the tombstone of a forgotten person too.
          #expect(try await target.dataKey(of: kept, id: 7) == .found([1, 2, 3]))
          #expect(try await target.dataKey(of: forgotten, id: 8) == .destroyed)
          #expect(try await target.dataSubjects() == [kept: .held, forgotten: .erased])
          #expect(
            try await target.erasedDataSubjects()
              == ErasedDataSubjects(anySubject: true, erased: [forgotten]))
          #expect(try await target.headPosition() == 12)
          #expect(try await target.readLog(from: .first, limit: 100).events == before)
          #expect(try await target.verify().isHealthy)
          // Appends go on from the adopted head.
          let result = try await target.append(
            [PostgresStoreTests.event()], to: "member-1", expectedVersion: .exactly(4))
          #expect(result.firstPosition == 13)
          let error = await #expect(throws: EventStoreError.self) {
            try await target.adopt(staging)
          }
          #expect(error?.code == .invalidArgument)
          #expect(try await target.headPosition() == 13)
          try await staging.dropSchema()
        }
      }
      // The staging schema is gone: opening it again finds an empty log.
      try await TestServer.withStore(schema: staging) { store in
        #expect(try await store.headPosition() == .start)
        try await store.dropSchema()
      }
    }

    @Test("dropSchema refuses a schema that holds tables of others")
    func dropForeign() async throws {
      let schema = TestServer.freshSchema()
      try await TestServer.withStore(schema: schema) { store in
        try await TestServer.execute("CREATE TABLE \(schema).mine (id int)")
        let error = await #expect(throws: EventStoreError.self) { try await store.dropSchema() }
        #expect(error?.code == .foreignFile)
      }
      try await TestServer.withStore(schema: schema) { store in
        let head = try await store.headPosition()
        #expect(head == .start)
      }
    }

    @Test("a URL's ?schema= chooses the schema; other parameters are refused")
    func schemaParameter() throws {
      let url = "postgres://u:p@localhost:5433/db"
      #expect(try PostgresEventStore.Configuration(url: url).schema == "councillog")
      #expect(try PostgresEventStore.Configuration(url: url + "?schema=other").schema == "other")
      #expect(try PostgresEventStore.Configuration(url: url + "?schema=other").database == "db")
      #expect(throws: EventStoreError.self) {
        try PostgresEventStore.Configuration(url: url + "?sslmode=disable")
      }
      #expect(throws: EventStoreError.self) {
        try PostgresEventStore.Configuration(url: url + "?schema=")
      }
    }

    @Test("checkConnection tells a refused password and a closed port apart, at once")
    func checkConnection() async throws {
      try await TestServer.configuration().checkConnection()
      var wrong = try TestServer.configuration()
      wrong.password = "wrong"
      let refused = await #expect(throws: EventStoreError.self) {
        try await wrong.checkConnection()
      }
      #expect(refused?.code == .storageFailure)
      #expect(refused?.message.contains("password authentication failed") == true)
      var closed = try TestServer.configuration()
      closed.host = "127.0.0.1"
      closed.port = 1
      let started = ContinuousClock.now
      let unreachable = await #expect(throws: EventStoreError.self) {
        try await closed.checkConnection()
      }
      #expect(unreachable?.code == .serverUnavailable)
      // Refused, not timed out (the connection waits at most 10 seconds); the bound is loose
      // for a loaded machine.
      #expect(
        unreachable?.message.contains("connection refused") == true,
        "\(String(describing: unreachable))")
      #expect(ContinuousClock.now - started < .seconds(30))
    }
  }
#endif
