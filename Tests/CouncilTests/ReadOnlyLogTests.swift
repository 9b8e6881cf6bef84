import Council
import EventLog
import Testing

@Suite("Replay without writing")
struct ReadOnlyLogTests {
  @Test func aRebuildThroughAReadOnlyLogWritesNothingIntoTheLog() async throws {
    let (store, _) = try await simulatedMembershipLog(seed: 51, commands: 400)
    let view = ReadOnlyLog(store)
    let runner = ProjectionRunner(CouncilReadModelsProjection(), store: view)
    try await runner.rebuild()
    let key = CouncilReadModelsProjection().stateKey
    #expect(view.savedKeys == [key], "the state is kept in memory")
    #expect(await store.loadState(key) == nil, "and not in the log")
    let expected = try await CouncilReadModelsProjection().state(in: store, asOf: .now)
    #expect(runner.checkpoint == expected.position)
    #expect(runner.state.membership.members.count == expected.value.membership.members.count)
    #expect(
      runner.state.directory.activeEntries.count == expected.value.directory.activeEntries.count)
    // The control: a runner on the log itself saves there, under the same key.
    try await ProjectionRunner(CouncilReadModelsProjection(), store: store).rebuild()
    #expect(await store.loadState(key) != nil)
    await #expect(throws: EventStoreError.self) {
      try await view.append([], to: "member-1", expectedVersion: .any)
    }
  }
}
