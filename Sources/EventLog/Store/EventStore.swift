/// Appends to one stream: the events and what the writer expects of the stream's version.
///
/// An append with no events is a *condition* (see ``condition(_:expectedVersion:)``): its
/// expected version is checked with the batch's other appends, in the same atomic step, and
/// nothing is written for it. A decision that read a stream it does not write makes it a
/// condition, so that the batch is refused when that stream changed since it was read.
public struct StreamAppend: Sendable, Hashable {
  /// The stream to append to (or, for a condition, to check).
  public var stream: StreamName
  /// What the stream's version must be for the append to happen.
  public var expectedVersion: ExpectedVersion
  /// The events, in order; none for a condition.
  public var events: [EventData]

  /// Creates an append; with no `events`, a condition.
  public init(stream: StreamName, expectedVersion: ExpectedVersion, events: [EventData]) {
    self.stream = stream
    self.expectedVersion = expectedVersion
    self.events = events
  }

  /// A condition: `stream` must be at `expectedVersion` for the batch to happen, and nothing
  /// is written to it.
  ///
  /// A condition names a stream that no other append of its batch names (a stream written in
  /// the batch is checked by that append's own expected version; a condition beside an append
  /// of the same stream, or two conditions on it, are refused with
  /// ``EventStoreError/Code/invalidArgument``). A batch of conditions only is allowed:
  /// it checks them all at once and appends nothing. A broken condition throws
  /// ``EventStoreError/Code/wrongExpectedVersion`` naming its stream, and the batch writes
  /// nothing.
  ///
  /// A condition is checked whenever its batch is appended, also when the batch is appended
  /// again with the same event IDs: such a retry of a batch that was committed returns the
  /// first results only while every condition still holds, and is refused with
  /// ``EventStoreError/Code/wrongExpectedVersion`` otherwise (read the written streams to
  /// find out whether the first attempt committed).
  public static func condition(_ stream: StreamName, expectedVersion: ExpectedVersion)
    -> StreamAppend
  {
    StreamAppend(stream: stream, expectedVersion: expectedVersion, events: [])
  }

  /// Whether this is a condition: an append with no events, checked but not written.
  public var isCondition: Bool { events.isEmpty }
}

/// Where an append put its events.
///
/// The versions and the positions are closed ranges, `first...last`. A condition (an append
/// with no events) wrote nothing, and its result is the empty range just after what was
/// there when it was checked: ``lastVersion`` is the stream's version then (version 0 when
/// the stream did not exist), ``firstVersion`` the one after it; ``lastPosition`` is the
/// position before its place in the batch (the log's head, when nothing of the batch comes
/// before it), ``firstPosition`` the one after it. ``eventCount`` is then 0.
public struct AppendResult: Sendable, Hashable {
  /// The stream appended to.
  public var stream: StreamName
  /// The version of the batch's first event.
  public var firstVersion: StreamVersion
  /// The version of the batch's last event: the stream's version after the append.
  public var lastVersion: StreamVersion
  /// The log position of the batch's first event.
  public var firstPosition: LogPosition
  /// The log position of the batch's last event.
  public var lastPosition: LogPosition

  /// Stores build it; for an empty batch `firstVersion` is one past `lastVersion` (see above).
  public init(
    stream: StreamName, firstVersion: StreamVersion, lastVersion: StreamVersion,
    firstPosition: LogPosition, lastPosition: LogPosition
  ) {
    self.stream = stream
    self.firstVersion = firstVersion
    self.lastVersion = lastVersion
    self.firstPosition = firstPosition
    self.lastPosition = lastPosition
  }

  /// The result of a condition on `stream`, checked at `version` (`nil`: it did not exist)
  /// with `position` the last position before its place in the batch.
  package static func condition(
    _ stream: StreamName, version: StreamVersion?, after position: LogPosition
  ) -> AppendResult {
    let last = version ?? StreamVersion(0)
    return AppendResult(
      stream: stream, firstVersion: last.next, lastVersion: last, firstPosition: position.next,
      lastPosition: position)
  }

  /// How many events the append wrote: 0 for a condition.
  public var eventCount: Int {
    Int(clamping: (lastVersion.rawValue &+ 1) &- firstVersion.rawValue)
  }
}

