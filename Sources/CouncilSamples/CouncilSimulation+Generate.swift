import Council
import EventLog

extension CouncilSimulation {
  /// What ``generate(events:seed:into:protector:recordingClock:)`` recorded.
  public struct Generated: Sendable, Hashable {
    /// The log's head after the last command: how many events it holds.
    public var head: LogPosition
    /// The commands the council accepted.
    public var accepted: Int
    /// The commands its rules refused (each refused command appended nothing).
    public var refused: Int
  }

  /// Records the seed council, then simulates its life from 1 January 2016 until `store` holds
  /// at least `events` events: the log `council generate` makes.
  ///
  /// The same seed, event count and sealing give the same events (sealed values differ, since
  /// each sealing draws fresh keys and nonces).
  ///
  /// - Parameters:
  ///   - events: how many events to record, at least.
  ///   - seed: the seed of the simulation's choices.
  ///   - store: the (empty) store to record into.
  ///   - protector: what seals people's data; by default the council's own
  ///     (``Council/defaultProtector(for:)``).
  ///   - recordingClock: a clock the store records with, moved on to each command's simulated
  ///     time, so that questions as of a day answer as the council stood that day.
  public static func generate(
    events: Int, seed: UInt64, into store: any EventStore & StateStore,
    protector: (any PersonalDataProtector)? = nil, recordingClock: ManualClock? = nil
  ) async throws -> Generated {
    let start = Day(2016, 1, 1)
    let council = Council(
      store: store, clock: .fixed(start.start),
      ids: .seeded(seed, clock: .stepping(from: start.start)), protector: protector)
    try await CouncilSetup.recordSeedCouncil(in: council)
    var simulation = CouncilSimulation(
      council: council, start: start, seed: seed, members: max(20, events / 40),
      recordingClock: recordingClock)
    var generated = Generated(head: .start, accepted: 0, refused: 0)
    while true {
      let head = try await store.headPosition()
      generated.head = head
      guard head.rawValue < UInt64(events) else { return generated }
      let remaining = events - Int(clamping: head.rawValue)
      let outcome = try await simulation.runCouncil(commands: max(10, min(5000, remaining)))
      generated.accepted += outcome.accepted
      generated.refused += outcome.refused
    }
  }
}
