import Foundation

/// A directory of its own for one test, removed afterwards (tests run in parallel).
struct TemporaryDirectory: ~Copyable {
  let path: String

  init(_ label: String = #function) {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("councillog-\(safe)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// A path inside the directory.
  func appending(_ name: String) -> String { path + "/" + name }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}
