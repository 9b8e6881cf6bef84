import Synchronization

/// A projection updated inside the append's own atomic step, so that a caller reads its own
/// write as soon as the append returns.
///
/// Register it with a store that hosts inline projections (``InlineProjectionHost``; both
/// stores of this package do). From then on, every append folds the new events into the
/// model and saves the model with its checkpoint in the same write transaction (LMDB) or
/// under the same lock (memory): the append and the model change together or not at all.
///
/// It selects and applies events as a ``ProjectionRunner`` and
/// ``Projection/state(in:asOf:pageSize:)`` do, so its model at its checkpoint is theirs at
/// that position. Keep inline projections small and fast: they run on the write path.
/// Everything else belongs in a ``ProjectionRunner``.
public final class InlineProjection<P: Projection>: Sendable {
  /// The projection folded inline.
  public let projection: P
  private let published: Mutex<(state: P.State, checkpoint: LogPosition)>

  /// Creates an inline projection with an empty model; registering it loads the saved one.
  public init(_ projection: P) {
    self.projection = projection
    published = Mutex((projection.initialState, .start))
  }

  /// The read model as of ``checkpoint``.
  public var state: P.State { published.withLock { $0.state } }

  /// The position of the last event folded in.
  public var checkpoint: LogPosition { published.withLock { $0.checkpoint } }

  /// Calls `body` with the read model and the position it was computed at, consistently.
  public func read<T>(_ body: (P.State, LogPosition) throws -> T) rethrows -> T {
    let (state, checkpoint) = published.withLock { ($0.state, $0.checkpoint) }
    return try body(state, checkpoint)
  }

  /// Loads the saved model and catches it up to the head, before the host adds it to its
  /// write path.
  package func prepare(_ store: any EventStore & StateStore) async throws {
    if let stored = try await store.loadState(projection.stateKey) {
      let state = try ProjectionRunner<P>.decodeState(stored.bytes, key: projection.stateKey)
      published.withLock { $0 = (state, LogPosition(stored.position)) }
    }
    var fold = ProjectionFold(projection)
    while true {
      var (state, checkpoint) = published.withLock { ($0.state, $0.checkpoint) }
      let next = try await fold.foldPage(
        of: store, from: checkpoint.next, limit: 1024, into: &state)
      if next.rawValue <= checkpoint.next.rawValue { break }
      checkpoint = LogPosition(next.rawValue - 1)
      published.withLock { $0 = (state, checkpoint) }
    }
  }
}

/// A store that can fold ``InlineProjection``s into its appends.
public protocol InlineProjectionHost: EventStore, StateStore {
  /// Loads the projection's saved model, catches it up, and from then on updates it inside
  /// every append's atomic step.
  func register<P: Projection>(_ inline: InlineProjection<P>) async throws
}

/// What a store's write path calls on an inline projection, whatever its type.
package protocol InlineUpdater: AnyObject, Sendable {
  /// The key its state is saved under.
  var stateKey: String { get }

  /// Folds the records after the checkpoint (that of `previous` if given, else the published
  /// one) into a staged model. `scan` calls its body with each record from a position on, in
  /// order, as the append's transaction sees them. Nothing is published.
  func stage(
    after previous: StagedInline?,
    scan: (LogPosition, (RecordView) throws -> Void) throws -> Void
  ) throws -> StagedInline

  /// Makes a staged model the one readers see (after the append committed).
  func publish(_ staged: StagedInline)
}

/// An inline projection's model folded inside an append that has not committed yet.
package struct StagedInline: @unchecked Sendable {
  /// The model (of the projection's state type).
  package let state: Any
  /// The position of the last event folded in.
  package let checkpoint: LogPosition
  /// The model's binary form, to save with the checkpoint.
  package let bytes: [UInt8]
}

extension InlineProjection: InlineUpdater {
  package var stateKey: String { projection.stateKey }

  package func stage(
    after previous: StagedInline?,
    scan: (LogPosition, (RecordView) throws -> Void) throws -> Void
  ) throws -> StagedInline {
    // `previous` is what this projection staged earlier in the same group (its own state type).
    var (state, checkpoint) =
      previous.flatMap { staged in (staged.state as? P.State).map { ($0, staged.checkpoint) } }
      ?? published.withLock { ($0.state, $0.checkpoint) }
    // Every new record moves the checkpoint; the fold selects those the projection reads.
    var fold = ProjectionFold(projection)
    try scan(checkpoint.next) { record in
      checkpoint = record.position
      try fold.fold(record, into: &state)
    }
    var writer = BinaryWriter(capacity: 1024)
    state.encode(to: &writer)
    return StagedInline(state: state, checkpoint: checkpoint, bytes: writer.bytes)
  }

  package func publish(_ staged: StagedInline) {
    guard let state = staged.state as? P.State else { return }
    published.withLock { current in
      if staged.checkpoint >= current.checkpoint { current = (state, staged.checkpoint) }
    }
  }
}
