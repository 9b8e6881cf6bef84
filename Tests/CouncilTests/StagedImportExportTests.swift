import EventLog
import EventLogTestSupport
import Foundation
import Synchronization
import Testing

@testable import Council

@Suite("Line reader")
struct LineReaderTests {
  @Test(arguments: [1, 2, 3, 7, 65_536])
  func splitsOnNewlinesDropsCarriageReturnsAndKeepsALastLineWithoutNewline(chunk: Int) throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("lines.txt")
    try Data("a\r\nbb\n\nccc\r\n\r\nlast".utf8).write(to: URL(fileURLWithPath: path))
    let reader = try LineReader(path: path, chunkSize: chunk)
    var lines: [String] = []
    var numbers: [Int] = []
    while let line = try reader.next() {
      lines.append(String(decoding: line, as: UTF8.self))
      numbers.append(reader.lineNumber)
    }
    #expect(lines == ["a", "bb", "", "ccc", "", "last"])
    #expect(numbers == [1, 2, 3, 4, 5, 6])
    #expect(try reader.next() == nil)
  }

  @Test func aFinalNewlineDoesNotMakeAnEmptyLine() throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("lines.txt")
    try Data("one\ntwo\n".utf8).write(to: URL(fileURLWithPath: path))
    let reader = try LineReader(path: path, chunkSize: 4)
    #expect(try reader.next() == Array("one".utf8))
    #expect(try reader.next() == Array("two".utf8))
    #expect(try reader.next() == nil)
  }

  @Test func aMissingFileOrADirectoryIsOneError() throws {
    let directory = TemporaryDirectory()
    let missing = #expect(throws: Interchange.ImportError.self) {
      try LineReader(path: directory.appending("none.jsonl"))
    }
    #expect(
      missing?.description
        == "cannot read \(directory.appending("none.jsonl")): No such file or directory")
    let folder = #expect(throws: Interchange.ImportError.self) {
      try LineReader(path: directory.path)
    }
    #expect(folder?.description == "\(directory.path) is a directory, not a file")
  }
}

/// What an import's `open` and `close` saw.
final class StoreOpenings {
  var staging: [String] = []
  var targetExistedWhileBuilding: [Bool] = []
  var stores: [InMemoryEventStore] = []
  var closed = 0
}

/// Imports `file` into a new log at `target` with in-memory stores that leave a marker file in
/// the directory they are opened in.
func importWithMarkers(_ file: String, into target: String, _ seen: StoreOpenings) async throws
  -> Int
{
  try await Interchange.importFile(
    file, intoNewLog: target,
    open: { staging in
      seen.staging.append(staging)
      seen.targetExistedWhileBuilding.append(FileManager.default.fileExists(atPath: target))
      try Data("log".utf8).write(to: URL(fileURLWithPath: staging + "/data.mdb"))
      let store = InMemoryEventStore()
      seen.stores.append(store)
      return store
    },
    close: { _ in seen.closed += 1 })
}

