/// Where an event sits in the log, handed to a projection with the event.
public struct EventContext: Sendable, Hashable {
  /// The event's position in the log.
  public var position: LogPosition
  /// The event's stream.
  public var stream: StreamName
  /// The event's version in its stream.
  public var version: StreamVersion
  /// When the event was recorded.
  public var time: Timestamp

  /// Stores make one per event from its record; tests make their own to drive a projection.
  public init(position: LogPosition, stream: StreamName, version: StreamVersion, time: Timestamp) {
    self.position = position
    self.stream = stream
    self.version = version
    self.time = time
  }
}

/// A fold of recorded events into a read model.
///
/// A projection says which events it reads (the event types of its ``schema``, upcasters'
/// old names included, and optionally ``categories``), so that every other record is skipped
/// without decoding its payload. It is folded three ways that select and apply events alike,
/// so they give the same model at the same position: kept up to date by a
/// ``ProjectionRunner``, updated inside appends as an ``InlineProjection``, or asked on demand
/// with ``state(in:asOf:pageSize:)``. Its state is saved with its checkpoint in one atomic
/// write, so it must have a binary form.
///
/// Change ``version`` whenever ``apply(_:context:to:)`` changes meaning: the runner then
/// rebuilds the new version from the first event beside the old one (see
/// ``ProjectionRunner/rebuildBeside(_:progress:)``).
public protocol Projection: Sendable {
  /// The read model.
  associatedtype State: BinaryCodable & Sendable
  /// The events it reads.
  associatedtype Event: RecordableEvent

  /// A stable name, such as `member-directory`.
  var name: String { get }
  /// The version of the fold's logic.
  var version: Int { get }
  /// How events are decoded; its event types are the only ones the projection reads.
  var schema: EventSchema<Event> { get }
  /// Only events of streams in these categories, or all when `nil`.
  var categories: Set<String>? { get }
  /// The read model before any event.
  var initialState: State { get }

  /// Folds one event into the read model.
  func apply(_ event: Event, context: EventContext, to state: inout State)

  /// Folds events into the read model in the order given, each with the context at the same
  /// index, as ``apply(_:context:to:)`` folds each: what a ``ProjectionRunner`` calls once
  /// for each page of the log it has decoded.
  ///
  /// Leave it to the default, which calls ``apply(_:context:to:)`` for each event. The
  /// default is inlinable, so the module that declares the projection compiles it for the
  /// projection's own types: each event is lent to ``apply(_:context:to:)`` where the page
  /// holds it, where a fold compiled for any projection copies each event and its context.
  ///
  /// - Precondition: `contexts.count == events.count`.
  func apply(contentsOf events: [Event], contexts: [EventContext], to state: inout State)
}

extension Projection {
  /// Calls ``apply(_:context:to:)`` for each event, in order.
  @inlinable
  public func apply(contentsOf events: [Event], contexts: [EventContext], to state: inout State) {
    precondition(contexts.count == events.count, "an event without its context, or the reverse")
    events.withUnsafeBufferPointer { events in
      contexts.withUnsafeBufferPointer { contexts in
        for index in events.indices {
          apply(events[index], context: contexts[index], to: &state)
        }
      }
    }
  }

  /// Version 1.
  public var version: Int { 1 }
  /// Every current event type of `Event`, with no upcasters.
  public var schema: EventSchema<Event> { EventSchema() }
  /// Every category.
  public var categories: Set<String>? { nil }

  /// The filter that lets through exactly the events this projection reads: the event types
  /// of ``schema`` and the ``categories``. The runner hands it to the store; inline
  /// projections and the on-demand fold apply the same selection themselves.
  public var filter: LogFilter {
    LogFilter(categories: categories, eventTypes: schema.eventTypes)
  }

  /// The key its state and checkpoint are saved under: `projection/NAME@VERSION`.
  public var stateKey: String { "projection/\(name)@\(version)" }
}
