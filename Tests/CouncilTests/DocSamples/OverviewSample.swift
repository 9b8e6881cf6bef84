// sample: eventlog-overview
import EventLogMacros  // @BinaryEvent, and the EventLog core it re-exports
// end sample
import Testing

// The EventLog overview's sample, as written there, run against the in-memory store.
enum OverviewSample {
  // sample: eventlog-overview
  @BinaryEvent
  struct MemberApplied: Codable, Equatable {
    var name: String
    var region: String
  }
  // end sample

  static func run() async throws -> [LogPosition] {
    var positions: [LogPosition] = []
    // sample: eventlog-overview
    let store = InMemoryEventStore()
    let event = try EventData(
      MemberApplied(name: "FCJ Refugee Centre", region: "Ontario"),
      id: .random(), metadata: EventMetadata(time: EventClock.system.now()))
    try await store.append([event], to: "member-42", expectedVersion: .noStream)
    for try await recorded in store.follow(from: .first) {
      print(recorded.position)
      // end sample
      positions.append(recorded.position)
      if positions.count == 1 { break }
      // sample: eventlog-overview
    }
    // end sample
    let stored = try await store.readStream("member-42")
    #expect(
      try stored.first?.decode(as: MemberApplied.self)
        == MemberApplied(name: "FCJ Refugee Centre", region: "Ontario"))
    return positions
  }
}

@Test("the EventLog overview's sample appends the event and follows it at position 1")
func eventLogOverviewSample() async throws {
  #expect(try await OverviewSample.run() == [1])
}
