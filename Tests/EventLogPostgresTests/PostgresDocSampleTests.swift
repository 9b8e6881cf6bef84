#if Postgres
  import EventLogPostgres

  // The EventLogPostgres overview's sample, as written there. It names a server that does not
  // exist, so it is compiled and not run; the store's tests open their own server.
  enum PostgresDocSample {
    static func open() async throws {
      // sample: postgres-overview
      let store = try await PostgresEventStore(
        configuration: .init(url: "postgres://council:secret@db.example:5432/council"))
      defer { store.close() }
      // end sample
      // What the docs' reader goes on to do with it.
      _ = try await store.headPosition()
    }
  }
#endif
