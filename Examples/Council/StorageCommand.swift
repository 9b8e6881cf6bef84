// `council storage LOG`: where an LMDB log's bytes go.
import ArgumentParser
import EventLog
import EventLogLMDB
import Foundation

struct Storage: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Show where an LMDB log's bytes go: each database's entries and pages, LMDB's free pages, and the parts of the records, in bytes an event.",
    discussion:
      "Reads one snapshot, read-only; safe beside a writer. Pages are LMDB's (usually 4 096 bytes); the file may hold more than the pages in use, which `council compact` gives back."
  )
  @OptionGroup var log: LogPath

  func run() async throws {
    guard !log.isPostgres else {
      throw CommandFailure(
        "storage reads LMDB logs (directories) only; for PostgreSQL ask the server (pg_total_relation_size)"
      )
    }
    try log.checkLMDBLog()
    let store = try LMDBEventStore(path: log.path, options: .init(readOnly: true))
    defer { store.close() }
    print(StorageTable(try store.storageReport()).text)
  }
}

/// A storage report as the command prints it.
struct StorageTable {
  let report: StorageReport

  init(_ report: StorageReport) { self.report = report }

  /// Bytes an event, to one decimal place.
  func perEvent(_ bytes: Int) -> String {
    let events = max(report.records.records, 1)
    return String(format: "%.1f", Double(bytes) / Double(events))
  }

  var text: String {
    let page = report.pageSize
    let parts = report.records
    let current = LMDBEventStore.storageFormat
    var lines = [
      "data.mdb: \(report.fileBytes) bytes; \(report.pagesInUse) pages of \(page) in use (\(perEvent(report.pagesInUse * page)) bytes an event); \(parts.records) events",
      report.storageFormat < current
        ? "storage format \(report.storageFormat): `council upgrade` brings it to format \(current), with a smaller stream index"
        : "storage format \(report.storageFormat)",
      "",
      "what                 entries      pages  bytes an event",
    ]
    func row(_ name: String, _ entries: String, _ pages: Int) {
      lines.append(
        name.padding(toLength: 18, withPad: " ", startingAt: 0)
          + entries.leftPadded(to: 10) + String(pages).leftPadded(to: 11)
          + perEvent(pages * page).leftPadded(to: 16))
    }
    for database in report.databases where database.pages > 0 {
      row(database.name, String(database.entries), database.pages)
    }
    row("free pages", "", report.freePages)
    row("header pages", "", 2)
    lines.append("")
    lines.append(
      "records: \(perEvent(parts.total)) bytes an event: header \(perEvent(parts.header)), stream name \(perEvent(parts.streamName)), metadata \(perEvent(parts.metadata)), payload \(perEvent(parts.payload)), checksum \(perEvent(parts.checksum))"
        + (parts.unreadable > 0 ? ", unreadable \(perEvent(parts.unreadable))" : ""))
    let eventsPages = report.databases.first { $0.name == "events" }?.pages ?? 0
    lines.append(
      "the events database's pages beyond the records' bytes (LMDB's node headers, keys and page slack): \(perEvent(eventsPages * page - parts.total)) bytes an event"
    )
    return lines.joined(separator: "\n")
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
