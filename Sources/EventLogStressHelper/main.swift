// A child process for the LMDB store's crash, multi-process and memory tests.
//
//   EventLogStressHelper append PATH STREAM BATCHES BATCH_SIZE [exact|any] [PAUSE_MS]
//     Appends BATCHES batches of BATCH_SIZE events to STREAM and prints
//     `ack BATCH LAST_POSITION LAST_VERSION TIME` after each append returns (written at once),
//     so a parent that kills this process knows exactly which appends were acknowledged, and
//     when (TIME: CLOCK_MONOTONIC in nanoseconds, one clock for every process of the machine).
//     Each event's payload is the batch number and the event's index in it (8 + 8 bytes).
//     With `exact` (the default) each append expects the stream's version exactly. With
//     PAUSE_MS, waits that long after each acknowledgement.
//
//   EventLogStressHelper append-concurrent PATH WRITERS BATCHES BATCH_SIZE
//     Runs WRITERS appenders at once, appender W appending BATCHES batches of BATCH_SIZE
//     events to stream `stress-W` (carrying on from the stream's version: batch numbers
//     continue), so that the store commits several of their appends in one group. Each
//     appender prints `submit W BATCH` before it appends and `ack W BATCH LAST_POSITION
//     LAST_VERSION` as soon as the append returns. Payloads as for `append`.
//
//   EventLogStressHelper project PATH SAVE_EVERY PAGE_SIZE
//     Loads the `stress-counts` projection's saved state, catches it up to the head (saving
//     state and checkpoint every SAVE_EVERY positions), and prints
//     `counts APPLIED BATCH_SUM INDEX_SUM CHECKPOINT`.
//
//   EventLogStressHelper rebuild PATH
//     Rebuilds the `stress-counts` projection from the first event and prints
//     `peak-kb KB counts APPLIED CHECKPOINT`: the peak anonymous (not file-backed) resident
//     memory sampled during the rebuild, in KiB.
//
//   EventLogStressHelper compact PATH
//     Compacts the log (`LMDBEventStore.compact(at:)`) and prints `compacted BEFORE AFTER`
//     (the sizes of data.mdb), for the tests that kill a compaction.
//
// Exit status 0 on success, 1 with a message on standard error otherwise.
import EventLog
import EventLogLMDB
import Foundation
import Synchronization

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("EventLogStressHelper: \(message)\n".utf8))
  exit(1)
}

/// Unbuffered, so that a parent sees each line before any kill.
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// CLOCK_MONOTONIC in nanoseconds: one clock for every process of the machine.
func monotonicNanoseconds() -> UInt64 {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// The events of one batch of the `append` commands.
func stressBatch(_ batch: UInt64, size: Int, ids: EventIDGenerator) throws -> [EventData] {
  try (0..<size).map { index in
    try EventData(
      StressAppended(batch: batch, index: UInt64(index)), id: ids.next(),
      metadata: EventMetadata(time: EventClock.system.now(), actor: "pid-\(getpid())"))
  }
}

/// The payload the `append` commands write.
struct StressAppended: BinaryEvent {
  static let eventType = "StressAppended"
  var batch: UInt64
  var index: UInt64

  func encode(to writer: inout BinaryWriter) {
    writer.writeFixedWidth(batch)
    writer.writeFixedWidth(index)
  }

  init(batch: UInt64, index: UInt64) {
    self.batch = batch
    self.index = index
  }

  init(from reader: inout BinaryReader) throws {
    let batch = try reader.readFixedWidth(UInt64.self)
    let index = try reader.readFixedWidth(UInt64.self)
    self.init(batch: batch, index: index)
  }
}

/// Sums that change if any event is applied twice or skipped.
struct StressCounts: BinaryCodable, Sendable {
  var applied: UInt64 = 0
  var batchSum: UInt64 = 0
  var indexSum: UInt64 = 0

  init(applied: UInt64 = 0, batchSum: UInt64 = 0, indexSum: UInt64 = 0) {
    self.applied = applied
    self.batchSum = batchSum
    self.indexSum = indexSum
  }

  func encode(to writer: inout BinaryWriter) {
    writer.write(applied)
    writer.write(batchSum)
    writer.write(indexSum)
  }

  init(from reader: inout BinaryReader) throws {
    let applied = try reader.read(UInt64.self)
    let batchSum = try reader.read(UInt64.self)
    let indexSum = try reader.read(UInt64.self)
    self.init(applied: applied, batchSum: batchSum, indexSum: indexSum)
  }
}

struct StressCountsProjection: Projection {
  /// Rounds of arithmetic each event costs besides the counting, standing for a read model's
  /// real work: a catch-up then lasts long enough for a kill to land in it, however fast the
  /// store reads.
  var workPerEvent = 0

  var name: String { "stress-counts" }
  var initialState: StressCounts { StressCounts() }

  func apply(_ event: StressAppended, context: EventContext, to state: inout StressCounts) {
    state.applied += 1
    state.batchSum &+= event.batch
    state.indexSum &+= event.index
    var mixed = event.index
    for _ in 0..<workPerEvent { mixed = (mixed &* 6_364_136_223_846_793_005) &+ 1 }
    workSink = mixed
  }
}

/// Where the projection's extra work goes, so that the optimizer keeps it.
nonisolated(unsafe) var workSink: UInt64 = 0

/// `RssAnon` from `/proc/self/status`: resident memory that is not file-backed, in KiB.
func anonymousResidentKilobytes() -> Int {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
    return 0
  }
  for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }
  return 0
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
  fail("usage: append|append-concurrent|project|rebuild|compact PATH ...")
}
let path = arguments[1]

