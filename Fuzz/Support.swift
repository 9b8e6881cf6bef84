import Council
import EventLog
import Foundation

/// The type table every fuzzed record is read against: the council's event types (so that a
/// record can reach every council payload decoder) and one name that is no council type.
let fuzzTypes: NameTable = {
  var table = NameTable()
  for type in CouncilCatalog.types { table.intern(type.eventType) }
  table.intern("FuzzNotACouncilEvent")
  return table
}()

/// Stops the fuzzer with a message: an invariant of the code under test does not hold.
func violated(_ message: String) -> Never {
  fatalError("fuzz invariant violated: \(message)")
}

/// One event of the interchange fixture: its line as written, and the event it reads as.
struct FixtureEvent {
  var line: String
  var event: RecordedEvent
}

/// The first event of each type in the interchange file at `path` (lines that do not read
/// are skipped).
func fixtureEvents(at path: String) -> [FixtureEvent] {
  guard let data = FileManager.default.contents(atPath: path) else {
    FileHandle.standardError.write(Data("cannot read the fixture \(path)\n".utf8))
    exit(2)
  }
  var seen: Set<String> = []
  var events: [FixtureEvent] = []
  let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
  for (index, line) in lines.enumerated() {
    guard let event = try? Interchange.event(fromLine: String(line), number: index + 1),
      seen.insert(event.eventType).inserted
    else { continue }
    events.append(FixtureEvent(line: String(line), event: event))
  }
  return events
}

/// Writes each of `seeds` to a file of its own in `directory`, named `prefix-N`.
func writeSeeds(_ seeds: [[UInt8]], prefix: String, to directory: String) {
  let manager = FileManager.default
  do {
    try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (index, seed) in seeds.enumerated() {
      let url = URL(fileURLWithPath: directory).appendingPathComponent("\(prefix)-\(index)")
      try Data(seed).write(to: url)
    }
  } catch {
    FileHandle.standardError.write(Data("cannot write seeds to \(directory): \(error)\n".utf8))
    exit(2)
  }
  print("wrote \(seeds.count) seeds to \(directory)")
}

/// The seed directory and fixture named by the environment (`FUZZ_WRITE_SEEDS`,
/// `FUZZ_FIXTURE`), when the harness was started to write seeds rather than to fuzz.
func seedRequest() -> (directory: String, fixture: String)? {
  let environment = ProcessInfo.processInfo.environment
  guard let directory = environment["FUZZ_WRITE_SEEDS"] else { return nil }
  guard let fixture = environment["FUZZ_FIXTURE"] else {
    FileHandle.standardError.write(Data("FUZZ_WRITE_SEEDS needs FUZZ_FIXTURE\n".utf8))
    exit(2)
  }
  return (directory, fixture)
}
