import EventLog
import EventLogMacros

/// Any event the council's read models read, decoded by its type name.
public enum CouncilRecordedEvent: RecordableEvent, Equatable {
  /// A member organization's event.
  case member(MemberEvent)
  /// An account's event.
  case account(AccountEvent)
  /// A consultation's or conference's event.
  case gathering(GatheringEvent)
  /// A fund's or an application's event.
  case fund(FundEvent)
  /// A resolution's event.
  case resolution(ResolutionEvent)

  /// Every type name read.
  public static var eventTypes: [String] {
    MemberEvent.eventTypes + AccountEvent.eventTypes + GatheringEvent.eventTypes
      + FundEvent.eventTypes + ResolutionEvent.eventTypes
  }

  /// The wrapped event's type name.
  public var eventType: String { family.eventType }

  private var family: any CouncilEventFamily {
    switch self {
    case .member(let e): return e
    case .account(let e): return e
    case .gathering(let e): return e
    case .fund(let e): return e
    case .resolution(let e): return e
    }
  }

  /// Writes the wrapped event's payload.
  public func encodePayload(to writer: inout BinaryWriter) throws {
    family.payload.encode(to: &writer)
  }

  /// The decoder of the family that has `eventType`, wrapped in its case.
  public static func payloadDecoder(for eventType: String) -> PayloadDecoder<Self>? {
    func wrap<Family: EventFamily>(
      _: Family.Type, _ wrap: @escaping @Sendable (Family) -> Self
    ) -> PayloadDecoder<Self>? {
      guard let decoder = Family.decoders[eventType] else { return nil }
      return { version, reader in wrap(try decoder(version, &reader)) }
    }
    return wrap(MemberEvent.self, Self.member) ?? wrap(AccountEvent.self, Self.account)
      ?? wrap(GatheringEvent.self, Self.gathering) ?? wrap(FundEvent.self, Self.fund)
      ?? wrap(ResolutionEvent.self, Self.resolution)
  }

  /// Reads a payload of any family read.
  public init(eventType: String, schemaVersion: UInt16, payload: inout BinaryReader) throws {
    guard let decoder = Self.payloadDecoder(for: eventType) else {
      throw EventStoreError(
        .unknownEventType, "not an event the read models read", eventType: eventType)
    }
    self = try decoder(schemaVersion, &payload)
  }
}

/// Every read model of the council, folded in one pass over the log.
@BinaryCodable
public struct CouncilReadModels: BinaryCodable, Sendable, Hashable {
  /// The member directory.
  public var directory: MemberDirectory = MemberDirectory()
  /// Membership histories.
  public var membership: MembershipHistories = MembershipHistories()
  /// Registration counts and evaluation summaries.
  public var gatherings: GatheringReports = GatheringReports()
  /// The fund ledger.
  public var fund: FundLedger = FundLedger()
  /// The resolution register.
  public var resolutions: ResolutionRegister = ResolutionRegister()

  /// Empty read models.
  public init() {}

}

/// Folds the log into every read model at once: what `council replay` rebuilds.
public struct CouncilReadModelsProjection: Projection {
  /// Keeps nothing itself; what it folds is stored under `projection/council-read-models@VERSION`.
  public init() {}

  /// `council-read-models`.
  public var name: String { "council-read-models" }
  /// 6: the member directory's binary form lists its active members (version 2), each with
  /// its record's place and checksum (version 3), after its records and without the account
  /// owners (version 4), and indexes every member's record (version 5); the membership
  /// histories' form keeps their year table and an index apart from the records (version 6);
  /// the directory's order lists its entries under each of their terms (version 7); models
  /// kept by an earlier version are rebuilt once.
  public var version: Int { 7 }
  /// Empty read models.
  public var initialState: CouncilReadModels { CouncilReadModels() }

  private let gatherings = GatheringReportsProjection()
  private let fund = FundLedgerProjection()
  private let resolutions = ResolutionRegisterProjection()

  /// Folds one event into each model that reads it, as each model's own projection does.
  ///
  /// A member's event is folded into the directory and the histories with one identifier
  /// read from the stream's name, and each event is handed on as it is, not wrapped anew
  /// (a copy of an event is a retain of each of its texts and lists).
  public func apply(
    _ event: CouncilRecordedEvent, context: EventContext, to state: inout CouncilReadModels
  ) {
    switch event {
    case .member(let e):
      let member = MemberID(context.stream.id ?? "")
      state.directory.apply(e, member: member)
      MembershipHistoryProjection.apply(e, member: member, to: &state.membership)
    case .account(let e):
      state.directory.apply(e, in: context.stream)
    case .gathering(let e):
      gatherings.apply(e, context: context, to: &state.gatherings)
    case .fund(let e):
      fund.apply(e, context: context, to: &state.fund)
    case .resolution(let e):
      resolutions.apply(e, context: context, to: &state.resolutions)
    }
  }
}
