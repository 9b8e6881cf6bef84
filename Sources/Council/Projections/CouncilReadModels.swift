import EventLog

/// Any event the council's read models read, decoded by its type name.
public enum CouncilRecordedEvent: RecordableEvent, Equatable {
  /// A member organization's event.
  case member(MemberEvent)
  /// An account's event.
  case account(AccountEvent)

  static let memberTypes = Set(MemberEvent.eventTypes)
  static let accountTypes = Set(AccountEvent.eventTypes)

  /// Every type name read.
  public static var eventTypes: [String] { MemberEvent.eventTypes + AccountEvent.eventTypes }

  /// The wrapped event's type name.
  public var eventType: String {
    switch self {
    case .member(let e): return e.eventType
    case .account(let e): return e.eventType
    }
  }

  /// Writes the wrapped event's payload.
  public func encodePayload(to writer: inout BinaryWriter) throws {
    switch self {
    case .member(let e): e.encodePayload(to: &writer)
    case .account(let e): e.encodePayload(to: &writer)
    }
  }

  /// Reads a payload of any family read.
  public init(eventType: String, schemaVersion: UInt16, payload: inout BinaryReader) throws {
    if Self.memberTypes.contains(eventType) {
      self = .member(
        try MemberEvent(eventType: eventType, schemaVersion: schemaVersion, payload: &payload))
    } else {
      self = .account(
        try AccountEvent(eventType: eventType, schemaVersion: schemaVersion, payload: &payload))
    }
  }
}

/// Every read model of the council, folded in one pass over the log.
public struct CouncilReadModels: BinaryCodable, Sendable, Hashable {
  /// The member directory.
  public var directory = MemberDirectory()
  /// Membership histories.
  public var membership = MembershipHistories()

  /// Empty read models.
  public init() {}

  /// Writes every model.
  public func encode(to writer: inout BinaryWriter) {
    directory.encode(to: &writer)
    membership.encode(to: &writer)
  }

  /// Reads every model.
  public init(from reader: inout BinaryReader) throws {
    directory = try MemberDirectory(from: &reader)
    membership = try MembershipHistories(from: &reader)
  }
}

/// Folds the log into every read model at once: what `council replay` rebuilds.
public struct CouncilReadModelsProjection: Projection {
  /// Creates the projection.
  public init() {}

  /// `council-read-models`.
  public var name: String { "council-read-models" }
  /// Empty read models.
  public var initialState: CouncilReadModels { CouncilReadModels() }

  private let directory = MemberDirectoryProjection()
  private let membership = MembershipHistoryProjection()

  /// Folds one event into each model that reads it.
  public func apply(
    _ event: CouncilRecordedEvent, context: EventContext, to state: inout CouncilReadModels
  ) {
    switch event {
    case .member(let e):
      directory.apply(.first(e), context: context, to: &state.directory)
      membership.apply(e, context: context, to: &state.membership)
    case .account(let e):
      directory.apply(.second(e), context: context, to: &state.directory)
    }
  }
}
