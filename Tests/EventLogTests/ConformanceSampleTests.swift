import EventLog
// sample: conformance
import EventLogConformance
import Testing

// end sample

// The EventLogConformance overview's sample, as written there, run on the in-memory store (the
// article's `MyStore` is the reader's own store).
private typealias MyStore = InMemoryEventStore

@Suite("The conformance article's sample")
struct ConformanceSample {
  // sample: conformance

  @Test(arguments: EventStoreConformance.Check.allCases)
  func conformance(_ check: EventStoreConformance.Check) async throws {
    let suite = EventStoreConformance { body in
      let store = MyStore()  // a fresh, empty store of yours
      try await body(store)
    }
    try await suite.run(check)
  }
  // end sample
}
