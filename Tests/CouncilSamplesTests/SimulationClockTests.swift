import Council
import CouncilSamples
import EventLog
import Foundation
import Testing

/// A log recorded the way `council generate` records one: the seed council on its first day,
/// then the simulation until the log holds about `events` events.
func generatedCouncilLog(seed: UInt64, events: Int) async throws -> [RecordedEvent] {
  let start = Day(2016, 1, 1)
  let recording = ManualClock(start.start)
  let store = InMemoryEventStore(clock: recording.clock)
  let council = Council(
    store: store, clock: .fixed(start.start),
    ids: .seeded(seed, clock: .stepping(from: start.start)))
  try await CouncilSetup.recordSeedCouncil(in: council)
  var simulation = CouncilSimulation(
    council: council, start: start, seed: seed, members: max(20, events / 40),
    recordingClock: recording)
  while await store.headPosition().rawValue < UInt64(events) {
    let remaining = events - Int(await store.headPosition().rawValue)
    _ = try await simulation.runCouncil(commands: max(10, min(5000, remaining)))
  }
  #expect(simulation.now >= start.start)
  return try await store.readLog(from: .first, limit: 10_000_000).events
}

@Suite("The simulation's clock")
struct SimulationClockTests {
  @Test func recordedTimesNeverRunBackwardsAndTheSameSeedGivesTheSameLog() async throws {
    let events = try await generatedCouncilLog(seed: 1, events: 20_000)
    #expect(events.count >= 20_000)
    var backwards: [UInt64] = []
    for (before, after) in zip(events, events.dropFirst())
    where after.metadata.time < before.metadata.time {
      backwards.append(after.position.rawValue)
    }
    #expect(backwards.isEmpty, "recorded time runs backwards at positions \(backwards.prefix(10))")
    // The store recorded each event at the simulated time it happened.
    #expect(events.allSatisfy { $0.recordedTime == $0.metadata.time })
    // Every kind of gathering and fund event took part, so every clock above was exercised.
    let types = Set(events.map(\.eventType))
    for type in ["FundBudgetSet", "ResolutionAdopted", "ParticipantCheckedIn", "MembershipRenewed"]
    {
      #expect(types.contains(type), "no \(type) in the log")
    }
    // The log spans years, not one instant.
    if let first = events.first, let last = events.last {
      #expect(Day(last.metadata.time) > Day(first.metadata.time).adding(days: 365))
    }

    let again = try await generatedCouncilLog(seed: 1, events: 20_000)
    // Sealing draws a fresh key and nonce each run: what repeats is every field but the
    // personal values' ciphertext.
    #expect(
      try again.map(sameSeedForm) == events.map(sameSeedForm), "the same seed gave another log")
    #expect(again.map(\.stream) == events.map(\.stream))
    let other = try await generatedCouncilLog(seed: 2, events: 2_000)
    #expect(other.map(\.data) != Array(events.prefix(other.count)).map(\.data))
  }
}

/// An event as the same seed must repeat it: its ID, type, metadata and payload, each
/// personal value reduced to its subject.
func sameSeedForm(_ event: RecordedEvent) throws -> String {
  func mask(_ json: Any) -> Any {
    if let object = json as? [String: Any] {
      if object["value"] != nil || object["sealed"] != nil || object["erased"] != nil {
        return ["subject": object["subject"] ?? NSNull()]
      }
      return object.mapValues(mask)
    }
    if let array = json as? [Any] { return array.map(mask) }
    return json
  }
  let json = try JSONSerialization.jsonObject(
    with: CouncilCatalog.json(CouncilCatalog.decode(event)))
  let payload = try JSONSerialization.data(withJSONObject: mask(json), options: [.sortedKeys])
  return "\(event.id) \(event.eventType) \(event.metadata) "
    + String(decoding: payload, as: UTF8.self)
}
