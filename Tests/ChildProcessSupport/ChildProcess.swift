import Foundation
import Synchronization

/// What a child process printed, read while it runs (so that a full pipe never stalls it),
/// by a thread of its own.
public final class LiveOutput: Sendable {
  private struct State {
    var bytes: [UInt8] = []
    var finished = false
  }

  private let state = Mutex(State())

  /// Starts reading `handle` until its end.
  public init(reading handle: FileHandle) {
    Thread.detachNewThread { [self] in
      let descriptor = handle.fileDescriptor
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
          state.withLock { $0.bytes += buffer[0..<count] }
        } else if count < 0 && errno == EINTR {
          continue
        } else {
          break
        }
      }
      state.withLock { $0.finished = true }
      // The handle is closed here, once, after the last read.
      try? handle.close()
    }
  }

  /// Whether the child's output has ended (it exited or was killed, and every byte is read).
  public var finished: Bool { state.withLock { $0.finished } }

  /// Every complete line read so far (a line still being written, or cut off by a kill, is
  /// left out).
  public var lines: [String] {
    let bytes = state.withLock { $0.bytes }
    let text = String(decoding: bytes, as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // What follows the last newline is a line still being written, or nothing.
    lines.removeLast()
    return lines
  }
}

/// One `ack` line of the stress helper's `append-concurrent` command.
public struct ConcurrentAcknowledgement: Hashable {
  public var writer: Int
  public var batch: UInt64
  public var position: UInt64
  public var version: UInt64
}

/// One appender's batch: what `submit` and `ack` lines of `append-concurrent` name.
public struct WriterBatch: Hashable {
  public var writer: Int
  public var batch: UInt64

  /// Names one appender's batch.
  public init(writer: Int, batch: UInt64) {
    self.writer = writer
    self.batch = batch
  }
}

/// A stress helper (an executable of this package, built beside the test bundle), run as a
/// child process whose output is read while it runs.
public struct StressHelper {
  /// The child process.
  public let process = Process()
  private let output = Pipe()
  private let errorOutput = Pipe()
  /// What the child printed so far.
  public let live: LiveOutput
  /// What the child wrote to its standard error so far.
  public let errors: LiveOutput

  /// Starts `executable` (`EventLogStressHelper` unless named) with `arguments`.
  public init(_ arguments: [String], executable: String = "EventLogStressHelper") throws {
    let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.executableURL = bundle.deletingLastPathComponent()
      .appendingPathComponent(executable)
    process.arguments = arguments
    process.standardOutput = output
    process.standardError = errorOutput
    try process.run()
    try? output.fileHandleForWriting.close()
    try? errorOutput.fileHandleForWriting.close()
    live = LiveOutput(reading: output.fileHandleForReading)
    errors = LiveOutput(reading: errorOutput.fileHandleForReading)
  }

  /// Kills the child with SIGKILL and waits for it to be gone.
  public func kill() async {
    Foundation.kill(process.processIdentifier, SIGKILL)
    _ = await wait()
  }

  /// Waits for the child to exit and returns its status. Polls, so that no thread of the
  /// test's pool is blocked meanwhile (a blocked pool would stall the tasks that run beside
  /// the child, a follower say).
  public func wait() async -> Int32 {
    while process.isRunning {
      try? await Task.sleep(for: .milliseconds(2))
    }
    return process.terminationStatus
  }

  /// Waits (polling every millisecond, at most `timeout`) until the lines read so far satisfy
  /// `condition`; returns whether they did.
  public func waitForLines(timeout: Duration, _ condition: ([String]) -> Bool) async throws -> Bool
  {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if condition(live.lines) { return true }
      if live.finished { return condition(live.lines) }
      try await Task.sleep(for: .milliseconds(1))
    }
    return condition(live.lines)
  }

  /// Every complete line the child printed (a line cut off by a kill is left out). Waits for
  /// the end of the output: call after the child is gone.
  public func lines() async -> [String] {
    while !live.finished {
      try? await Task.sleep(for: .milliseconds(1))
    }
    return live.lines
  }

  /// Every complete `ack BATCH POSITION VERSION [TIME]` line the child printed (of the
  /// `append` command).
  public func acknowledgements() async -> [(batch: Int, position: UInt64, version: UInt64)] {
    await timedAcknowledgements().map { ($0.batch, $0.position, $0.version) }
  }

  /// Every complete `ack BATCH POSITION VERSION TIME` line the child printed, with the
  /// child's CLOCK_MONOTONIC time of each.
  public func timedAcknowledgements() async -> [(
    batch: Int, position: UInt64, version: UInt64, time: UInt64
  )] {
    await lines().compactMap { line in
      let parts = line.split(separator: " ")
      guard parts.count == 4 || parts.count == 5, parts[0] == "ack", let batch = Int(parts[1]),
        let position = UInt64(parts[2]), let version = UInt64(parts[3])
      else { return nil }
      return (batch, position, version, parts.count == 5 ? UInt64(parts[4]) ?? 0 : 0)
    }
  }

  /// The `ack W BATCH POSITION VERSION` lines of `append-concurrent` among `lines`.
  public static func concurrentAcknowledgements(_ lines: [String]) -> [ConcurrentAcknowledgement] {
    lines.compactMap { line in
      let parts = line.split(separator: " ")
      guard parts.count == 5, parts[0] == "ack", let writer = Int(parts[1]),
        let batch = UInt64(parts[2]), let position = UInt64(parts[3]),
        let version = UInt64(parts[4])
      else { return nil }
      return ConcurrentAcknowledgement(
        writer: writer, batch: batch, position: position, version: version)
    }
  }

  /// The `submit W BATCH` lines of `append-concurrent` among `lines`.
  public static func submissions(_ lines: [String]) -> Set<WriterBatch> {
    Set(
      lines.compactMap { line in
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[0] == "submit", let writer = Int(parts[1]),
          let batch = UInt64(parts[2])
        else { return nil }
        return WriterBatch(writer: writer, batch: batch)
      })
  }
}

/// CLOCK_MONOTONIC in nanoseconds: the clock the stress helper stamps its acknowledgements
/// with (one clock for every process of the machine).
public func monotonicNanoseconds() -> UInt64 {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