do {
  switch arguments[0] {
  case "append":
    guard arguments.count >= 5, let batches = Int(arguments[3]), let batchSize = Int(arguments[4])
    else { fail("usage: append PATH STREAM BATCHES BATCH_SIZE [exact|any] [PAUSE_MS]") }
    let stream = StreamName(arguments[2])
    let exact = arguments.count < 6 || arguments[5] == "exact"
    let pause = arguments.count >= 7 ? Int(arguments[6]) ?? 0 : 0
    let store = try LMDBEventStore(path: path, options: .init(initialMapSize: 256 << 10))
    let ids = EventIDGenerator.timeOrdered()
    var version = try await store.currentVersion(of: stream)
    for batch in 0..<batches {
      let events = try stressBatch(UInt64(batch), size: batchSize, ids: ids)
      let result = try await store.append(
        events, to: stream, expectedVersion: exact ? .at(version) : .any)
      version = result.lastVersion
      say("ack \(batch) \(result.lastPosition) \(result.lastVersion) \(monotonicNanoseconds())")
      if pause > 0 { try await Task.sleep(for: .milliseconds(pause)) }
    }
    store.close()

  case "append-concurrent":
    guard arguments.count >= 5, let writers = Int(arguments[2]), let batches = UInt64(arguments[3]),
      let batchSize = Int(arguments[4]), writers > 0, batchSize > 0
    else { fail("usage: append-concurrent PATH WRITERS BATCHES BATCH_SIZE") }
    let store = try LMDBEventStore(path: path, options: .init(initialMapSize: 256 << 10))
    let ids = EventIDGenerator.timeOrdered()
    try await withThrowingTaskGroup(of: Void.self) { group in
      for writer in 0..<writers {
        group.addTask {
          let stream = StreamName("stress-\(writer)")
          var version = try await store.currentVersion(of: stream)
          let first = (version?.rawValue ?? 0) / UInt64(batchSize)
          for batch in first..<first + batches {
            let events = try stressBatch(batch, size: batchSize, ids: ids)
            say("submit \(writer) \(batch)")
            let result = try await store.append(events, to: stream, expectedVersion: .at(version))
            version = result.lastVersion
            say("ack \(writer) \(batch) \(result.lastPosition) \(result.lastVersion)")
          }
        }
      }
      try await group.waitForAll()
    }
    store.close()

  case "project":
    guard arguments.count >= 4, let saveEvery = UInt64(arguments[2]),
      let pageSize = Int(arguments[3])
    else { fail("usage: project PATH SAVE_EVERY PAGE_SIZE [WORK_PER_EVENT]") }
    let work = arguments.count >= 5 ? Int(arguments[4]) ?? 0 : 0
    let store = try LMDBEventStore(path: path)
    let runner = ProjectionRunner(
      StressCountsProjection(workPerEvent: work), store: store,
      options: .init(pageSize: pageSize, saveEvery: saveEvery))
    try await runner.load()
    try await runner.catchUp()
    let counts = runner.state
    say("counts \(counts.applied) \(counts.batchSum) \(counts.indexSum) \(runner.checkpoint)")
    store.close()

  case "rebuild":
    let store = try LMDBEventStore(path: path)
    let runner = ProjectionRunner(
      StressCountsProjection(), store: store, options: .init(pageSize: 1024, saveEvery: 1 << 40))
    // The map's pages are file pages shared with the page cache; what a rebuild itself
    // allocates shows in the anonymous resident memory, sampled while it runs.
    let peak = Mutex(anonymousResidentKilobytes())
    try await runner.rebuild { _ in
      let now = anonymousResidentKilobytes()
      peak.withLock { $0 = max($0, now) }
    }
    let final = max(peak.withLock { $0 }, anonymousResidentKilobytes())
    say("peak-kb \(final) counts \(runner.state.applied) \(runner.checkpoint)")
    store.close()

  case "compact":
    let report = try LMDBEventStore.compact(at: path)
    say("compacted \(report.bytesBefore) \(report.bytesAfter)")

  case "upgrade":
    let report = try LMDBEventStore.upgrade(at: path)
    say("upgraded \(report.formatBefore) \(report.formatAfter)")

  default:
    fail("unknown command \(arguments[0])")
  }
} catch {
  fail("\(error)")
}
