import Council
import EventLog
import Foundation

// Fuzz target: one line of the interchange form (JSON Lines), read the way `council import`
// reads it. A line that reads must also survive the way back: written out again by
// `Interchange.line(for:)` and read again, it gives the same event.

/// The line number every fuzzed line claims to have.
let fuzzLineNumber = 42

/// Reads one line as an import does; checks that a failure is the typed import error naming
/// the line, that a line that reads round-trips through export, and that where the payload's
/// transcoder writes its binary form from the text, it writes what the value read encodes to.
func readLine(_ text: String) {
  if let (transcoded, read) = Interchange.payloadBothWays(ofLine: Array(text.utf8)),
    let transcoded, transcoded != read
  {
    violated(
      "the transcoded payload \(transcoded) is not the read one \(read.map { "\($0)" } ?? "(refused)")"
    )
  }
  let event: RecordedEvent
  do {
    event = try Interchange.event(fromLine: text, number: fuzzLineNumber)
  } catch {
    // Typed throws: the only error is an ImportError, which must name the line.
    guard error.line == fuzzLineNumber else {
      violated("an import error names line \(error.line), not \(fuzzLineNumber)")
    }
    return
  }
  let line: String
  do {
    line = try Interchange.line(for: event)
  } catch {
    // An event can be imported whose payload then fails to export only if decoding and
    // encoding disagree.
    violated("an imported event does not export: \(error)")
  }
  do {
    let again = try Interchange.event(fromLine: line, number: fuzzLineNumber + 1)
    guard again == event else {
      violated("an exported line reads back as another event:\n\(line)")
    }
  } catch {
    violated("an exported line does not read back: \(error)\n\(line)")
  }
}

/// libFuzzer's entry point: reads `size` bytes at `data` as one interchange line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInterchangeLine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  readLine(String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self))
  return 0
}

/// libFuzzer's initialization hook: when started with `FUZZ_WRITE_SEEDS` (a directory) and
/// `FUZZ_FIXTURE` (an interchange file), writes one line of each event type in the fixture as
/// written (format 1), as exported today (with `recorded`) and with an empty `data` object, and
/// exits instead of fuzzing.
@_cdecl("LLVMFuzzerInitialize")
public func initializeInterchangeFuzzer(
  _ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?
) -> CInt {
  guard let request = seedRequest() else { return 0 }
  var seeds: [[UInt8]] = []
  for fixture in fixtureEvents(at: request.fixture) {
    seeds.append(Array(fixture.line.utf8))
    if let line = try? Interchange.line(for: fixture.event) { seeds.append(Array(line.utf8)) }
    // The same envelope with an empty payload object: a short way to reach the payload's shape.
    if let start = fixture.line.range(of: "{\"data\":"),
      let end = fixture.line.range(of: ",\"eventType\":")
    {
      seeds.append(
        Array((fixture.line[..<start.upperBound] + "{}" + fixture.line[end.lowerBound...]).utf8))
    }
  }
  writeSeeds(seeds, prefix: "line", to: request.directory)
  exit(0)
}
