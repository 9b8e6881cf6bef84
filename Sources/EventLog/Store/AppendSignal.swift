import Synchronization

/// Wakes the tasks that wait for the log's head to move; shared by the stores of this
/// package.
package final class AppendSignal: Sendable {
  private struct Waiter {
    var position: LogPosition
    var continuation: CheckedContinuation<Void, Never>
  }

  private struct State {
    var head: LogPosition
    var waiters: [UInt64: Waiter] = [:]
    // Tokens whose timer or cancellation came before their waiter was registered.
    var expired: Set<UInt64> = []
    var nextToken: UInt64 = 0
  }

  private let state: Mutex<State>

  package init(head: LogPosition) {
    state = Mutex(State(head: head))
  }

  /// Records a new head and wakes every waiter it passes.
  package func publish(head: LogPosition) {
    let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
      guard head > s.head else { return [] }
      s.head = head
      var ready: [CheckedContinuation<Void, Never>] = []
      for (token, waiter) in s.waiters where waiter.position < head {
        ready.append(waiter.continuation)
        s.waiters[token] = nil
      }
      return ready
    }
    for continuation in woken { continuation.resume() }
  }

  private func resume(_ token: UInt64) {
    let waiter = state.withLock { s -> Waiter? in
      if let waiter = s.waiters.removeValue(forKey: token) { return waiter }
      s.expired.insert(token)
      return nil
    }
    waiter?.continuation.resume()
  }

  /// Waits until the head is past `position`, `timeout` has passed, or the task is cancelled.
  package func wait(after position: LogPosition, timeout: Duration?) async {
    let token = state.withLock { s -> UInt64 in
      s.nextToken += 1
      return s.nextToken
    }
    let timer: Task<Void, Never>? = timeout.map { timeout in
      Task { [weak self] in
        try? await Task.sleep(for: timeout)
        self?.resume(token)
      }
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let ready = state.withLock { s -> Bool in
          if s.head > position || s.expired.remove(token) != nil { return true }
          s.waiters[token] = Waiter(position: position, continuation: continuation)
          return false
        }
        if ready { continuation.resume() }
      }
    } onCancel: {
      resume(token)
    }
    timer?.cancel()
    _ = state.withLock { $0.expired.remove(token) }
  }
}
