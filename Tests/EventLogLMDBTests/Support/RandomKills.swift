import ChildProcessSupport
import Foundation
import Testing

/// Runs the stress helper and kills it with SIGKILL at a random moment of its run, learning
/// how long a run takes: the tests that check that a step of the store survives being killed
/// anywhere.
struct RandomKills {
  /// The longest wait before a kill, in microseconds.
  private(set) var window: Int

  /// Times one whole run of the helper with `arguments`, which must succeed.
  init(timing arguments: [String]) async throws {
    let start = ContinuousClock.now
    let whole = try StressHelper(arguments)
    #expect(await whole.wait() == 0, "\(whole.errors.lines)")
    let run = ContinuousClock.now - start
    window = max(
      1000,
      Int(run.components.seconds * 1_000_000)
        + Int(run.components.attoseconds / 1_000_000_000_000))
  }

  /// Runs the helper with `arguments` and kills it after a random wait within the window;
  /// returns whether it finished first (printed a line starting with `finished`). A kill
  /// after the end shortens the next window (a loaded machine runs the first child slower
  /// than later ones); one within the run lengthens it a little.
  mutating func run(_ arguments: [String], finishedWhen finished: String) async throws -> Bool {
    let child = try StressHelper(arguments)
    // Killed from a queue of its own: a task's sleep may end long after its time while the
    // other tests keep the cooperative threads busy.
    let pid = child.process.processIdentifier
    DispatchQueue(label: "random-kills").asyncAfter(
      deadline: .now() + .microseconds(Int.random(in: 0..<window))
    ) { _ = kill(pid, SIGKILL) }
    _ = await child.wait()
    let done = await child.lines().contains { $0.hasPrefix(finished) }
    window = done ? max(1000, window / 2) : window + window / 4
    return done
  }
}
