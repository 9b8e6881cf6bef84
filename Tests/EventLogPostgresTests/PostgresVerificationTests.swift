#if Postgres
  import EventLog
  import EventLogPostgres
  import Testing

  @Suite("PostgresEventStore.verify")
  struct PostgresVerificationTests {
    /// Twelve events in three streams, at positions 1 to 12.
    static func fill(_ store: PostgresEventStore) async throws {
      for round in 0..<4 {
        for stream in ["member-1", "member-2", "fund-1"] {
          try await store.append(
            [PostgresStoreTests.event(round % 2 == 0 ? "noted" : "changed")],
            to: StreamName(stream), expectedVersion: round == 0 ? .noStream : .any)
        }
      }
    }

    /// The problems `verify` reports, as lines, after `damage` (SQL, with `S` for the schema).
    func problems(after damage: String?, payloads: ((RecordView) throws -> Void)? = nil)
      async throws -> (VerificationReport, [String])
    {
      let schema = TestServer.freshSchema()
      var report: VerificationReport?
      try await TestServer.withStore(schema: schema) { store in
        try await Self.fill(store)
        if let damage {
          try await TestServer.execute(damage.replacingOccurrences(of: "S.", with: schema + "."))
        }
        report = try await store.verify(payloads: payloads)
      }
      let found = try #require(report)
      return (found, found.problems.map(\.description))
    }

    @Test("a healthy log verifies")
    func healthy() async throws {
      var seen = 0
      let (report, problems) = try await problems(after: nil) { _ in seen += 1 }
      #expect(problems == [])
      #expect(report.isHealthy)
      #expect(report.head == 12)
      #expect(report.records == 12)
      #expect(report.streams == 3)
      #expect(seen == 12)
    }

    @Test("a changed record byte is reported at its position")
    func damagedByte() async throws {
      // The payload's last byte, before the 8-byte checksum.
      let (report, problems) = try await problems(
        after: """
          UPDATE S.events SET record = set_byte(record, length(record) - 9, \
          get_byte(record, length(record) - 9) # 32) WHERE position = 7
          """
      )
      #expect(!report.isHealthy)
      #expect(problems.count == 1, "\(problems)")
      #expect(problems.first?.hasPrefix("position 7: ") == true, "\(problems)")
      #expect(problems.first?.contains("checksum") == true, "\(problems)")
    }

    @Test("a deleted row is reported as a gap, with the stream's missing version")
    func gap() async throws {
      let (_, problems) = try await problems(after: "DELETE FROM S.events WHERE position = 5")
      #expect(problems.contains("position 5: positions 5 to 5 are missing (a gap)"), "\(problems)")
      // Position 5 was version 2 of member-2; its version 3 is at position 8.
      #expect(
        problems.contains("position 8 (member-2): version 3 where 2 was expected"), "\(problems)")
    }

    @Test("a row whose columns disagree with its record is reported")
    func columns() async throws {
      let (_, problems) = try await problems(
        after: "UPDATE S.events SET type_no = 99, stream = 'member-9' WHERE position = 3")
      #expect(problems.count == 2, "\(problems)")
      #expect(problems.allSatisfy { $0.hasPrefix("position 3 (fund-1): the row's") }, "\(problems)")
    }

    @Test("a head row that does not agree with the last record is reported")
    func head() async throws {
      let (report, problems) = try await problems(after: "UPDATE S.head SET position = 14")
      #expect(report.head == 14)
      #expect(
        problems == [
          "position 14: the head row says the log ends at position 14, its last record is at 12"
        ])
    }

    @Test("a name table out of sequence is reported")
    func names() async throws {
      let (_, problems) = try await problems(
        after: "UPDATE S.names SET number = 7 WHERE kind = 0 AND number = 2")
      #expect(problems.contains { $0.hasPrefix("log: the name table numbers event type") })
      // The records of that type then name a number the table does not have.
      #expect(problems.contains { $0.hasPrefix("position 4: ") }, "\(problems)")
    }

    @Test("a payload the closure refuses is reported with its position and stream")
    func payloads() async throws {
      struct Refused: Error, CustomStringConvertible {
        var description: String { "refused" }
      }
      let (_, problems) = try await problems(after: nil) { record in
        if record.position == 9 { throw Refused() }
      }
      #expect(problems == ["position 9 (fund-1): noted: refused"])
    }
  }
#endif
