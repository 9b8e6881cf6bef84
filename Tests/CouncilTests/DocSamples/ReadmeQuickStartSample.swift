// sample: readme-quick-start
import EventLogLMDB  // the store, and the EventLog core it re-exports
import EventLogMacros  // @BinaryEvent
// end sample
import Testing

// The README's first sample, as written there: only the store's product and the macros are
// imported, so this file also shows that EventLogLMDB re-exports the core. It writes "my-log"
// in the working directory, so it is compiled and not run; the overview's sample runs the same
// calls in memory.
enum ReadmeQuickStart {
  // sample: readme-quick-start
  @BinaryEvent
  struct MemberApplied: Codable, Equatable {
    var name: String
    var region: String
  }
  // end sample

  static func run() async throws {
    // sample: readme-quick-start
    let store = try LMDBEventStore(path: "my-log")  // a directory, created when missing
    let applied = MemberApplied(name: "FCJ Refugee Centre", region: "Ontario")
    let metadata = EventMetadata(time: EventClock.system.now())
    try await store.append(
      [try EventData(applied, id: .random(), metadata: metadata)],
      to: "member-42", expectedVersion: .noStream)
    for event in try await store.readStream("member-42") {
      print(event.position, event.eventType, try event.decode(as: MemberApplied.self))
    }
    store.close()
    // end sample
  }
}

@Test("the README's first sample: @BinaryEvent names the type after the struct")
func readmeQuickStartEventType() {
  #expect(ReadmeQuickStart.MemberApplied.eventType == "MemberApplied")
}
