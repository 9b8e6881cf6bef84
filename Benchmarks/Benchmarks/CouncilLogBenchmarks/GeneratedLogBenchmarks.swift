// What users wait on, measured on the log they have: the one `council generate --seed 3` makes
// (the realistic mix of members, accounts, fund applications, resolutions and gatherings),
// at each size named in COUNCILLOG_BENCH_SIZES (default 100000; say "100000,1000000,10000000"
// for the whole curve), beside a raw LMDB cursor scan of the same file.
//
// A generated log takes time to make (about 5 minutes a million events here), so each is made
// once and kept in COUNCILLOG_BENCH_LOGS (default: the temporary directory), as
// `councillog-generated-SIZE-seed3`, with its export beside it (`….jsonl`). Every iteration's
// time is also appended to COUNCILLOG_BENCH_RESULTS (JSON Lines), which
// `scripts/bench-chart.py` draws; `scripts/bench-generated.sh` runs all of it.
import Benchmark
import Council
import CouncilSamples
import EventLog
import EventLogLMDB
import EventLogPersonalData
import Foundation
import RawLMDB
import Synchronization

/// The sizes of generated log to measure.
let generatedSizes: [Int] = {
  let text = ProcessInfo.processInfo.environment["COUNCILLOG_BENCH_SIZES"] ?? "100000"
  let sizes = text.split(separator: ",").compactMap {
    Int($0.trimmingCharacters(in: .whitespaces))
  }
  return sizes.isEmpty ? [100_000] : sizes
}()

/// How many positions behind the head the directory of the "events behind" benchmark is
/// kept: COUNCILLOG_BENCH_BEHIND, 10 000 unless given.
let directoryBehind: Int =
  ProcessInfo.processInfo.environment["COUNCILLOG_BENCH_BEHIND"].flatMap { Int($0) } ?? 10_000

/// Where the generated logs are kept between runs.
let generatedLogsDirectory =
  ProcessInfo.processInfo.environment["COUNCILLOG_BENCH_LOGS"]
  ?? FileManager.default.temporaryDirectory.path

/// The kept generated log of `events` events.
func generatedLogPath(_ events: Int) -> String {
  "\(generatedLogsDirectory)/councillog-generated-\(events)-seed3"
}

/// Makes the generated log of `events` events unless it is kept already. It is made beside its
/// place and renamed into it, so that a run stopped half-way leaves no half-made log to reuse.
func ensureGeneratedLog(_ events: Int) async throws {
  let path = generatedLogPath(events)
  if FileManager.default.fileExists(atPath: path + "/data.mdb") { return }
  let staging = path + ".making-\(ProcessInfo.processInfo.processIdentifier)"
  remove(staging)
  // Written in place, as `council generate` writes its log.
  let store = try LMDBEventStore(
    path: staging, options: .init(durability: .noSync, writeMap: true))
  do {
    let vault = PersonalDataVault(keys: store, masterKey: .generate())
    _ = try await CouncilSimulation.generate(
      events: events, seed: 3, into: store, protector: vault)
    try await vault.saveNewKeys()
  } catch {
    store.close()
    remove(staging)
    throw error
  }
  store.close()
  try FileManager.default.createDirectory(
    atPath: generatedLogsDirectory, withIntermediateDirectories: true)
  try FileManager.default.moveItem(atPath: staging, toPath: path)
}

/// The export of the generated log, made once beside it.
func ensureGeneratedExport(_ events: Int) async throws -> String {
  try await ensureGeneratedLog(events)
  let file = generatedLogPath(events) + ".jsonl"
  if FileManager.default.fileExists(atPath: file) { return file }
  let store = try LMDBEventStore(path: generatedLogPath(events))
  defer { store.close() }
  try await Interchange.exportFile(store, to: file)
  return file
}

