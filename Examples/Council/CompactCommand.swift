// `council compact LOG`: rewrites an LMDB log without its free pages.
import ArgumentParser
import EventLog
import EventLogLMDB
import Foundation

struct Compact: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Rewrite an LMDB log without its free pages, so that bytes of deleted or overwritten data leave the file; the log must not be open elsewhere.",
    discussion:
      "Prints the size of data.mdb before and after. The log is replaced in one atomic step: a compaction that fails or is killed leaves it as it was."
  )
  @OptionGroup var log: LogPath

  func run() async throws {
    guard !log.isPostgres else {
      throw CommandFailure(
        "compact works on LMDB logs (directories) only; a PostgreSQL log is compacted by the server (VACUUM FULL)"
      )
    }
    try log.checkLMDBLog()
    let report = try LMDBEventStore.compact(at: log.path)
    print(
      "Compacted \(log.display): \(report.bytesBefore) bytes before, \(report.bytesAfter) bytes after"
    )
  }
}
