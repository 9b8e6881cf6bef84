import EventLog
import EventLogTestSupport

/// A read model for tests: participants registered per workshop, and how many events were
/// folded in (an event applied twice or skipped changes `applied`).
struct SeatCounts: BinaryCodable, Sendable, Equatable {
  var registered: [String: Int] = [:]
  var applied: Int = 0
  var lastPosition: UInt64 = 0

  init(registered: [String: Int] = [:], applied: Int = 0, lastPosition: UInt64 = 0) {
    self.registered = registered
    self.applied = applied
    self.lastPosition = lastPosition
  }

  func encode(to writer: inout BinaryWriter) {
    writer.writeVariableLength(UInt64(registered.count))
    for key in registered.keys.sorted() {
      writer.write(key)
      writer.write(registered[key]!)
    }
    writer.write(applied)
    writer.write(lastPosition)
  }

  init(from reader: inout BinaryReader) throws {
    let count = try reader.readCount()
    var registered: [String: Int] = [:]
    for _ in 0..<count {
      let key = try reader.read(String.self)
      registered[key] = try reader.read(Int.self)
    }
    let applied = try reader.read(Int.self)
    let lastPosition = try reader.read(UInt64.self)
    self.init(registered: registered, applied: applied, lastPosition: lastPosition)
  }

  /// The same counts, folded independently of any projection.
  static func fold(_ events: [RecordedEvent]) throws -> SeatCounts {
    var counts = SeatCounts()
    for event in events where event.stream.category == "workshop" {
      switch try event.decode(as: WorkshopEvent.self) {
      case .registered: counts.registered[event.stream.rawValue, default: 0] += 1
      case .cancelled: counts.registered[event.stream.rawValue, default: 0] -= 1
      case .opened: break
      }
      counts.applied += 1
      counts.lastPosition = event.position.rawValue
    }
    return counts
  }
}

struct SeatCountsProjection: Projection {
  var version: Int = 1
  var name: String { "seat-counts" }
  var categories: Set<String>? { ["workshop"] }
  var initialState: SeatCounts { SeatCounts() }

  func apply(_ event: WorkshopEvent, context: EventContext, to state: inout SeatCounts) {
    switch event {
    case .registered: state.registered[context.stream.rawValue, default: 0] += 1
    case .cancelled: state.registered[context.stream.rawValue, default: 0] -= 1
    case .opened: break
    }
    state.applied += 1
    state.lastPosition = context.position.rawValue
  }
}

/// Reads only cancellations: one event type in three.
struct CancellationCount: Projection {
  var name: String { "cancellations" }
  var schema: EventSchema<Cancelled> { EventSchema() }
  var initialState: Int { 0 }

  func apply(_ event: Cancelled, context: EventContext, to state: inout Int) {
    state += 1
  }
}

struct Cancelled: BinaryEvent {
  static let eventType = "RegistrationCancelled"
  var participant: String
  func encode(to writer: inout BinaryWriter) { writer.write(participant) }
  init(participant: String) { self.participant = participant }
  init(from reader: inout BinaryReader) throws { participant = try reader.read(String.self) }
}

/// Appends a mixed workshop log: openings, registrations, cancellations, and events of other
/// categories with payloads no workshop decoder could read.
func appendWorkshopLog(
  _ store: any EventStore, workshops: Int = 5, events: Int, seed: UInt64 = 1
) async throws {
  var random = SplitMix64(seed: seed)
  let clock = EventClock.stepping(from: Timestamp(year: 2018, month: 6, day: 7))
  func data(_ event: WorkshopEvent) throws -> EventData {
    try EventData(event, id: .random(), metadata: EventMetadata(time: clock.now()))
  }
  for w in 0..<workshops {
    try await store.append(
      [try data(.opened(capacity: 1000))], to: "workshop-\(w)", expectedVersion: .any)
  }
  var written = workshops
  var registered: [[String]] = Array(repeating: [], count: workshops)
  while written < events {
    let w = Int(random.next() % UInt64(workshops))
    let roll = random.next() % 10
    if roll < 6 {
      let name = "p\(written)"
      registered[w].append(name)
      try await store.append(
        [try data(.registered(participant: name))], to: "workshop-\(w)", expectedVersion: .any)
    } else if roll < 8, let name = registered[w].popLast() {
      try await store.append(
        [try data(.cancelled(participant: name))], to: "workshop-\(w)", expectedVersion: .any)
    } else {
      let noise = EventData(
        id: .random(), eventType: "ParticipantRegistered", encoding: .binary,
        payload: [0xFF, 0xFF, 0xFF],
        metadata: EventMetadata(time: clock.now()))
      try await store.append([noise], to: "noise-\(w)", expectedVersion: .any)
    }
    written += 1
  }
}