/// Appends one iteration's figures to COUNCILLOG_BENCH_RESULTS, when it is set.
func recordResult(_ what: String, events: Int, seconds: Double, extra: [String: Double] = [:]) {
  guard let path = ProcessInfo.processInfo.environment["COUNCILLOG_BENCH_RESULTS"] else {
    return
  }
  var fields: [String: Double] = extra
  fields["events"] = Double(events)
  fields["seconds"] = seconds
  if seconds > 0 { fields["eventsPerSecond"] = Double(events) / seconds }
  let numbers = fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }
  let line = "{\"what\":\"\(what)\"," + numbers.joined(separator: ",") + "}\n"
  guard let handle = FileHandle(forWritingAtPath: path) ?? createFile(path) else { return }
  defer { try? handle.close() }
  _ = try? handle.seekToEnd()
  try? handle.write(contentsOf: Data(line.utf8))
}

private func createFile(_ path: String) -> FileHandle? {
  guard FileManager.default.createFile(atPath: path, contents: nil) else { return nil }
  return FileHandle(forWritingAtPath: path)
}

/// Times `body` between the harness's start and stop; returns the seconds it took.
@discardableResult
func timed(_ benchmark: Benchmark, _ body: () async throws -> Void) async rethrows -> Double {
  let clock = ContinuousClock()
  benchmark.startMeasurement()
  let started = clock.now
  try await body()
  let elapsed = clock.now - started
  benchmark.stopMeasurement()
  return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Times `body` as ``timed(_:_:)`` does and records the time as `what`.
func timed(
  _ benchmark: Benchmark, _ what: String, events: Int, _ body: () async throws -> Void
) async rethrows {
  recordResult(what, events: events, seconds: try await timed(benchmark, body))
}

/// The LMDB data file's bytes per event of the log.
func bytesPerEvent(_ events: Int) async throws -> Int {
  let path = generatedLogPath(events)
  let store = try LMDBEventStore(path: path)
  let head = try await store.headPosition().rawValue
  store.close()
  let attributes = try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")
  let size = (attributes[.size] as? Int) ?? 0
  return head == 0 ? 0 : size / Int(head)
}

func registerGeneratedLogBenchmarks() {
  for events in generatedSizes {
    let label = "Generated log, \(events) events"
    let path = generatedLogPath(events)
    // Large logs get one measured iteration: each takes from seconds to minutes.
    let heavy = Benchmark.Configuration(
      metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 0,
      maxDuration: .seconds(events >= 1_000_000 ? 1 : 20), maxIterations: 5)
    let light = Benchmark.Configuration(
      metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 1,
      maxDuration: .seconds(10), maxIterations: 20)

    Benchmark(
      "\(label): rebuild every read model", configuration: light,
      closure: { benchmark in
        let store = try LMDBEventStore(path: path)
        defer { store.close() }
        let runner = ProjectionRunner(
          CouncilReadModelsProjection(), store: ReadOnlyLog(store),
          options: .init(pageSize: 4096, saveEvery: 1 << 40))
        try await timed(benchmark, "rebuild", events: events) { try await runner.rebuild() }
        blackHole(runner.state.directory.activeCount)
      },
      setup: { try await ensureGeneratedLog(events) })
    Benchmark(
      "\(label): raw LMDB cursor scan of the same file", configuration: light,
      closure: { benchmark in
        var bytes = 0
        var count = 0
        await timed(benchmark, "raw scan", events: events) {
          count = raw_lmdb_scan(path, "events", &bytes)
        }
        precondition(count >= events)
        blackHole(bytes)
      },
      setup: { try await ensureGeneratedLog(events) })
    // "verify" as `council verify` runs it, the payloads decoded on a second thread; "verify
    // on one thread" with them decoded on the verifying thread.
    for (what, beside) in [("verify", true), ("verify on one thread", false)] {
      Benchmark(
        "\(label): \(what), every payload decoded", configuration: heavy,
        closure: { benchmark in
          let store = try LMDBEventStore(path: path)
          defer { store.close() }
          let decode: @Sendable (RecordView) throws -> Void = { _ = try CouncilCatalog.decode($0) }
          var report: VerificationReport?
          try await timed(benchmark, what, events: events) {
            report =
              beside
              ? try store.verify(concurrentPayloads: decode) : try store.verify(payloads: decode)
          }
          precondition(report?.isHealthy == true)
        },
        setup: { try await ensureGeneratedLog(events) })
    }
    Benchmark(
      "\(label): export to JSON Lines", configuration: heavy,
      closure: { benchmark in
        let store = try LMDBEventStore(path: path)
        defer { store.close() }
        let file = temporaryDirectory("export") + ".jsonl"
        defer { remove(file) }
        try await timed(benchmark, "export", events: events) {
          try await Interchange.exportFile(store, to: file)
        }
      },
      setup: { try await ensureGeneratedLog(events) })
    Benchmark(
      "\(label): import of its export into a new log", configuration: heavy,
      closure: { benchmark in
        let file = generatedLogPath(events) + ".jsonl"
        let target = temporaryDirectory("import")
        defer { remove(target) }
        try await timed(benchmark, "import", events: events) {
          try await Interchange.importFile(
            file, intoNewLog: target,
            open: {
              try LMDBEventStore(path: $0, options: .init(durability: .noSync, writeMap: true))
            },
            close: { $0.close() })
        }
      },
      setup: { _ = try await ensureGeneratedExport(events) })
    Benchmark(
      "\(label): directory by region from the kept read model, nothing new",
      configuration: keptQuestionConfiguration,
      closure: { benchmark in
        guard let log = keptLog.withLock({ $0?.log }) else { throw BenchmarkSetupError.noKeptModel }
        var total = 0
        // As `council directory` answers when the log has not moved: the kept directory read
        // where it is kept (KeptDirectory), not loaded whole. ReadOnlyLog keeps states in
        // memory, so that the generated log's files stay as generated: LMDB's page faults on
        // the mapped state are left out.
        try await timed(benchmark, "directory query (kept)", events: events) {
          total = try await askKeptDirectory(log)
        }
        precondition(total > 0)
      },
      setup: {
        try await ensureGeneratedLog(events)
        // Keeps the directory as the first `council directory` question does, here in memory
        // (ReadOnlyLog), so that the kept log's files stay as generated.
        let store = try LMDBEventStore(path: path)
        let log = ReadOnlyLog(store)
        try await ProjectionRunner(
          MemberDirectoryProjection(), store: log, options: .init(pageSize: 4096, saveEvery: .max)
        ).rebuild()
        keptLog.withLock { $0 = (store, log) }
      },
      teardown: {
        keptLog.withLock {
          $0?.store.close()
          $0 = nil
        }
      })
    Benchmark(
      "\(label): directory by region from the kept read model, \(directoryBehind) events behind",
      configuration: keptQuestionConfiguration,
      closure: { benchmark in
        guard let (log, behind) = keptBehind.withLock({ $0.map { ($0.log, $0.behind) } }) else {
          throw BenchmarkSetupError.noKeptModel
        }
        var total = 0
        // As `council directory` answers when events were appended since the directory was
        // kept: the directory's events among them folded over the kept records of the members
        // they touch (KeptDirectory), the kept directory read in place, not loaded whole.
        let seconds = try await timed(benchmark) { total = try await askKeptDirectory(log) }
        recordResult(
          "directory query (kept, events behind)", events: events, seconds: seconds,
          extra: ["behind": Double(behind)])
        precondition(total > 0)
      },
      setup: {
        try await ensureGeneratedLog(events)
        let kept = try await keepBehindHead(
          MemberDirectoryProjection(), in: path, by: directoryBehind)
        keptBehind.withLock { $0 = kept }
      },
      teardown: {
        keptBehind.withLock {
          $0?.store.close()
          $0 = nil
        }
      })
    for behind in [0, directoryBehind] {
      Benchmark(
        "\(label): membership by year from the kept histories, "
          + (behind == 0 ? "nothing new" : "\(behind) events behind"),
        configuration: keptQuestionConfiguration,
        closure: { benchmark in
          guard let (log, behind) = keptHistories.withLock({ $0.map { ($0.log, $0.behind) } })
          else { throw BenchmarkSetupError.noKeptModel }
          var years = 0
          // As `council members` answers: the year table of the kept histories read in place
          // (KeptMembership), the member events appended since folded over the kept histories
          // of the members they name.
          let seconds = try await timed(benchmark) {
            guard let answer = try await KeptMembership.years(in: log) else {
              throw BenchmarkSetupError.noKeptModel
            }
            years = answer.years.count
          }
          recordResult(
            "membership query (kept)", events: events, seconds: seconds,
            extra: ["behind": Double(behind)])
          precondition(years > 0)
        },
        setup: {
          try await ensureGeneratedLog(events)
          let kept = try await keepBehindHead(MembershipHistoryProjection(), in: path, by: behind)
          keptHistories.withLock { $0 = kept }
        },
        teardown: {
          keptHistories.withLock {
            $0?.store.close()
            $0 = nil
          }
        })
    }
    Benchmark(
      "\(label): bytes on disk per event",
      configuration: .init(
        metrics: [.custom("bytes per event (data.mdb)", useScalingFactor: false)],
        warmupIterations: 0, maxIterations: 1),
      closure: { benchmark in
        let bytes = try await bytesPerEvent(events)
        benchmark.measurement(.custom("bytes per event (data.mdb)", useScalingFactor: false), bytes)
        recordResult("bytes per event", events: events, seconds: 0, extra: ["bytes": Double(bytes)])
      },
      setup: { try await ensureGeneratedLog(events) })
  }
}

/// How the kept models' question benchmarks run: a question is short, so up to 20
/// iterations in 10 seconds, or as many as COUNCILLOG_BENCH_QUESTIONS gives (in up to a
/// minute), for a median that the noise of a shared machine moves less.
var keptQuestionConfiguration: Benchmark.Configuration {
  let iterations =
    ProcessInfo.processInfo.environment["COUNCILLOG_BENCH_QUESTIONS"].flatMap { Int($0) }
  return .init(
    metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 1,
    maxDuration: .seconds(iterations == nil ? 10 : 60), maxIterations: iterations ?? 20)
}

/// Asks the directory kept in `log` for every Quebec member, as the public sees them, as
/// `council directory --region Quebec` does; returns how many there are.
func askKeptDirectory(_ log: ReadOnlyLog) async throws -> Int {
  guard
    let answer = try await KeptDirectory.search(
      DirectoryQuery(region: "Quebec", pageSize: 1_000_000), as: .publicPerson(name: "reader"),
      in: log)
  else { throw BenchmarkSetupError.noKeptModel }
  return answer.page.total
}

/// The log whose directory the kept-model benchmark questions, open from its setup to its
/// teardown (one environment is opened once per process).
let keptLog = Mutex<(store: LMDBEventStore, log: ReadOnlyLog)?>(nil)

/// The log whose directory is kept behind its head for the benchmark that questions it so,
/// and how many positions behind.
let keptBehind = Mutex<(store: LMDBEventStore, log: ReadOnlyLog, behind: Int)?>(nil)

/// The log whose membership histories are kept for the benchmarks that question them, and
/// how many positions behind its head.
let keptHistories = Mutex<(store: LMDBEventStore, log: ReadOnlyLog, behind: Int)?>(nil)

/// Opens the log at `path` and keeps `projection`'s state `behind` positions behind its head,
/// or a little less (a runner stops after the projection's first event from there), in
/// memory (``ReadOnlyLog``), so that the kept log's files stay as generated; gives how many
/// positions behind it is kept.
func keepBehindHead<P: Projection>(_ projection: P, in path: String, by behind: Int)
  async throws -> (store: LMDBEventStore, log: ReadOnlyLog, behind: Int)
{
  let store = try LMDBEventStore(path: path)
  let log = ReadOnlyLog(store)
  let head = try await store.headPosition()
  let target = head.rawValue - min(head.rawValue - 1, UInt64(max(0, behind)))
  // In pages of 4 096 up to 10 000 before the target, then event by event.
  try await ProjectionRunner(
    projection, store: log, options: .init(pageSize: 4096, saveEvery: .max)
  )
  .catchUp(until: LogPosition(target - min(target - 1, 10_000)))
  let runner = ProjectionRunner(
    projection, store: log, options: .init(pageSize: 1, saveEvery: .max))
  try await runner.load()
  let kept = try await runner.catchUp(until: LogPosition(target))
  return (store, log, Int(head.rawValue - kept.rawValue))
}

/// A benchmark whose setup did not leave what it measures.
enum BenchmarkSetupError: Error {
  /// The directory's kept model was not found in the log.
  case noKeptModel
}
