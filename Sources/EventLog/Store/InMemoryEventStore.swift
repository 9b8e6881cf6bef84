import Synchronization

/// An event store that keeps the log in memory: for tests, examples and small tools.
///
/// It gives every guarantee of ``EventStore`` within one process, and keeps records in the
/// same binary ``RecordFormat`` as the LMDB store, so that what works against one works
/// against the other. Nothing survives the process.
public final class InMemoryEventStore: InlineProjectionHost {
  struct State {
    var records: [[UInt8]] = []
    var streams: [StreamName: [LogPosition]] = [:]
    var ids: [EventID: LogPosition] = [:]
    var types = NameTable()
    var categories = NameTable()
    var states: [String: StoredState] = [:]
    var inlines: [any InlineUpdater] = []
  }

  private let state = Mutex(State())
  private let signal = AppendSignal(head: .start)
  /// The clock that stamps each event's recorded time at commit.
  public let clock: EventClock
  /// Where the data keys of the log's personal data are kept: in memory, like the log.
  public let dataKeys = InMemoryDataKeyStore()

  /// Creates an empty store whose recorded times come from `clock` (the system clock unless
  /// a test or a deterministic simulation injects another).
  public init(clock: EventClock = .system) {
    self.clock = clock
  }

  /// Appends to several streams in one atomic step; see ``EventStore/append(_:)``.
  ///
  /// Costs O(batch): the log is changed in place, and a refused append is undone.
  public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
    let now = clock.now()
    let (results, head, staged) = try state.withLock { state throws(EventStoreError) in
      // Move the state into the transaction (no copy: it stays uniquely referenced), and
      // back whatever happens.
      var transaction = Transaction(state: State())
      swap(&transaction.state, &state)
      defer { swap(&transaction.state, &state) }
      do throws(EventStoreError) {
        let outcome = try transaction.perform(appends, now: now)
        let staged = try transaction.stageInlines()
        return (outcome.results, outcome.head, staged)
      } catch {
        transaction.rollBack()
        throw error
      }
    }
    for (inline, model) in staged { inline.publish(model) }
    signal.publish(head: head)
    return results
  }

  /// The address of the records' storage, for tests that an append changes the log in place
  /// rather than copying it.
  package var recordsStorageAddress: UInt {
    state.withLock { state in
      state.records.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    }
  }

  /// Loads the projection's saved model, catches it up, and from then on updates it under the
  /// same lock as every append; see ``InlineProjectionHost/register(_:)``.
  public func register<P: Projection>(_ inline: InlineProjection<P>) async throws {
    try await inline.prepare(self)
    state.withLock { $0.inlines.append(inline) }
  }

  private struct Transaction: AppendTransaction {
    var state: State
    /// What this transaction wrote, to undo it if a later check fails.
    private var written: [(id: EventID, stream: StreamName)] = []
    private var savedStates: [String: StoredState?] = [:]

    init(state: State) { self.state = state }

    func head() -> LogPosition { LogPosition(UInt64(state.records.count)) }

    func lastRecordedTime() throws(EventStoreError) -> Timestamp? {
      guard let last = state.records.last else { return nil }
      let position = head()
      return try last.withTypedUnsafeBytes { raw throws(EventStoreError) in
        try RecordView(position: position, bytes: raw, types: state.types).recordedTime
      }
    }

    /// Undoes every write of this transaction.
    mutating func rollBack() {
      for (id, stream) in written.reversed() {
        state.records.removeLast()
        state.ids[id] = nil
        state.streams[stream]?.removeLast()
        if state.streams[stream]?.isEmpty == true { state.streams[stream] = nil }
      }
      written.removeAll()
      for (key, value) in savedStates { state.states[key] = value }
      savedStates.removeAll()
    }

    func currentVersion(of stream: StreamName) -> StreamVersion? {
      state.streams[stream].map { StreamVersion(UInt64($0.count)) }
    }

    func position(of id: EventID) -> LogPosition? { state.ids[id] }

    func streamAndVersion(at position: LogPosition) throws(EventStoreError)
      -> (StreamName, StreamVersion)
    {
      try state.records[Int(position.rawValue) - 1].withTypedUnsafeBytes {
        raw throws(EventStoreError) in
        let view = try RecordView(position: position, bytes: raw, types: state.types)
        return (try view.stream(), view.version)
      }
    }

    mutating func internNames(eventType: String, category: String) -> (
      type: UInt32, category: UInt32
    ) {
      (state.types.intern(eventType).number, state.categories.intern(category).number)
    }

    mutating func write(
      record: [UInt8], at position: LogPosition, stream: StreamName, version: StreamVersion,
      id: EventID
    ) throws(EventStoreError) {
      guard state.ids[id] == nil else {
        throw EventStoreError(
          .duplicateEventID, "the event is recorded already, in another batch", stream: stream,
          eventID: id)
      }
      state.records.append(record)
      state.streams[stream, default: []].append(position)
      state.ids[id] = position
      written.append((id, stream))
    }

    mutating func recordBatch(
      of stream: StreamName, first: StreamVersion, last: StreamVersion,
      at firstPosition: LogPosition
    ) {}

    /// Folds the new records into every inline projection and saves each model with its
    /// checkpoint, inside the append's critical section.
    mutating func stageInlines() throws(EventStoreError) -> [(any InlineUpdater, StagedInline)] {
      var staged: [(any InlineUpdater, StagedInline)] = []
      for inline in state.inlines {
        let records = state.records
        let types = state.types
        let model: StagedInline
        do {
          model = try inline.stage(after: nil) { from, body in
            var index = Int(from.rawValue) - 1
            while index < records.count {
              try records[index].withUnsafeBytes { raw in
                try body(
                  RecordView(position: LogPosition(UInt64(index + 1)), bytes: raw, types: types))
              }
              index += 1
            }
          }
        } catch let error as EventStoreError {
          throw error
        } catch {
          throw EventStoreError(
            .corruptRecord, "inline projection \(inline.stateKey) failed: \(error)")
        }
        if savedStates[inline.stateKey] == nil {
          savedStates[inline.stateKey] = .some(state.states[inline.stateKey])
        }
        state.states[inline.stateKey] = StoredState(
          position: model.checkpoint.rawValue, bytes: model.bytes)
        staged.append((inline, model))
      }
      return staged
    }
  }

  /// Reads one stream in pages; see ``EventStore/readStream(_:from:direction:limit:)``.
  public func readStream(
    _ stream: StreamName, from version: StreamVersion?, direction: ReadDirection, limit: Int
  ) async throws -> [RecordedEvent] {
    try checkLimit(limit)
    return try state.withLock { state throws(EventStoreError) in
      guard let positions = state.streams[stream], !positions.isEmpty else { return [] }
      let indexes: [Int]
      switch direction {
      case .forwards:
        let start = Int(version?.rawValue ?? 1) - 1
        guard start < positions.count else { return [] }
        indexes = Array(
          Swift.max(0, start)..<Swift.min(positions.count, Swift.max(0, start) + limit))
      case .backwards:
        let start = Swift.min(Int(clamping: version?.rawValue ?? UInt64.max), positions.count) - 1
        guard start >= 0 else { return [] }
        indexes = Array(stride(from: start, to: Swift.max(-1, start - limit), by: -1))
      }
      return try indexes.map { index throws(EventStoreError) in
        let position = positions[index]
        return try state.records[Int(position.rawValue) - 1].withTypedUnsafeBytes {
          raw throws(EventStoreError) in
          try RecordView(position: position, bytes: raw, types: state.types).recordedEvent()
        }
      }
    }
  }

  /// Reads the log in pages; see ``EventStore/readLog(from:limit:filter:)``.
  public func readLog(from position: LogPosition, limit: Int, filter: LogFilter)
    async throws -> LogPage
  {
    var events: [RecordedEvent] = []
    let next: LogPosition
    do {
      next = try await scanLog(from: position, limit: limit, filter: filter) { view in
        events.append(try view.recordedEvent())
      }
    } catch let error as EventStoreError {
      throw error
    } catch {
      preconditionFailure("unreachable: the body throws only EventStoreError")
    }
    return LogPage(events: events, nextPosition: next)
  }

  /// Calls `body` with borrowed records; see ``EventStore/scanLog(from:limit:filter:_:)``.
  public func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    try checkLimit(limit)
    return try state.withLock { state in
      let compiled = CompiledFilter(filter, types: state.types, categories: state.categories)
      var index = Int(Swift.max(position, .first).rawValue) - 1
      var delivered = 0
      while index < state.records.count, delivered < limit {
        try state.records[index].withUnsafeBytes { raw in
          if compiled.matches(raw) {
            delivered += 1
            try body(
              RecordView(position: LogPosition(UInt64(index + 1)), bytes: raw, types: state.types))
          }
        }
        index += 1
      }
      return LogPosition(UInt64(index + 1))
    }
  }

  /// The stream's current version; see ``EventStore/currentVersion(of:)``.
  public func currentVersion(of stream: StreamName) async -> StreamVersion? {
    state.withLock { $0.streams[stream].map { StreamVersion(UInt64($0.count)) } }
  }

  /// The log's head; see ``EventStore/headPosition()``.
  public func headPosition() async -> LogPosition {
    state.withLock { LogPosition(UInt64($0.records.count)) }
  }

  /// Returns once the head passes `position` (appends wake it at once) or after a second.
  public func waitForAppends(after position: LogPosition) async {
    await signal.wait(after: position, timeout: .seconds(1))
  }

  /// The state saved under `key`; see ``StateStore/loadState(_:)``.
  public func loadState(_ key: String) async -> StoredState? {
    state.withLock { $0.states[key] }
  }

  /// Saves a state; see ``StateStore/saveState(_:for:)``.
  public func saveState(_ stored: StoredState, for key: String) async {
    state.withLock { $0.states[key] = stored }
  }

  /// Removes a state; see ``StateStore/deleteState(_:)``.
  public func deleteState(_ key: String) async {
    _ = state.withLock { $0.states.removeValue(forKey: key) }
  }
}
