/// The log followed from a position: caught up first, then live. Made by
/// ``EventStore/follow(from:filter:pageSize:)``.
///
/// Iterating reads the log in pages; when it reaches the head it waits for appends. It
/// delivers each event once, in position order, and ends (returns `nil`) when the iterating
/// task is cancelled.
public struct LogSubscription: AsyncSequence, Sendable {
  /// Each event of the log, owned.
  public typealias Element = RecordedEvent
  /// A store read failed (an ``EventStoreError``).
  public typealias Failure = any Error

  let store: any EventStore
  let start: LogPosition
  let filter: LogFilter
  let pageSize: Int

  init(store: any EventStore, from start: LogPosition, filter: LogFilter, pageSize: Int) {
    self.store = store
    self.start = Swift.max(start, .first)
    self.filter = filter
    self.pageSize = Swift.max(1, pageSize)
  }

  /// Makes an iterator that starts at the subscription's first position.
  public func makeAsyncIterator() -> Iterator {
    Iterator(subscription: self, next: start)
  }

  /// Reads pages and waits for appends.
  public struct Iterator: AsyncIteratorProtocol {
    let subscription: LogSubscription
    var next: LogPosition
    var buffer: [RecordedEvent] = []
    var index = 0

    /// The next event, or `nil` once the task is cancelled.
    public mutating func next(isolation actor: isolated (any Actor)?) async throws
      -> RecordedEvent?
    {
      while true {
        if index < buffer.count {
          defer { index += 1 }
          return buffer[index]
        }
        if Task.isCancelled { return nil }
        let page = try await subscription.store.readLog(
          from: next, limit: subscription.pageSize, filter: subscription.filter)
        buffer = page.events
        index = 0
        let previous = next
        next = page.nextPosition
        if buffer.isEmpty {
          // Caught up: everything before `next` has been seen.
          let seen = LogPosition(Swift.max(previous.rawValue, next.rawValue) - 1)
          await subscription.store.waitForAppends(after: seen)
        }
      }
    }

    /// The next event, or `nil` once the task is cancelled.
    public mutating func next() async throws -> RecordedEvent? {
      try await next(isolation: nil)
    }
  }
}
