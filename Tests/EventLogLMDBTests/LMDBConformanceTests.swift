import EventLog
import EventLogConformance
import EventLogLMDB
import EventLogTestSupport
import Testing

@Suite("LMDBEventStore conformance")
struct LMDBConformanceTests {
  @Test(arguments: EventStoreConformance.Check.allCases)
  func conformance(_ check: EventStoreConformance.Check) async throws {
    let suite = EventStoreConformance { body in
      let directory = TemporaryDirectory()
      let store = try LMDBEventStore(
        path: directory.appending("log"), options: .init(durability: .noSync))
      try await body(store)
      store.close()
    }
    try await suite.run(check)
  }

  @Test("conformance with full durability (fsync per commit)")
  func durableConformance() async throws {
    let suite = EventStoreConformance { body in
      let directory = TemporaryDirectory()
      let store = try LMDBEventStore(path: directory.appending("log"))
      try await body(store)
      store.close()
    }
    try await suite.run(.concurrentAppenders)
    try await suite.run(.multiStreamAtomicity)
  }
}
