#if Postgres
  import EventLog
  import EventLogConformance
  import EventLogPostgres
  import Testing

  @Suite("PostgresEventStore conformance")
  struct PostgresConformanceTests {
    @Test(arguments: EventStoreConformance.Check.allCases)
    func conformance(_ check: EventStoreConformance.Check) async throws {
      let suite = EventStoreConformance { body in
        let store = try await PostgresEventStore(configuration: TestServer.configuration())
        do {
          try await body(store)
        } catch {
          store.close()
          throw error
        }
        store.close()
      }
      try await suite.run(check)
    }
  }
#endif
