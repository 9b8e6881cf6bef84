import Council
import EventLog
import Foundation

/// A plain-text table with aligned columns.
struct Table {
  let headers: [String]

  init(_ headers: [String]) { self.headers = headers }

  /// Prints the headers, a rule and the rows, each column as wide as its widest cell (in
  /// characters), as one write.
  func print(_ rows: [[String]]) {
    let counts = rows.map { $0.map(\.count) }  // characters, counted once a cell
    var widths = headers.map(\.count)
    for row in counts {
      for (index, count) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], count)
      }
    }
    let spaces = String(repeating: " ", count: widths.max() ?? 0)
    var text = ""
    text.reserveCapacity((widths.reduce(0, +) + 2 * widths.count + 1) * (rows.count + 2))
    func line(_ cells: [String], _ counts: [Int]) {
      for (index, cell) in cells.enumerated() {
        if index > 0 { text += "  " }
        text += cell
        let padding = index < widths.count ? widths[index] - counts[index] : 0
        if padding > 0 { text.append(contentsOf: spaces.prefix(padding)) }
      }
      text += "\n"
    }
    line(headers, headers.map(\.count))
    text += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
    for (row, rowCounts) in zip(rows, counts) { line(row, rowCounts) }
    Swift.print(text, terminator: "")
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