/// Which direction to read a stream in.
public enum ReadDirection: Sendable, Hashable {
  /// Oldest first.
  case forwards
  /// Newest first.
  case backwards
}

/// Which events a read of the whole log returns.
///
/// A filter on event types or categories is applied to the record header, so skipped events
/// are never decoded.
public struct LogFilter: Sendable, Hashable {
  /// Only events of streams in these categories, or every category when `nil`.
  public var categories: Set<String>?
  /// Only events of these types, or every type when `nil`.
  public var eventTypes: Set<String>?

  /// A `nil` set lets every category (or type) through; both `nil` is the same as ``all``.
  public init(categories: Set<String>? = nil, eventTypes: Set<String>? = nil) {
    self.categories = categories
    self.eventTypes = eventTypes
  }

  /// Every event.
  public static let all = LogFilter()

  /// Whether the filter lets everything through.
  public var isEmpty: Bool { categories == nil && eventTypes == nil }
}

/// A page of the log: the events read, and where the next page starts.
public struct LogPage: Sendable, Hashable {
  /// The events, in position order.
  public var events: [RecordedEvent]
  /// The position to read from next. With a filter it can be past the last event returned,
  /// because the events in between were skipped.
  public var nextPosition: LogPosition

  /// `nextPosition` may lie past the last event when a filter skipped the events in between.
  public init(events: [RecordedEvent], nextPosition: LogPosition) {
    self.events = events
    self.nextPosition = nextPosition
  }
}

/// The append-only event log: the only thing the layers above a store see.
///
/// Every store gives the same guarantees, checked by the `EventLogConformance` suite:
/// - an append of a batch to a stream is atomic and checks the expected version; a conflict
///   throws ``EventStoreError/Code/wrongExpectedVersion`` and writes nothing;
/// - appending events whose IDs are already recorded at the same place returns the first
///   append's result and writes nothing;
/// - log positions start at 1, are strictly increasing and have no gaps;
/// - an append to several streams is all or nothing;
/// - an append with no events is a condition (``StreamAppend/condition(_:expectedVersion:)``),
///   checked with the rest of its batch, atomically, and never written.
public protocol EventStore: Sendable {
  /// Appends to several streams in one atomic step, each with its own expected version.
  ///
  /// Either every append happens or none does. Positions follow the order of `appends`.
  /// An append with no events is a condition: checked with the others, nothing written (a
  /// batch of conditions only checks them). A stream may be written by more than one append
  /// of the batch (as when a log is copied, its streams interleaved): each such append is
  /// checked against the version the appends before it leave, so its events follow theirs. A
  /// condition names a stream that no other append of the batch names, or the batch is
  /// refused with ``EventStoreError/Code/invalidArgument``.
  /// - Returns: one result for each append, in order (for a condition, the empty range
  ///   described at ``AppendResult``).
  func append(_ appends: [StreamAppend]) async throws -> [AppendResult]

  /// Reads up to `limit` events of one stream, starting at `version` (included).
  ///
  /// With `version` `nil`, reading forwards starts at the first event and backwards at the
  /// last. A stream that does not exist reads as empty.
  func readStream(
    _ stream: StreamName, from version: StreamVersion?, direction: ReadDirection, limit: Int
  ) async throws -> [RecordedEvent]

  /// Reads up to `limit` events of the whole log that pass `filter`, starting at `position`
  /// (included).
  func readLog(from position: LogPosition, limit: Int, filter: LogFilter)
    async throws -> LogPage

  /// Calls `body` with each of up to `limit` events of the log that pass `filter`, starting at
  /// `position` (included), borrowed from the store without copying; this is how projections
  /// read fast.
  ///
  /// `body` must not keep the ``RecordView`` or its buffers. `body` runs synchronously while
  /// the store holds a read transaction; keep it short.
  /// - Returns: the position to scan from next.
  func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter,
    _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition

  /// The stream's current version, or `nil` when it does not exist.
  func currentVersion(of stream: StreamName) async throws -> StreamVersion?

  /// The position of the log's last event, ``LogPosition/start`` when the log is empty.
  func headPosition() async throws -> LogPosition

