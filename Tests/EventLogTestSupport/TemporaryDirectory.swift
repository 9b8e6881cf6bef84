import Foundation

/// A directory of its own for one test, removed afterwards (tests run in parallel).
public struct TemporaryDirectory: ~Copyable {
  /// The directory's path.
  public let path: String

  /// Creates the directory, named after `label` (the test's name by default).
  public init(_ label: String = #function) {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("councillog-\(safe)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// A path inside the directory.
  public func appending(_ name: String) -> String { path + "/" + name }

  /// The names of the entries in the directory, hidden ones included, sorted.
  public func entries() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}
