import Synchronization

/// Wakes the tasks that wait for the log's head to move; shared by the stores of this
/// package.
package final class AppendSignal: Sendable {
  /// Where one call to `wait` stands. An entry exists from the start of its `wait` to its end
  /// and no longer: a timer or a cancellation that comes later finds no entry and does
  /// nothing, so nothing is left behind per wake-up.
  private enum Entry {
    /// Not parked yet; `expired` once its timer or cancellation came first.
    case pending(expired: Bool)
    /// Parked until the head passes `position`.
    case parked(position: LogPosition, continuation: CheckedContinuation<Void, Never>)
    /// Woken (by the head, its timer or a cancellation); removed when its `wait` returns.
    case done
  }

  private struct State {
    var head: LogPosition
    var entries: [UInt64: Entry] = [:]
    var nextToken: UInt64 = 0
  }

  private let state: Mutex<State>

  package init(head: LogPosition) {
    state = Mutex(State(head: head))
  }

  /// How many calls to `wait` the signal is keeping track of: those in progress, never more.
  package var trackedWaitCount: Int {
    state.withLock { $0.entries.count }
  }

  /// Records a new head and wakes every waiter it passes.
  package func publish(head: LogPosition) {
    let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
      guard head > s.head else { return [] }
      s.head = head
      var ready: [CheckedContinuation<Void, Never>] = []
      for (token, entry) in s.entries {
        if case .parked(let position, let continuation) = entry, position < head {
          ready.append(continuation)
          s.entries[token] = .done
        }
      }
      return ready
    }
    for continuation in woken { continuation.resume() }
  }

  /// Ends the wait of `token` early (its timer ran out or its task was cancelled). Does
  /// nothing once that wait has returned.
  private func expire(_ token: UInt64) {
    let continuation = state.withLock { s -> CheckedContinuation<Void, Never>? in
      switch s.entries[token] {
      case .pending:
        s.entries[token] = .pending(expired: true)
        return nil
      case .parked(_, let continuation):
        s.entries[token] = .done
        return continuation
      case .done, nil:
        return nil
      }
    }
    continuation?.resume()
  }

  /// Waits until the head is past `position`, `timeout` has passed, or the task is cancelled.
  package func wait(after position: LogPosition, timeout: Duration?) async {
    let token = state.withLock { s -> UInt64 in
      s.nextToken += 1
      s.entries[s.nextToken] = .pending(expired: false)
      return s.nextToken
    }
    let timer: Task<Void, Never>? = timeout.map { timeout in
      Task { [weak self] in
        try? await Task.sleep(for: timeout)
        self?.expire(token)
      }
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let ready = state.withLock { s -> Bool in
          if s.head > position || s.entries[token].map(Self.isExpired) == true {
            s.entries[token] = .done
            return true
          }
          s.entries[token] = .parked(position: position, continuation: continuation)
          return false
        }
        if ready { continuation.resume() }
      }
    } onCancel: {
      expire(token)
    }
    timer?.cancel()
    _ = state.withLock { $0.entries.removeValue(forKey: token) }
  }

  private static func isExpired(_ entry: Entry) -> Bool {
    if case .pending(expired: true) = entry { return true }
    return false
  }
}
