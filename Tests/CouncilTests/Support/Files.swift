import Council
import EventLog
import EventLogTestSupport
import Foundation

/// Writes `lines`, each followed by `ending`, to a new file at `path`.
func writeLines(_ lines: [String], to path: String, ending: String = "\n") throws {
  let text = lines.map { $0 + ending }.joined()
  try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// The exported lines of a simulated council log, with its events.
func exportedLines(seed: UInt64, commands: Int) async throws -> ([String], [RecordedEvent]) {
  let (store, events) = try await simulatedMembershipLog(seed: seed, commands: commands)
  var lines: [String] = []
  try await Interchange.export(store) { lines.append($0) }
  return (lines, events)
}
