import Council
import EventLog
import Foundation

/// A plain-text table with aligned columns.
struct Table {
  let headers: [String]

  init(_ headers: [String]) { self.headers = headers }

  func print(_ rows: [[String]]) {
    var widths = headers.map(\.count)
    for row in rows {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], cell.count)
      }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, cell in
        cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
      }.joined(separator: "  ")
    }
    Swift.print(line(headers))
    Swift.print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    for row in rows { Swift.print(line(row)) }
  }
}

/// A progress bar on a terminal, plain lines otherwise.
final class ProgressBar: @unchecked Sendable {
  let total: UInt64
  let terminal = isatty(STDOUT_FILENO) != 0
  private let lock = NSLock()
  private var lastDecile = -1

  init(total: UInt64) { self.total = total }

  func show(_ done: UInt64, rate: Double) {
    lock.lock()
    defer { lock.unlock() }
    let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
    if terminal {
      let width = 30
      let filled = Int(fraction * Double(width))
      let bar =
        String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
      Swift.print(
        "\r[\(bar)] \(Int(fraction * 100))% \(done)/\(total) events, \(Int(rate)) a second",
        terminator: "")
      fflush(nil)
    } else {
      let decile = Int(fraction * 10)
      if decile > lastDecile {
        lastDecile = decile
        Swift.print("\(decile * 10)%: \(done)/\(total) events, \(Int(rate)) a second")
      }
    }
  }

  func finish() {
    if terminal { Swift.print() }
  }
}

/// Memory figures from /proc/self/status, in KiB.
enum MemoryUsage {
  static func field(_ name: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
      return 0
    }
    for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
      return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
  }

  /// The peak resident set size (VmHWM), map pages included.
  static func peakResidentKilobytes() -> Int { field("VmHWM") }

  /// Resident memory that is not file-backed (RssAnon).
  static func anonymousKilobytes() -> Int { field("RssAnon") }
}
