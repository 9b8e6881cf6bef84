import EventLog

/// A moment to answer a question as of: now, a log position, or the end of a day.
public enum AsOf: Sendable, Hashable {
  /// Everything recorded so far.
  case now
  /// Everything up to and including this log position.
  case position(LogPosition)
  /// The log as it stood at the end of this day (UTC): the longest prefix of the log whose
  /// events the store recorded by then (``RecordView/recordedTime``). Recorded times never
  /// run backwards along a log, so this is every event recorded on or before the day. (In a
  /// log written in format 1, whose records carry only the programs' times, an event stamped
  /// earlier than one before it counts as recorded with that one.)
  case endOf(Day)
}

/// An answer together with the log position it was computed at, so that the same question
/// asked again (`.position(answer.position)`) gets the same figures.
public struct Answer<Value: Sendable>: Sendable {
  /// The answer.
  public var value: Value
  /// The position of the last event the answer reflects.
  public var position: LogPosition

  /// Creates an answer.
  public init(value: Value, position: LogPosition) {
    self.value = value
    self.position = position
  }
}

extension Answer: Equatable where Value: Equatable {}

extension Projection {
  /// Folds the log from its first event up to `moment` into a fresh read model, in pages.
  ///
  /// With `.endOf(day)`, the fold stops before the first event recorded after that day: the
  /// log as it stood then (see ``AsOf/endOf(_:)``). The answer carries the position it
  /// reflects.
  public func state(
    in store: any EventStore, asOf moment: AsOf, pageSize: Int = 2048
  ) async throws -> Answer<State> {
    var state = initialState
    var checkpoint = LogPosition.start
    let limit: LogPosition
    switch moment {
    case .now, .endOf: limit = try await store.headPosition()
    case .position(let position): limit = min(position, try await store.headPosition())
    }
    let cutoff: Timestamp? = {
      if case .endOf(let day) = moment { return day.adding(days: 1).start }
      return nil
    }()
    let schema = self.schema
    var next = LogPosition.first
    var stopped = false
    var latest = Timestamp(nanosecondsSince1970: .min)
    while next <= limit && !stopped {
      var last = checkpoint
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
        guard schema.handles(record.eventType) else { return }
        let stream = try record.stream()
        if let categories, !categories.contains(stream.category) { return }
        let event = try record.decode(with: schema)
        apply(
          event,
          context: EventContext(
            position: record.position, stream: stream, version: record.version, time: record.time),
          to: &state)
      }
      checkpoint = last
      if scanned == next { break }
      next = scanned
    }
    return Answer(value: state, position: checkpoint)
  }
}
