import Council
import EventLog
import Foundation
import Synchronization

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

  /// Gives the memory the allocator holds free back to the system (glibc's `malloc_trim`,
  /// looked up at run time: the C library's module does not declare it), so that
  /// ``anonymousKilobytes()`` counts what is in use; false when there is no such function.
  static func releaseFreeMemory() -> Bool {
    typealias Trim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else {
      return false
    }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
    return true
  }
}

/// The most anonymous (not file-backed) resident memory the process held while it ran,
/// sampled every millisecond from /proc/self/statm on a thread of its own: what a rebuild
/// held beyond the log's mapped pages, at its highest, spikes included.
final class AnonymousMemoryPeak: Sendable {
  private let peakPages = Atomic<Int>(0)
  private let stopped = Atomic<Bool>(false)
  private let done = DispatchSemaphore(value: 0)

  /// Starts sampling.
  init() {
    let thread = Thread { [self] in
      let file = open("/proc/self/statm", O_RDONLY)
      defer {
        if file >= 0 { close(file) }
        done.signal()
      }
      guard file >= 0 else { return }
      var buffer = [UInt8](repeating: 0, count: 128)
      while !stopped.load(ordering: .relaxed) {
        let count = buffer.withUnsafeMutableBytes { pread(file, $0.baseAddress, $0.count, 0) }
        if count > 0 {
          // "size resident shared text lib data dt", in pages: resident less shared is the
          // anonymous part.
          let fields = buffer[..<count].split(separator: UInt8(ascii: " ")).prefix(3).map {
            Int(String(decoding: $0, as: UTF8.self)) ?? 0
          }
          if fields.count == 3 { peakPages.max(fields[1] - fields[2]) }
        }
        usleep(1000)
      }
    }
    thread.start()
  }

  /// Stops sampling; the highest anonymous resident memory seen, in KiB.
  func stop() -> Int {
    stopped.store(true, ordering: .relaxed)
    done.wait()
    return peakPages.load(ordering: .relaxed) * (Int(sysconf(Int32(_SC_PAGESIZE))) / 1024)
  }
}

extension Atomic<Int> {
  /// Raises the value to `value` when it is higher.
  fileprivate func max(_ value: Int) {
    var current = load(ordering: .relaxed)
    while value > current {
      let (exchanged, original) = compareExchange(
        expected: current, desired: value, ordering: .relaxed)
      if exchanged { return }
      current = original
    }
  }
}
