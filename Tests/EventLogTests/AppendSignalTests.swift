import EventLog
import Testing

@Suite("AppendSignal")
struct AppendSignalTests {
  /// Waits (up to a few seconds) for the signal's cancelled timer tasks to have run, then
  /// returns how many waits it still tracks.
  private func settledCount(_ signal: AppendSignal) async throws -> Int {
    // A cancelled timer task runs its last step a little after its `wait` returned; that
    // step is what used to leave an entry behind, so give every one of them time to run.
    for _ in 0..<50 {
      try await Task.sleep(for: .milliseconds(20))
      if signal.trackedWaitCount == 0 { break }
    }
    try await Task.sleep(for: .milliseconds(200))
    return signal.trackedWaitCount
  }

  @Test func aMillionWakeUpsLeaveNothingBehind() async throws {
    let signal = AppendSignal(head: .start)
    var peak = 0
    for round in 1...1_000_000 {
      signal.publish(head: LogPosition(UInt64(round)))
      await signal.wait(after: LogPosition(UInt64(round - 1)), timeout: .seconds(60))
      if round % 10_000 == 0 {
        peak = max(peak, signal.trackedWaitCount)
        await Task.yield()
      }
    }
    // Only the cancelled timers of the last few waits can still be running.
    #expect(peak < 10_000, "the signal keeps an entry per wake-up: \(peak) entries")
    #expect(try await settledCount(signal) == 0)
  }

  @Test func parkedWaitersWokenByAnotherTaskLeaveNothingBehind() async throws {
    let signal = AppendSignal(head: .start)
    let rounds: UInt64 = 20_000
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        for round in 1...rounds {
          await signal.wait(after: LogPosition(round - 1), timeout: .seconds(60))
        }
      }
      group.addTask {
        for round in 1...rounds {
          signal.publish(head: LogPosition(round))
          if round % 16 == 0 { await Task.yield() }
        }
      }
    }
    #expect(try await settledCount(signal) == 0)
  }

  @Test func waitsThatTimeOutOrAreCancelledLeaveNothingBehind() async throws {
    let signal = AppendSignal(head: .start)
    let clock = ContinuousClock()
    let started = clock.now
    for _ in 0..<200 {
      await signal.wait(after: .start, timeout: .milliseconds(1))
    }
    // Each of those waits ran out its timer: the head never moved.
    #expect(clock.now - started >= .milliseconds(200))
    let cancelled = Task {
      await signal.wait(after: .start, timeout: .seconds(60))
      return Task.isCancelled
    }
    try await Task.sleep(for: .milliseconds(20))
    #expect(signal.trackedWaitCount == 1)
    cancelled.cancel()
    #expect(await cancelled.value)
    #expect(try await settledCount(signal) == 0)
  }
}