@Suite("Import into a new log, all or nothing")
struct StagedImportTests {
  @Test(arguments: ["\n", "\r\n"])
  func theLogIsBuiltBesideTheTargetAndMovedIntoPlace(ending: String) async throws {
    let (lines, events) = try await exportedLines(seed: 31, commands: 300)
    let directory = TemporaryDirectory()
    let file = directory.appending("log.jsonl")
    try writeLines(lines, to: file, ending: ending)
    let target = directory.appending("log")
    let seen = StoreOpenings()
    let count = try await importWithMarkers(file, into: target, seen)
    #expect(count == events.count)
    let staging = try #require(seen.staging.first)
    #expect(
      staging.hasPrefix(directory.appending(".log.importing-\(getpid())-")),
      "the staging directory is beside the target")
    #expect(seen.targetExistedWhileBuilding == [false])
    #expect(seen.closed == 1)
    #expect(directory.entries() == ["log", "log.jsonl"])
    #expect(FileManager.default.fileExists(atPath: target + "/data.mdb"))
    let store = try #require(seen.stores.first)
    #expect(try await store.readLog(from: .first, limit: 1_000_000).events == events)
  }

  @Test(arguments: [0, 1, 150])
  func aBadLineLeavesNothingAtTheTarget(index: Int) async throws {
    let (lines, _) = try await exportedLines(seed: 32, commands: 300)
    var broken = lines
    broken[min(index, broken.count - 1)] = "{\"data\":null}"
    let directory = TemporaryDirectory()
    let file = directory.appending("log.jsonl")
    try writeLines(broken, to: file)
    let target = directory.appending("log")
    let seen = StoreOpenings()
    let error = await #expect(throws: Interchange.ImportError.self) {
      try await importWithMarkers(file, into: target, seen)
    }
    #expect(error?.line == min(index, broken.count - 1) + 1)
    #expect(seen.closed == 1, "the store is closed before its directory is removed")
    #expect(directory.entries() == ["log.jsonl"], "no log and no staging directory")
  }

  @Test func aTargetThatHoldsSomethingIsRefusedAndAnEmptyDirectoryIsFilled() async throws {
    let (lines, events) = try await exportedLines(seed: 33, commands: 40)
    let directory = TemporaryDirectory()
    let file = directory.appending("log.jsonl")
    try writeLines(lines, to: file)
    let full = directory.appending("full")
    try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: false)
    try Data("mine".utf8).write(to: URL(fileURLWithPath: full + "/keep.txt"))
    let notEmpty = await #expect(throws: StagedPath.Failure.self) {
      try await importWithMarkers(file, into: full, StoreOpenings())
    }
    #expect(notEmpty?.kind == .targetExists)
    #expect(notEmpty?.description == "\(full) is not empty: choose a new directory")
    #expect(try String(contentsOfFile: full + "/keep.txt", encoding: .utf8) == "mine")
    let aFile = await #expect(throws: StagedPath.Failure.self) {
      try await importWithMarkers(file, into: file, StoreOpenings())
    }
    #expect(aFile?.kind == .targetExists)
    let empty = directory.appending("empty")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
    #expect(try await importWithMarkers(file, into: empty, StoreOpenings()) == events.count)
    #expect(FileManager.default.fileExists(atPath: empty + "/data.mdb"))
    #expect(directory.entries() == ["empty", "full", "log.jsonl"])
  }

  @Test func aLeftoverOfAKilledImportIsRemovedAndNeverTakenForTheLog() async throws {
    let (lines, _) = try await exportedLines(seed: 34, commands: 40)
    let directory = TemporaryDirectory()
    let file = directory.appending("log.jsonl")
    try writeLines(Array(lines.prefix(3)) + ["not json"], to: file)
    // What SIGKILL leaves: a staging directory of a process that no longer runs.
    let dead = directory.appending(".log.importing-999999999-1a2b")
    try FileManager.default.createDirectory(atPath: dead, withIntermediateDirectories: false)
    try Data("half".utf8).write(to: URL(fileURLWithPath: dead + "/data.mdb"))
    // A staging directory of a process that runs (this one) is someone's import in progress.
    let live = directory.appending(".log.importing-\(getpid())-ff")
    try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: false)
    await #expect(throws: Interchange.ImportError.self) {
      try await importWithMarkers(file, into: directory.appending("log"), StoreOpenings())
    }
    #expect(directory.entries() == [".log.importing-\(getpid())-ff", "log.jsonl"])
    #expect(!FileManager.default.fileExists(atPath: directory.appending("log")))
  }

  @Test func ofFourBuildsRacingToOnePathExactlyOneWinsAndTheOthersSaySo() async throws {
    let directory = TemporaryDirectory()
    let target = directory.appending("log")
    let outcomes = await withTaskGroup(of: (Int, StagedPath.Failure?).self) { group in
      for index in 0..<4 {
        group.addTask {
          do {
            try await StagedPath.buildDirectory(at: target, purpose: "generating") { staging in
              try Data("\(index)".utf8).write(to: URL(fileURLWithPath: staging + "/data.mdb"))
              try await Task.sleep(for: .milliseconds(100))
            }
            return (index, nil)
          } catch let failure as StagedPath.Failure {
            return (index, failure)
          } catch {
            return (index, StagedPath.Failure(.fileSystem, "\(error)"))
          }
        }
      }
      var outcomes: [(Int, StagedPath.Failure?)] = []
      for await outcome in group { outcomes.append(outcome) }
      return outcomes
    }
    let winners = outcomes.filter { $0.1 == nil }.map(\.0)
    #expect(winners.count == 1)
    for (_, failure) in outcomes {
      guard let failure else { continue }
      #expect(failure.kind == .targetExists)
      #expect(
        failure.description
          == "\(target) was created by another process meanwhile: nothing was written there")
    }
    let written = try String(contentsOfFile: target + "/data.mdb", encoding: .utf8)
    #expect(written == winners.first.map(String.init))
    #expect(directory.entries() == ["log"])
  }
}

/// A store whose log reads fail past a position, read in small pages.
struct FailingLog: ForwardingStore {
  let base: InMemoryEventStore
  let failAfter: LogPosition
  var inner: any EventStore { base }

  func readLog(from position: LogPosition, limit: Int, filter: LogFilter) async throws -> LogPage {
    guard position <= failAfter else {
      throw EventStoreError(.storageFailure, "Input/output error", position: position)
    }
    return try await base.readLog(from: position, limit: min(limit, 10), filter: filter)
  }

