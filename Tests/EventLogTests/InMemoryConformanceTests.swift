import EventLog
import EventLogConformance
import Testing

@Suite("InMemoryEventStore conformance")
struct InMemoryConformanceTests {
  @Test(arguments: EventStoreConformance.Check.allCases)
  func conformance(_ check: EventStoreConformance.Check) async throws {
    let suite = EventStoreConformance { body in
      try await body(InMemoryEventStore())
    }
    try await suite.run(check)
  }
}
