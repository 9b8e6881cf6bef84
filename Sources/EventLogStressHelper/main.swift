// A child process for the LMDB store's crash and multi-process tests.
//
//   EventLogStressHelper append PATH STREAM BATCHES BATCH_SIZE [exact|any]
//     Appends BATCHES batches of BATCH_SIZE events to STREAM and prints
//     `ack BATCH LAST_POSITION LAST_VERSION` after each append returns (flushed at once), so a
//     parent that kills this process knows exactly which appends were acknowledged. Each
//     event's payload is the batch number and the event's index in it (8 + 8 bytes).
//     With `exact` (the default) each append expects the stream's version exactly.
//
// Exit status 0 when every batch was appended, 1 with a message on standard error otherwise.
import EventLog
import EventLogLMDB
import Foundation

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("EventLogStressHelper: \(message)\n".utf8))
  exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 5, arguments[0] == "append",
  let batches = Int(arguments[3]), let batchSize = Int(arguments[4])
else {
  fail("usage: append PATH STREAM BATCHES BATCH_SIZE [exact|any]")
}
let path = arguments[1]
let stream = StreamName(arguments[2])
let exact = arguments.count < 6 || arguments[5] == "exact"

do {
  let store = try LMDBEventStore(path: path, options: .init(initialMapSize: 256 << 10))
  let ids = EventIDGenerator.timeOrdered()
  var version = try await store.currentVersion(of: stream)
  for batch in 0..<batches {
    let events = (0..<batchSize).map { index in
      var writer = BinaryWriter(capacity: 16)
      writer.writeFixed(UInt64(batch))
      writer.writeFixed(UInt64(index))
      return EventData(
        id: ids.next(), eventType: "StressAppended", encoding: .binary, payload: writer.bytes,
        metadata: EventMetadata(time: EventClock.system.now(), actor: "pid-\(getpid())"))
    }
    let result = try await store.append(
      events, to: stream, expectedVersion: exact ? .at(version) : .any)
    version = result.lastVersion
    // Unbuffered, so that the parent sees each acknowledgement before any kill.
    FileHandle.standardOutput.write(
      Data("ack \(batch) \(result.lastPosition) \(result.lastVersion)\n".utf8))
  }
  store.close()
} catch {
  fail("\(error)")
}
