import EventLog
import EventLogConformance
import EventLogTestSupport
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

@Suite("InMemoryEventStore")
struct InMemoryStoreTests {
  /// An append changes the log in place: the records' storage moves only when it grows
  /// (about log₂ n times), never once per append as a copy of the whole log would.
  @Test func anAppendDoesNotCopyTheLog() async throws {
    let store = InMemoryEventStore()
    var addresses: Set<UInt> = []
    for index in 0..<4000 {
      try await store.append(
        [
          EventData(
            id: .random(), eventType: "Tested", encoding: .binary, payload: [1],
            metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: Int64(index))))
        ],
        to: StreamName("s-\(index % 9)"), expectedVersion: .any)
      addresses.insert(store.recordsStorageAddress)
    }
    #expect(addresses.count < 40, "the records moved \(addresses.count) times in 4000 appends")
  }

  /// A refused append (a recorded ID after a new one in the same batch) leaves the log as
  /// it was, although the store changes it in place.
  @Test func aRefusedAppendIsUndone() async throws {
    let store = InMemoryEventStore()
    let first = EventData(
      id: .random(), eventType: "Tested", encoding: .binary, payload: [1],
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 1)))
    try await store.append([first], to: "a-1", expectedVersion: .noStream)
    let fresh = EventData(
      id: .random(), eventType: "Tested", encoding: .binary, payload: [2],
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 2)))
    // The batch's first ID is new, so the store starts writing; the second is recorded
    // already, which only the write finds.
    await #expect(throws: EventStoreError.self) {
      try await store.append([fresh, first], to: "b-1", expectedVersion: .noStream)
    }
    #expect(await store.headPosition() == 1)
    #expect(await store.currentVersion(of: "b-1") == nil)
    try await store.append([fresh], to: "b-1", expectedVersion: .noStream)
    #expect(try await store.readStream("b-1").map(\.position) == [2])
  }

  @Test func theForgottenSubjectsAreThoseDataSubjectsListsAsErased() async throws {
    // The in-memory store answers by the protocol's default, from dataSubjects().
    #expect(try await erasedDataSubjectsMismatches(of: InMemoryEventStore()) == [])
  }
}
