import EventLog

/// A small test domain: a workshop with limited seats (shared by the EventLog and LMDB tests).
public enum WorkshopEvent: RecordableEvent, Equatable {
  case opened(capacity: Int)
  case registered(participant: String)
  case cancelled(participant: String)

  public static let eventTypes = [
    "WorkshopOpened", "ParticipantRegistered", "RegistrationCancelled",
  ]

  public var eventType: String {
    switch self {
    case .opened: return "WorkshopOpened"
    case .registered: return "ParticipantRegistered"
    case .cancelled: return "RegistrationCancelled"
    }
  }

  public func encodePayload(to writer: inout BinaryWriter) {
    switch self {
    case .opened(let capacity): writer.write(capacity)
    case .registered(let participant), .cancelled(let participant): writer.write(participant)
    }
  }

  public init(eventType: String, schemaVersion: UInt16, payload reader: inout BinaryReader) throws {
    switch eventType {
    case "WorkshopOpened": self = .opened(capacity: try reader.read(Int.self))
    case "ParticipantRegistered": self = .registered(participant: try reader.read(String.self))
    case "RegistrationCancelled": self = .cancelled(participant: try reader.read(String.self))
    default: throw EventStoreError(.unknownEventType, "not a workshop event", eventType: eventType)
    }
  }
}

public enum WorkshopCommand: Sendable {
  case open(capacity: Int)
  case register(String)
  case cancel(String)
}

public enum WorkshopFailure: Error, Equatable {
  case notOpen
  case alreadyOpen
  case full(capacity: Int)
  case alreadyRegistered(String)
  case notRegistered(String)
}

public struct WorkshopState: Sendable, Equatable, BinaryCodable {
  public var capacity: Int?
  public var participants: [String] = []

  public init(capacity: Int? = nil, participants: [String] = []) {
    self.capacity = capacity
    self.participants = participants
  }

  public func encode(to writer: inout BinaryWriter) {
    writer.write(capacity.map { $0 + 1 } ?? 0)
    writer.write(participants)
  }

  public init(from reader: inout BinaryReader) throws {
    let capacity = try reader.read(Int.self)
    let participants = try reader.read([String].self)
    self.init(capacity: capacity == 0 ? nil : capacity - 1, participants: participants)
  }
}

public struct WorkshopDecider: SnapshottingDecider {
  public var snapshotVersion: UInt32

  public init(snapshotVersion: UInt32 = 1) { self.snapshotVersion = snapshotVersion }

  public var initialState: WorkshopState { WorkshopState() }

  public func decide(_ command: WorkshopCommand, state: WorkshopState) throws(WorkshopFailure)
    -> [WorkshopEvent]
  {
    switch command {
    case .open(let capacity):
      guard state.capacity == nil else { throw .alreadyOpen }
      return [.opened(capacity: capacity)]
    case .register(let name):
      guard let capacity = state.capacity else { throw .notOpen }
      guard !state.participants.contains(name) else { throw .alreadyRegistered(name) }
      guard state.participants.count < capacity else { throw .full(capacity: capacity) }
      return [.registered(participant: name)]
    case .cancel(let name):
      guard state.participants.contains(name) else { throw .notRegistered(name) }
      return [.cancelled(participant: name)]
    }
  }

  public func evolve(_ state: WorkshopState, _ event: WorkshopEvent) -> WorkshopState {
    var state = state
    switch event {
    case .opened(let capacity): state.capacity = capacity
    case .registered(let name): state.participants.append(name)
    case .cancelled(let name): state.participants.removeAll { $0 == name }
    }
    return state
  }
}
