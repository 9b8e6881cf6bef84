import EventLog
import EventLogLMDB
import EventLogTestSupport
import Testing

@Suite("States lent where the store keeps them")
struct StateLendingTests {
  struct Refused: Error, Equatable {
    var position: UInt64
  }

  @Test(arguments: StoreKind.allCases)
  func aLentStateIsTheSavedOneAndTheBodysErrorsPassThrough(_ kind: StoreKind) async throws {
    try await kind.withStore { store in
      #expect(try await store.withState("absent") { _, _ in 1 } == nil)
      var random = SplitMix64(seed: 5)
      for size in [0, 1, 7, 4096, 200_000] {
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
        let saved = StoredState(position: UInt64(size) + 3, bytes: bytes)
        try await store.saveState(saved, for: "state")
        let lent = try await store.withState("state") { position, raw in
          StoredState(position: position, bytes: Array(raw))
        }
        #expect(lent == saved, "\(size) bytes")
        #expect(try await store.loadState("state") == saved)
      }
      await #expect(throws: Refused(position: 200_003)) {
        try await store.withState("state") { position, _ in throw Refused(position: position) }
      }
      try await store.deleteState("state")
      #expect(try await store.withState("state") { _, _ in 1 } == nil)
    }
  }
}
