/// How a projection selects recorded events and folds them into its model: the one way the
/// ``ProjectionRunner``, ``InlineProjection`` and ``Projection/state(in:asOf:pageSize:)`` read
/// the log.
///
/// The selection is the projection's ``Projection/filter`` (the event types of its schema, and
/// its categories), applied either by the store on the record headers (``foldPage(of:from:limit:into:)``:
/// the runner, and an inline projection catching up) or here, record by record, when a scan
/// has to see every record (``fold(_:into:)``: an inline projection inside an append, which
/// moves its checkpoint past every new record, and the on-demand fold, which reads every
/// record's recorded time). Either way a selected record is applied the same way: its payload
/// decoded through a ``RecordDecoder`` (each interned type resolved once), its
/// ``EventContext`` built from the header, and ``Projection/apply(_:context:to:)`` called.
///
/// Make one per run or page, not one per record: it caches per interned type number.
struct ProjectionFold<P: Projection> {
  /// The projection folded.
  let projection: P
  /// What the projection reads, as a store applies it.
  let filter: LogFilter
  private let eventTypes: Set<String>?
  private let categories: Set<String>?
  private var decoder: RecordDecoder<P.Event>
  /// Whether each interned event type number is selected, with its name so that a number
  /// meaning another type is never trusted (as ``RecordDecoder`` does).
  private var typeSelection: [TypeSelection?] = []

  private struct TypeSelection {
    var eventType: String
    var selected: Bool
  }

  /// A fold of `projection`, selecting what its ``Projection/filter`` lets through.
  init(_ projection: P) {
    self.projection = projection
    let schema = projection.schema
    filter = LogFilter(categories: projection.categories, eventTypes: schema.eventTypes)
    eventTypes = filter.eventTypes
    categories = filter.categories
    decoder = RecordDecoder(schema)
  }

  /// Reads up to `limit` records from `position` through the store's filter (so records not
  /// selected are skipped on their headers, their payloads never decoded) and folds each into
  /// `state`.
  ///
  /// - Returns: the position to read from next (the store's answer: every position before it
  ///   was covered, selected or not).
  /// - Throws: what the store throws, or ``EventStoreError`` when a selected record's stream
  ///   or payload does not decode; `state` is then partly folded.
  mutating func foldPage(
    of store: any EventStore, from position: LogPosition, limit: Int, into state: inout P.State
  ) async throws -> LogPosition {
    try await store.scanLog(from: position, limit: limit, filter: filter) { record in
      try apply(record, stream: try record.stream(), to: &state)
    }
  }

  /// Reads up to `limit` records from `position` as ``foldPage(of:from:limit:into:)`` does, and
  /// decodes each selected one with its context, to be applied later (and elsewhere: the
  /// page is `Sendable`), in order, by ``apply(_:to:)``.
  mutating func decodePage(of store: any EventStore, from position: LogPosition, limit: Int)
    async throws -> DecodedPage<P.Event>
  {
    var events: [P.Event] = []
    var contexts: [EventContext] = []
    events.reserveCapacity(limit)
    contexts.reserveCapacity(limit)
    let next = try await store.scanLog(from: position, limit: limit, filter: filter) { record in
      let stream = try record.stream()
      events.append(try decoder.decode(record))
      contexts.append(
        EventContext(
          position: record.position, stream: stream, version: record.version, time: record.time))
    }
    return DecodedPage(events: events, contexts: contexts, from: position, next: next)
  }

  /// Applies a page decoded by ``decodePage(of:from:limit:)`` to `state`, in order.
  func apply(_ page: DecodedPage<P.Event>, to state: inout P.State) {
    projection.apply(contentsOf: page.events, contexts: page.contexts, to: &state)
  }

  /// Folds `record` into `state` when the projection selects it; does nothing otherwise.
  ///
  /// The type is checked first, on the header's interned number; the stream name is decoded
  /// only for a record of a selected type, and the payload only for a selected record.
  ///
  /// - Throws: ``EventStoreError`` when a record of a selected type has a stream name or a
  ///   selected record a payload that does not decode.
  @inline(__always)
  mutating func fold(_ record: RecordView, into state: inout P.State) throws(EventStoreError) {
    guard selectsType(of: record) else { return }
    let stream = try record.stream()
    if let categories, !categories.contains(stream.category) { return }
    try apply(record, stream: stream, to: &state)
  }

  @inline(__always)
  private mutating func apply(
    _ record: RecordView, stream: StreamName, to state: inout P.State
  ) throws(EventStoreError) {
    let event = try decoder.decode(record)
    projection.apply(
      event,
      context: EventContext(
        position: record.position, stream: stream, version: record.version, time: record.time),
      to: &state)
  }

  /// Whether the filter's event types include `record`'s, resolved once per interned number.
  @inline(__always)
  private mutating func selectsType(of record: RecordView) -> Bool {
    guard let eventTypes else { return true }
    let number = Int(record.eventTypeID)
    let eventType = record.eventType
    if number < typeSelection.count, let known = typeSelection[number],
      known.eventType == eventType
    {
      return known.selected
    }
    if number >= typeSelection.count {
      typeSelection.append(
        contentsOf: repeatElement(nil, count: number + 1 - typeSelection.count))
    }
    let selected = eventTypes.contains(eventType)
    typeSelection[number] = TypeSelection(eventType: eventType, selected: selected)
    return selected
  }
}

/// The selected events of a page of the log, decoded, with their contexts: what a rebuild
/// decodes on one task while it applies the page before on another.
struct DecodedPage<Event: Sendable>: Sendable {
  /// The selected events, in position order.
  var events: [Event]
  /// Each event's context, index for index.
  var contexts: [EventContext]
  /// Where the page began.
  var from: LogPosition
  /// Where the next page begins (every position before it was covered, selected or not).
  var next: LogPosition
}
