import Council
import EventLog
import Foundation

/// A directory of its own for one test, removed afterwards (tests run in parallel).
struct TemporaryDirectory: ~Copyable {
  let path: String

  init(_ label: String = #function) {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("council-\(safe)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// A path inside the directory.
  func appending(_ name: String) -> String { path + "/" + name }

  /// The names of the entries in the directory, hidden ones included, sorted.
  func entries() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}

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
