#if Postgres
  import EventLog
  import EventLogPostgres
  import Synchronization
  import Testing

  @Suite("Commands over several streams on PostgreSQL")
  struct PostgresMultiStreamTests {
    struct Noted: BinaryEvent, Codable, Equatable {
      static let eventType = "Noted"
      var text: String

      init(text: String) { self.text = text }

      func encode(to writer: inout BinaryWriter) { writer.write(text) }

      init(from reader: inout BinaryReader) throws { text = try reader.read(String.self) }
    }

    static func data(_ text: String) throws -> [EventData] {
      [
        try EventData(
          Noted(text: text), id: .random(),
          metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 1_000)))
      ]
    }

    @Test("a stream read but not written, appended to by another writer of the log in between")
    func conditionAgainstAnotherWriter() async throws {
      let schema = TestServer.freshSchema()
      try await TestServer.withStore(schema: schema) { store in
        // Another store on the same log: a writer of its own, as another process would be.
        try await TestServer.withStore(schema: schema) { other in
          try await store.append(try Self.data("opened"), to: "seats-1", expectedVersion: .noStream)
          let attempts = Mutex(0)
          let outcome = try await MultiStreamHandler(store: store).handle { decision in
            let first = attempts.withLock { count in
              count += 1
              return count == 1
            }
            let seats = try await decision.version(of: "seats-1")
            _ = try await decision.version(of: "booking-1")
            if first {
              try await other.append(try Self.data("taken"), to: "seats-1", expectedVersion: .any)
            }
            try decision.append([Noted(text: "booked at \(seats?.rawValue ?? 0)")], to: "booking-1")
          }
          #expect(outcome.attempts == 2, "the first append was refused by the condition")
          #expect(outcome.result(for: "seats-1")?.lastVersion == 2)
          #expect(outcome.result(for: "seats-1")?.eventCount == 0)
          let booked = try await store.readStream("booking-1")
          #expect(try booked.map { try $0.decode(as: Noted.self) } == [Noted(text: "booked at 2")])
          #expect(try await store.currentVersion(of: "seats-1") == 2)
        }
      }
    }
  }
#endif
