import Foundation

/// The stress helper, built beside the test bundle, run as a child process.
struct StressHelper {
  let process = Process()
  private let output = Pipe()

  init(_ arguments: [String]) throws {
    let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.executableURL = bundle.deletingLastPathComponent()
      .appendingPathComponent("EventLogStressHelper")
    process.arguments = arguments
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    try? output.fileHandleForWriting.close()
  }

  /// Kills the child with SIGKILL and waits for it to be gone.
  func kill() {
    Foundation.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Waits for the child to exit and returns its status.
  func wait() -> Int32 {
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// Every complete line the child printed (a line cut off by a kill is left out). Reads to
  /// the end of the output: call once, after the child is gone.
  func lines() -> [String] {
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let text = String(decoding: data, as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if !text.hasSuffix("\n") { lines.removeLast() }
    return lines
  }

  /// Every complete `ack BATCH POSITION VERSION` line the child printed.
  func acknowledgements() -> [(batch: Int, position: UInt64, version: UInt64)] {
    lines().compactMap { line in
      let parts = line.split(separator: " ")
      guard parts.count == 4, parts[0] == "ack", let batch = Int(parts[1]),
        let position = UInt64(parts[2]), let version = UInt64(parts[3])
      else { return nil }
      return (batch, position, version)
    }
  }
}