  func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    guard position <= failAfter else {
      throw EventStoreError(.storageFailure, "Input/output error", position: position)
    }
    return try await base.scanLog(from: position, limit: min(limit, 10), filter: filter, body)
  }
}

/// A store read in pages of ten, each read taking a few milliseconds, that counts the reads
/// which start or end after its reader said it had stopped: what shows whether an export
/// leaves a read running when it returns.
final class WatchedLog: ForwardingStore {
  let base: InMemoryEventStore
  private let state = Mutex((stopped: false, readsAfterStop: 0))
  init(_ base: InMemoryEventStore) { self.base = base }
  var inner: any EventStore { base }

  /// Says the reader has stopped: every read that starts or ends from now on is counted.
  func stop() { state.withLock { $0.stopped = true } }
  /// How many reads started or ended since ``stop()``.
  var readsAfterStop: Int { state.withLock { $0.readsAfterStop } }
  private func note() { state.withLock { if $0.stopped { $0.readsAfterStop += 1 } } }

  func readLog(from position: LogPosition, limit: Int, filter: LogFilter) async throws -> LogPage {
    note()
    defer { note() }
    try? await Task.sleep(for: .milliseconds(3))
    return try await base.readLog(from: position, limit: min(limit, 10), filter: filter)
  }

  func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    note()
    defer { note() }
    try? await Task.sleep(for: .milliseconds(3))
    return try await base.scanLog(from: position, limit: min(limit, 10), filter: filter, body)
  }
}

struct WriteRefused: Error {}

@Suite("Export, pages written side by side")
struct ExportPagesTests {
  @Test func linesComeInTheLogsOrderWhateverThePages() async throws {
    let (store, events) = try await simulatedMembershipLog(seed: 45, commands: 300)
    try #require(events.count > 50)
    let watched = WatchedLog(store)
    var lines: [String] = []
    #expect(try await Interchange.export(watched) { lines.append($0) } == events.count)
    #expect(lines == (try events.map { try Interchange.line(for: $0) }))
  }

  @Test(arguments: [0, 9, 10, 25])
  func anExportThatStopsLeavesNoReadRunning(failingLine: Int) async throws {
    let (store, events) = try await simulatedMembershipLog(seed: 46, commands: 300)
    try #require(events.count > 50)
    let watched = WatchedLog(store)
    var written = 0
    await #expect(throws: WriteRefused.self) {
      try await Interchange.export(watched) { _ in
        guard written < failingLine else { throw WriteRefused() }
        written += 1
      }
    }
    watched.stop()
    #expect(written == failingLine)
    // Long enough for a read left running to start and end.
    try await Task.sleep(for: .milliseconds(50))
    #expect(watched.readsAfterStop == 0)
  }
}

/// A store that refuses its `refused`-th append (counting from 1) and records the ones it
/// passes on.
final class RefusingStore: ForwardingStore {
  let base = InMemoryEventStore()
  let refused: Int
  /// The appends passed on, and the first event of the refused one.
  let seen = Mutex((appended: [[StreamAppend]](), refusedFirst: EventID?.none))
  init(refusing refused: Int) { self.refused = refused }
  var inner: any EventStore { base }

  func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
    let refuse = seen.withLock { seen -> Bool in
      guard seen.appended.count + 1 == refused else {
        seen.appended.append(appends)
        return false
      }
      seen.refusedFirst = appends.first?.events.first?.id
      return true
    }
    if refuse {
      throw EventStoreError(.storageFailure, "Input/output error", stream: appends.first?.stream)
    }
    return try await base.append(appends)
  }
}

/// Its data keys are the in-memory store's.
extension RefusingStore: DataKeyStore {
  func storeDataKeys(_ keys: [WrappedDataKey]) async throws { try await base.storeDataKeys(keys) }
  func dataKey(of subject: DataSubject, id: UInt64) async throws -> DataKeyLookup {
    try await base.dataKey(of: subject, id: id)
  }
  func destroyDataKeys(of subject: DataSubject) async throws -> Int {
    try await base.destroyDataKeys(of: subject)
  }
  func dataSubjects() async throws -> [DataSubject: DataSubjectStatus] {
    try await base.dataSubjects()
  }
  func dataKeys(of subject: DataSubject) async throws -> [WrappedDataKey] {
    try await base.dataKeys(of: subject)
  }
}

