// `council upgrade LOG`: brings an LMDB log written by an earlier version to the current
// storage format.
import ArgumentParser
import EventLog
import EventLogLMDB
import Foundation

struct Upgrade: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Bring an LMDB log written by an earlier version to the current storage format (a smaller stream index), and compact it; the log must not be open elsewhere.",
    discussion:
      "A log in an older format opens and works as it is; upgrading only makes it smaller. A log in the current format has its indexes written again in key order, their pages filled whole. Prints the formats and the size of data.mdb before and after. The log is replaced in one atomic step: an upgrade that fails or is killed leaves it as it was. Earlier versions of council cannot open an upgraded log."
  )
  @OptionGroup var log: LogPath

  func run() async throws {
    guard !log.isPostgres else {
      throw CommandFailure("upgrade works on LMDB logs (directories) only")
    }
    try log.checkLMDBLog()
    let report = try LMDBEventStore.upgrade(at: log.path)
    if report.formatBefore == report.formatAfter {
      print(
        "\(log.display) is in storage format \(report.formatAfter) already: its indexes written again in key order and compacted, \(report.bytesBefore) bytes before, \(report.bytesAfter) bytes after"
      )
    } else {
      print(
        "Upgraded \(log.display) from storage format \(report.formatBefore) to \(report.formatAfter) (\(report.streamsNumbered) streams numbered): \(report.bytesBefore) bytes before, \(report.bytesAfter) bytes after"
      )
    }
  }
}
