import EventLog

/// A projection's kept state, answered from for the log's head.
enum KeptState {
  /// `atHead`'s answer from the state of `projection` kept in `store` when it folded every
  /// event up to the head; otherwise, when it is at most `limit` positions behind,
  /// `folding`'s answer from it and the projection's events appended since (in the log's
  /// order); and the head's position. `nil` when no state is kept, when it is too far behind,
  /// when `folding` gives `nil`, or when the state was kept again while the events were read.
  ///
  /// The state's bytes are lent where the store keeps them (`StateStore.withState(_:_:)`):
  /// nothing is written.
  static func answer<P: Projection, Answer>(
    _ projection: P, in store: any EventStore & StateStore, foldingAtMost limit: Int,
    atHead: (UnsafeRawBufferPointer) throws -> Answer,
    folding: (UnsafeRawBufferPointer, [(event: P.Event, stream: StreamName)]) throws -> Answer?
  ) async throws -> (answer: Answer, position: LogPosition)? {
    let key = projection.stateKey
    let head = try await store.headPosition()
    let first = try await store.withState(key) { position, raw -> FirstLook<Answer> in
      guard position == head.rawValue else { return .behind(LogPosition(position)) }
      return .answered(try atHead(raw))
    }
    switch first {
    case nil:
      return nil
    case .answered(let answer):
      return (answer, head)
    case .behind(let kept):
      guard kept < head, head.rawValue - kept.rawValue <= UInt64(max(0, limit)) else { return nil }
      let events = try await newEvents(of: projection, in: store, after: kept, upTo: head)
      let second = try await store.withState(key) { position, raw -> Answer? in
        // Kept again meanwhile: the events read are not the ones it lacks.
        guard position == kept.rawValue else { return nil }
        return try folding(raw, events)
      }
      guard let found = second, let answer = found else { return nil }
      return (answer, head)
    }
  }

  /// What a first look at a kept state gave.
  private enum FirstLook<Answer> {
    case answered(Answer)
    case behind(LogPosition)
  }

  /// The events of `projection` after `kept` up to `head`, with their streams, in order.
  static func newEvents<P: Projection>(
    of projection: P, in store: any EventStore, after kept: LogPosition, upTo head: LogPosition
  ) async throws -> [(event: P.Event, stream: StreamName)] {
    let filter = projection.filter
    let schema = projection.schema
    var events: [(event: P.Event, stream: StreamName)] = []
    var position = kept.next
    while position <= head {
      let limit = Int(min(4096, head.rawValue - position.rawValue + 1))
      let next = try await store.scanLog(from: position, limit: limit, filter: filter) { record in
        guard record.position <= head else { return }
        events.append((try record.decode(with: schema), try record.stream()))
      }
      guard next > position else { break }
      position = next
    }
    return events
  }

  /// What reading the state `projection` kept threw, as the error of a damaged state: code
  /// ``EventStoreError/Code/corruptRecord``, naming the state's key.
  static func damaged<P: Projection>(_ error: any Error, _ projection: P) -> EventStoreError {
    EventStoreError(
      .corruptRecord, "the saved state \(projection.stateKey) does not decode: \(error)")
  }
}
