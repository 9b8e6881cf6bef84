/// The moment a question about the log is answered as of: now, a log position, or a time.
///
/// Each moment names a *prefix* of the log — never a selection of events from here and there —
/// so that an answer is always the model as it stood at one position, and can be asked for
/// again at that position (see ``Answer``).
///
/// A domain can add its own moments by mapping them to these; the council's
/// `AsOf.endOf(day)`, for instance, is `.time` at the start of the next day.
public enum AsOf: Sendable, Hashable {
  /// The log up to its head when the question is asked (events appended during the fold are
  /// not included).
  case now
  /// The log up to and including this position; a position past the head means the head.
  case position(LogPosition)
  /// The log as it stood at this moment: the longest prefix of the log whose events the store
  /// recorded strictly before it (``RecordView/recordedTime``, stamped by the store at
  /// commit, not the program's ``EventMetadata/time``).
  ///
  /// Recorded times never run backwards along a log, so this is every event recorded before
  /// the moment. In a log written in record format 1, whose records carry only the programs'
  /// times, an event stamped earlier than one before it counts as recorded with that one: the
  /// prefix ends at the first event whose time, or any earlier event's, is at or after the
  /// moment.
  case time(Timestamp)
}

/// An answer together with the log position it reflects, so that the same question asked
/// again as of `.position(answer.position)` gets the same value.
public struct Answer<Value: Sendable>: Sendable {
  /// The projection's state, or what was asked of it, as of ``position``.
  public var value: Value
  /// The position of the last event the answer reflects: the last position of the prefix the
  /// question covered, whether or not that event was one the question reads.
  /// ``LogPosition/start`` when the prefix is empty.
  public var position: LogPosition

  /// `position` is where the question's prefix ended, even when no event read by it is there.
  public init(value: Value, position: LogPosition) {
    self.value = value
    self.position = position
  }
}

extension Answer: Equatable where Value: Equatable {}
extension Answer: Hashable where Value: Hashable {}

extension Projection {
  /// Folds the log from its first event up to `moment` into a fresh read model, on demand:
  /// nothing is saved, and no ``ProjectionRunner`` is needed.
  ///
  /// The events are selected and applied exactly as a ``ProjectionRunner`` and an
  /// ``InlineProjection`` select and apply them (the event types of ``schema``, the
  /// ``categories``), so folding up to a runner's checkpoint gives the runner's model.
  ///
  /// ```swift
  /// let now = try await projection.state(in: store, asOf: .now)
  /// let then = try await projection.state(in: store, asOf: .position(now.position))
  /// assert(then.value == now.value)
  /// ```
  ///
  /// The head is read once, at the start; the fold reads the log in pages of `pageSize`
  /// records, every record (not only those the projection reads: the answer's position and,
  /// for `.time`, the recorded times need them), decoding only the payloads it applies. Its
  /// memory is the model's, whatever the log's length.
  ///
  /// - Parameters:
  ///   - store: The log.
  ///   - moment: Up to where: see ``AsOf``. With `.time`, the fold stops before the first
  ///     event recorded at or after that moment.
  ///   - pageSize: Records read per page (at least 1).
  /// - Returns: The model, and the position of the last event of the prefix folded
  ///   (``LogPosition/start`` for an empty prefix).
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/invalidArgument`` when
  ///   `pageSize` is less than 1; with ``EventStoreError/Code/corruptRecord`` when a record
  ///   up to the moment is damaged, or a payload the projection reads does not decode; what
  ///   the store throws.
  public func state(
    in store: any EventStore, asOf moment: AsOf, pageSize: Int = 2048
  ) async throws -> Answer<State> {
    var state = initialState
    var checkpoint = LogPosition.start
    let limit: LogPosition
    let cutoff: Timestamp?
    switch moment {
    case .now:
      limit = try await store.headPosition()
      cutoff = nil
    case .position(let position):
      limit = min(position, try await store.headPosition())
      cutoff = nil
    case .time(let time):
      limit = try await store.headPosition()
      cutoff = time
    }
    var fold = ProjectionFold(self)
    var next = LogPosition.first
    var stopped = false
    var latest = Timestamp(nanosecondsSince1970: .min)
    while next <= limit && !stopped {
      var last = checkpoint
      // Unfiltered: every record up to the moment is part of the prefix (its position is the
      // answer's) and, with a cutoff, its recorded time decides where the prefix ends.
      let scanned = try await store.scanLog(from: next, limit: pageSize, filter: .all) { record in
        guard record.position <= limit, !stopped else { return }
        if let cutoff {
          // The running maximum: the same as the recorded time in format 2, where it never
          // runs backwards; a prefix in format 1 logs too.
          latest = max(latest, record.recordedTime)
          if latest >= cutoff {
            stopped = true
            return
          }
        }
        last = record.position
        try fold.fold(record, into: &state)
      }
      checkpoint = last
      if scanned == next { break }
      next = scanned
    }
    return Answer(value: state, position: checkpoint)
  }
}
