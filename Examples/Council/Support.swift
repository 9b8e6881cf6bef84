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

/// Checks a log through the public API.
struct LogVerifier {
  let store: any EventStore

  func run() async throws -> [String] {
    var problems: [String] = []
    var expected = LogPosition.first
    var versions: [StreamName: [(StreamVersion, LogPosition)]] = [:]
    var next = LogPosition.first
    while true {
      let page: LogPage
      do {
        page = try await store.readLog(from: next, limit: 2048)
      } catch let error as EventStoreError {
        problems.append(
          "position \(error.position.map(String.init(describing:)) ?? String(describing: next)): \(error)"
        )
        // Past the damaged record (never back: an error naming an earlier position must not
        // make the walk loop), and never past the largest position.
        let damaged = max(next.rawValue, error.position?.rawValue ?? 0)
        guard damaged < UInt64.max else { break }
        next = LogPosition(damaged + 1)
        if next > (try await store.headPosition()) { break }
        continue
      }
      if page.events.isEmpty { break }
      for event in page.events {
        if event.position != expected {
          problems.append("position \(event.position): expected position \(expected) (a gap)")
        }
        expected = event.position.next
        versions[event.stream, default: []].append((event.version, event.position))
        do {
          _ = try CouncilCatalog.decode(event)
        } catch {
          problems.append("position \(event.position): \(error)")
        }
      }
      next = page.nextPosition
    }
    let head = try await store.headPosition()
    if head.rawValue != expected.rawValue - 1 {
      problems.append("head is \(head) but the events end at \(expected.rawValue - 1)")
    }
    for (stream, entries) in versions {
      for (index, entry) in entries.enumerated() where entry.0.rawValue != UInt64(index + 1) {
        problems.append(
          "position \(entry.1): \(stream) has version \(entry.0) where \(index + 1) was expected")
      }
      let indexed = try await store.readStream(stream)
      if indexed.map(\.position) != entries.map(\.1) {
        problems.append(
          "position \(entries.first?.1 ?? .start): the index of \(stream) lists \(indexed.count) events, the log \(entries.count)"
        )
      }
      if try await store.currentVersion(of: stream) != entries.last?.0 {
        problems.append(
          "position \(entries.last?.1 ?? .start): the recorded version of \(stream) is not its last event's"
        )
      }
    }
    return problems.sorted()
  }
}
