import EventLog
import EventLogConformance
import EventLogTestSupport
import Testing

@testable import EventLogLMDB

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

  /// A log of storage format 2 (its stream index keyed by names), as earlier versions made
  /// it, keeps the same contract: the store reads and writes it as it is.
  @Test(arguments: EventStoreConformance.Check.allCases)
  func conformanceOfAFormatTwoLog(_ check: EventStoreConformance.Check) async throws {
    let suite = EventStoreConformance { body in
      let directory = TemporaryDirectory()
      var options = LMDBEventStore.Options(durability: .noSync)
      options.newLogFormat = 2
      let store = try LMDBEventStore(path: directory.appending("log"), options: options)
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