@Suite("Import, batches appended in order while the next lines are read")
struct ImportBatchesTests {
  @Test(arguments: [1, 2, 5, 9])
  func aRefusedBatchIsTheOneReportedAndNothingAfterItIsAppended(refused: Int) async throws {
    let (source, events) = try await simulatedMembershipLog(seed: 47, commands: 1500)
    var lines: [String] = []
    try await Interchange.export(source) { lines.append($0) }
    let store = RefusingStore(refusing: refused)
    let error = await #expect(throws: Interchange.ImportError.self) {
      try await Interchange.importLines(lines, into: store, batchSize: 50)
    }
    let (appended, refusedFirst) = store.seen.withLock { ($0.appended, $0.refusedFirst) }
    // The import went far enough to need more batches than that.
    let first = try #require(refusedFirst)
    #expect(appended.count == refused - 1)
    // The line reported is the refused batch's first, whatever was sent after it.
    let line = try #require(events.firstIndex { $0.id == first }) + 1
    #expect(error?.line == line)
    // Exactly the batches before it are in the log, in the lines' order.
    let written = appended.reduce(0) { $0 + $1.reduce(0) { $0 + $1.events.count } }
    #expect(written == line - 1)
    let head = try await store.headPosition()
    #expect(head == LogPosition(UInt64(line - 1)))
    let kept = try await store.readLog(from: .first, limit: 1_000_000).events
    #expect(kept.map(\.id) == events.prefix(line - 1).map(\.id))
  }
}

@Suite("Export to a file, all or nothing")
struct StagedExportTests {
  @Test func theFileAppearsWholeAndNothingIsLeftBeside() async throws {
    let (store, events) = try await simulatedMembershipLog(seed: 41, commands: 300)
    var lines: [String] = []
    try await Interchange.export(store) { lines.append($0) }
    let directory = TemporaryDirectory()
    let path = directory.appending("log.jsonl")
    #expect(try await Interchange.exportFile(store, to: path) == events.count)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text == lines.map { $0 + "\n" }.joined())
    #expect(directory.entries() == ["log.jsonl"])
  }

  @Test func aFailureHalfwayLeavesTheTargetAsItWasAndNoStagingFile() async throws {
    let (store, _) = try await simulatedMembershipLog(seed: 42, commands: 300)
    let directory = TemporaryDirectory()
    let path = directory.appending("log.jsonl")
    try Data("the previous export\n".utf8).write(to: URL(fileURLWithPath: path))
    let failing = FailingLog(base: store, failAfter: LogPosition(50))
    let error = await #expect(throws: EventStoreError.self) {
      try await Interchange.exportFile(failing, to: path)
    }
    #expect(error?.position == LogPosition(51))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "the previous export\n")
    #expect(directory.entries() == ["log.jsonl"])
    let missing = directory.appending("new.jsonl")
    await #expect(throws: EventStoreError.self) {
      try await Interchange.exportFile(failing, to: missing)
    }
    #expect(directory.entries() == ["log.jsonl"])
  }

  /// The write-back hints change nothing of what is written: to a file, handed a step at a
  /// time, and to a pipe, where they do not apply.
  @Test func writebackHintsLeaveTheBytesAsWritten() throws {
    var random = SplitMix64(seed: 12)
    let chunks = (0..<40).map { _ in (0..<65_536).map { _ in UInt8(random.next() & 0xFF) } }
    let directory = TemporaryDirectory()
    let path = directory.appending("out")
    let file = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
    try #require(file >= 0)
    var writeback = StagedPath.Writeback(file, step: 3 * 65_536)
    for chunk in chunks {
      try StagedPath.writeAll(chunk, to: file, naming: "out")
      writeback.wrote(chunk.count)
    }
    #expect(fsync(file) == 0)
    close(file)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(chunks.joined()))
    var ends: [Int32] = [0, 0]
    try #require(pipe(&ends) == 0)
    defer { close(ends[0]) }
    var piped = StagedPath.Writeback(ends[1], step: 1)
    try StagedPath.writeAll(Array(chunks[0].prefix(4096)), to: ends[1], naming: "pipe")
    piped.wrote(4096)
    close(ends[1])
    var read = [UInt8](repeating: 0, count: 8192)
    let count = read.withUnsafeMutableBytes { Foundation.read(ends[0], $0.baseAddress, 8192) }
    #expect(Array(read.prefix(count)) == Array(chunks[0].prefix(4096)))
  }

  @Test func aFullDiskIsOneErrorNotACrash() async throws {
    let (store, _) = try await simulatedMembershipLog(seed: 43, commands: 100)
    let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
    try #require(full >= 0)
    defer { close(full) }
    let error = await #expect(throws: StagedPath.Failure.self) {
      try await Interchange.export(store, toDescriptor: full, naming: "the full disk")
    }
    #expect(error?.description == "writing the full disk: No space left on device")
    #expect(error?.kind == .fileSystem)
  }

  @Test func aDirectoryIsNotAnExportTarget() async throws {
    let (store, _) = try await simulatedMembershipLog(seed: 44, commands: 20)
    let directory = TemporaryDirectory()
    let error = await #expect(throws: StagedPath.Failure.self) {
      try await Interchange.exportFile(store, to: directory.path)
    }
    #expect(error?.kind == .targetExists)
    #expect(directory.entries() == [])
  }
}
