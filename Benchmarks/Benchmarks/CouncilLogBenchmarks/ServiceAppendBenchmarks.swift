// Appends as a busy service makes them: 1, 4, 16 and 64 concurrent callers, each appending one
// event at a time (a 256-byte payload, a fresh random ID) to one of 10 000 streams chosen at
// random, durably; beside raw LMDB doing the same writes (the record, the ID, the stream index
// entry and the stream's version) in one durable transaction per group of as many events as
// there are callers. Both report events a second and the latency of an append: p50, p99 and
// p99.9 (for raw LMDB, of a group's transaction).
import Benchmark
import EventLog
import EventLogLMDB
import Foundation
import RawLMDB

/// Events appended per iteration, whatever the number of callers.
let serviceEvents = 1024
/// Streams the events are spread over.
let serviceStreams = 10_000

/// Percentile `fraction` (0…1) of sorted `values`, nearest rank.
func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
  guard !sorted.isEmpty else { return 0 }
  let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
  return sorted[min(sorted.count - 1, max(0, rank))]
}

/// One append of the service workload: a 256-byte payload under a fresh random ID.
func serviceEvent() -> EventData {
  EventData(
    id: .random(), eventType: "ServiceRequestRecorded", encoding: .binary,
    payload: [UInt8](repeating: 0x5A, count: 256),
    metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 1_700_000_000_000_000_000)))
}

/// Appends `serviceEvents` events from `callers` concurrent tasks, one event an append, each
/// to a random stream; returns each append's latency in microseconds.
func serviceAppends(callers: Int, to store: LMDBEventStore) async throws -> [Double] {
  try await withThrowingTaskGroup(of: [Double].self) { group in
    for caller in 0..<callers {
      group.addTask {
        var latencies: [Double] = []
        let clock = ContinuousClock()
        for _ in stride(from: caller, to: serviceEvents, by: callers) {
          let stream = StreamName(category: "bench", id: "s\(Int.random(in: 0..<serviceStreams))")
          let event = serviceEvent()
          let started = clock.now
          try await store.append([event], to: stream, expectedVersion: .any)
          let elapsed = clock.now - started
          latencies.append(
            Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds)
              / 1e12)
        }
        return latencies
      }
    }
    var all: [Double] = []
    for try await latencies in group { all += latencies }
    return all
  }
}

/// The bytes this process has handed to `write` calls so far (`wchar` in `/proc/self/io`):
/// LMDB writes each commit's pages with `pwrite`, so the difference over a run is the pages it
/// wrote (and its header pages' few bytes). 0 where there is no such file.
func bytesWrittenSoFar() -> Int {
  guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return 0 }
  for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
    return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
  }
  return 0
}

/// Reports the latencies' p50, p99 and p99.9 as the benchmark's custom metrics, and the bytes
/// written per event, and records them with the iteration's time.
func reportLatencies(
  _ latencies: [Double], _ benchmark: Benchmark, _ what: String, seconds: Double, written: Int
) {
  let perEvent = written / serviceEvents
  benchmark.measurement(.custom("bytes written per event", useScalingFactor: false), perEvent)
  let sorted = latencies.sorted()
  let (p50, p99, p999) = (
    percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(sorted, 0.999)
  )
  benchmark.measurement(.custom("latency p50 (µs)", useScalingFactor: false), Int(p50))
  benchmark.measurement(.custom("latency p99 (µs)", useScalingFactor: false), Int(p99))
  benchmark.measurement(.custom("latency p99.9 (µs)", useScalingFactor: false), Int(p999))
  recordResult(
    what, events: serviceEvents, seconds: seconds,
    extra: [
      "p50Microseconds": p50, "p99Microseconds": p99, "p999Microseconds": p999,
      "bytesWrittenPerEvent": Double(perEvent),
    ])
}

func registerServiceAppendBenchmarks() {
  let configuration = Benchmark.Configuration(
    metrics: [
      .throughput, .wallClock, .custom("latency p50 (µs)", useScalingFactor: false),
      .custom("latency p99 (µs)", useScalingFactor: false),
      .custom("latency p99.9 (µs)", useScalingFactor: false),
      .custom("bytes written per event", useScalingFactor: false),
    ], warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10)
  for callers in [1, 4, 16, 64] {
    Benchmark(
      "Service: \(serviceEvents) single-event durable appends from \(callers) caller(s), random streams",
      configuration: configuration
    ) { benchmark in
      let path = temporaryDirectory("service")
      defer { remove(path) }
      let store = try LMDBEventStore(path: path)
      defer { store.close() }
      var latencies: [Double] = []
      let before = bytesWrittenSoFar()
      let seconds = try await timed(benchmark) {
        latencies = try await serviceAppends(callers: callers, to: store)
      }
      let written = bytesWrittenSoFar() - before
      precondition(latencies.count == serviceEvents)
      reportLatencies(
        latencies, benchmark, "service appends, \(callers) callers", seconds: seconds,
        written: written)
    }
    Benchmark(
      "Raw LMDB: the same \(serviceEvents) events' writes, one durable transaction per \(callers)",
      configuration: configuration
    ) { benchmark in
      let path = temporaryDirectory("raw-service")
      defer { remove(path) }
      let recordSize = try await storedRecordSize(of: serviceEvent(), in: "bench-s1")
      var latencies = [UInt64](
        repeating: 0, count: (serviceEvents + callers - 1) / callers)
      var status: Int32 = -1
      let before = bytesWrittenSoFar()
      let seconds = await timed(benchmark) {
        status = raw_lmdb_grouped_appends(
          path, serviceEvents, callers, recordSize, serviceStreams, 42, &latencies)
      }
      let written = bytesWrittenSoFar() - before
      precondition(status == 0)
      reportLatencies(
        latencies.map { Double($0) / 1000 }, benchmark, "raw service writes, groups of \(callers)",
        seconds: seconds, written: written)
    }
  }
}