  /// Returns once the head is past `position`, or after a store-defined interval, or when the
  /// task is cancelled, whichever comes first. ``follow(from:filter:pageSize:)`` loops on it.
  func waitForAppends(after position: LogPosition) async
}

extension EventStore {
  /// Appends a batch to one stream atomically.
  ///
  /// `events` must not be empty (an empty batch is refused with
  /// ``EventStoreError/Code/invalidArgument``): to check a stream's version without
  /// appending, append a ``StreamAppend/condition(_:expectedVersion:)``.
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/wrongExpectedVersion``
  ///   (carrying the stream, the expected and the actual version) when the stream is not as
  ///   expected; nothing is written then.
  @discardableResult
  public func append(
    _ events: [EventData], to stream: StreamName, expectedVersion: ExpectedVersion
  ) async throws -> AppendResult {
    guard !events.isEmpty else {
      throw EventStoreError(.invalidArgument, "an append needs at least one event", stream: stream)
    }
    return try await append([
      StreamAppend(stream: stream, expectedVersion: expectedVersion, events: events)
    ])[0]
  }

  /// Reads a whole stream, oldest first, in pages of `pageSize`.
  public func readStream(_ stream: StreamName, pageSize: Int = 1000)
    async throws -> [RecordedEvent]
  {
    var all: [RecordedEvent] = []
    var next: StreamVersion? = nil
    while true {
      let page = try await readStream(stream, from: next, direction: .forwards, limit: pageSize)
      all.append(contentsOf: page)
      guard page.count == pageSize, let last = page.last else { return all }
      next = last.version.next
    }
  }

  /// Reads the log from `position` with no filter.
  public func readLog(from position: LogPosition, limit: Int)
    async throws -> LogPage
  {
    try await readLog(from: position, limit: limit, filter: .all)
  }

  /// Follows the log from `position`: the sequence delivers every event already recorded
  /// there and after, then each new one as it is appended (by this process or, for stores
  /// that share a log between processes, another), in order, with no gap and no duplicate.
  ///
  /// The sequence ends when the task iterating it is cancelled.
  public func follow(
    from position: LogPosition = .first, filter: LogFilter = .all, pageSize: Int = 512
  ) -> LogSubscription {
    LogSubscription(store: self, from: position, filter: filter, pageSize: pageSize)
  }
}

extension Array where Element == StreamAppend {
  /// Checks the parts of an append that do not depend on a store's state.
  ///
  /// - Returns: whether a stream is written by more than one of the appends (each is then
  ///   checked against the version the ones before it leave).
  @discardableResult
  package func validate() throws(EventStoreError) -> Bool {
    guard !isEmpty else {
      throw EventStoreError(.invalidArgument, "an append needs at least one stream")
    }
    var repeats = false
    if count > 1 {
      // Whether the stream is named by a condition so far.
      var seen: [StreamName: Bool] = [:]
      seen.reserveCapacity(count)
      for append in self {
        if let condition = seen.updateValue(append.isCondition, forKey: append.stream) {
          guard !condition && !append.isCondition else {
            throw EventStoreError(
              .invalidArgument,
              "a condition names a stream that another append of its batch names",
              stream: append.stream)
          }
          repeats = true
        }
      }
    }
    // Time-ordered IDs usually come in increasing order: then none repeats, and no set is
    // needed to know it.
    var previous: EventID?
    var increasing = true
    scan: for append in self {
      for index in append.events.indices {
        let id = append.events[index].id
        if let last = previous, !(last < id) {
          increasing = false
          break scan
        }
        previous = id
      }
    }
    if increasing { return repeats }
    var ids = Set<EventID>()
    ids.reserveCapacity(reduce(0) { $0 + $1.events.count })
    for append in self {
      for index in append.events.indices where !ids.insert(append.events[index].id).inserted {
        let event = append.events[index]
        throw EventStoreError(
          .duplicateEventID, "an event ID appears twice in one append", stream: append.stream,
          eventType: event.eventType, eventID: event.id)
      }
    }
    return repeats
  }
}

package func checkLimit(_ limit: Int) throws(EventStoreError) {
  guard limit > 0 else {
    throw EventStoreError(.invalidArgument, "a read's limit must be at least 1, not \(limit)")
  }
}
