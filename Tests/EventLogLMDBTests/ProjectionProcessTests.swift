import ChildProcessSupport
import EventLog
import EventLogLMDB
import EventLogTestSupport
import Foundation
import Testing

/// The counts the stress helper's projection should reach, folded here independently.
func expectedStressCounts(_ store: LMDBEventStore) async throws
  -> (applied: UInt64, batchSum: UInt64, indexSum: UInt64, head: UInt64)
{
  var applied: UInt64 = 0
  var batchSum: UInt64 = 0
  var indexSum: UInt64 = 0
  for event in try await readWholeLog(store) where event.eventType == "StressAppended" {
    let payload = stressPayload(event)
    applied += 1
    batchSum &+= payload.batch
    indexSum &+= payload.index
  }
  return (applied, batchSum, indexSum, try await store.headPosition().rawValue)
}

/// Fills a log with stress events through the helper (so that it has that helper's types).
func fillStressLog(_ path: String, batches: Int, batchSize: Int, stream: String = "stress-1")
  async throws
{
  let child = try StressHelper(["append", path, stream, String(batches), String(batchSize)])
  #expect(await child.wait() == 0)
}

@Suite("Projections across processes", .serialized)
struct ProjectionProcessTests {
  @Test func aCatchUpKilledAtRandomMomentsNeitherRepeatsNorSkipsAnEvent() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await fillStressLog(path, batches: 2000, batchSize: 50)
    var random = SplitMix64(seed: 3)
    var finishedEarly = 0
    for _ in 0..<30 {
      // Each event costs the projection some work (about a second for the whole log on this
      // machine), so that a catch-up takes far longer than a child takes to start and be
      // killed, however fast the store reads and whatever the machine.
      let child = try StressHelper([
        "project", path, String(1 + random.next() % 300), String(1 + random.next() % 64), "20000",
      ])
      try await Task.sleep(for: .milliseconds(Int(5 + random.next() % 120)))
      await child.kill()
      if await child.lines().contains(where: { $0.hasPrefix("counts") }) { finishedEarly += 1 }
    }
    // Finish the catch-up, then compare with a clean fold of the log.
    let last = try StressHelper(["project", path, "1000", "500"])
    #expect(await last.wait() == 0)
    let counts = try #require(await last.lines().first { $0.hasPrefix("counts") })
    let store = try LMDBEventStore(path: path)
    let expected = try await expectedStressCounts(store)
    store.close()
    #expect(
      counts
        == "counts \(expected.applied) \(expected.batchSum) \(expected.indexSum) \(expected.head)")
    #expect(finishedEarly < 30, "no kill landed during a catch-up")
  }

  @Test func aRebuildsPeakMemoryDoesNotGrowWithTheLog() async throws {
    let small = TemporaryDirectory()
    let large = TemporaryDirectory()
    try await fillStressLog(small.appending("log"), batches: 40, batchSize: 500)
    try await fillStressLog(large.appending("log"), batches: 400, batchSize: 500)
    func peak(_ path: String) async throws -> (kilobytes: Int, applied: String) {
      let child = try StressHelper(["rebuild", path])
      #expect(await child.wait() == 0)
      let line = try #require(await child.lines().first { $0.hasPrefix("peak-kb") })
      let parts = line.split(separator: " ")
      return (Int(parts[1]) ?? 0, String(parts[3]))
    }
    let smallPeak = try await peak(small.appending("log"))
    let largePeak = try await peak(large.appending("log"))
    #expect(smallPeak.applied == "20000")
    #expect(largePeak.applied == "200000")
    // Ten times the events, the same peak within noise: 2 MiB or 10 %.
    let margin = max(2 * 1024, smallPeak.kilobytes / 10)
    print(
      "rebuild peak anonymous memory: \(smallPeak.kilobytes) KiB (20 000 events), \(largePeak.kilobytes) KiB (200 000)"
    )
    #expect(smallPeak.kilobytes > 0)
    #expect(
      largePeak.kilobytes <= smallPeak.kilobytes + margin,
      "peak \(largePeak.kilobytes) KiB for 200 000 events vs \(smallPeak.kilobytes) KiB for 20 000")
  }
}
