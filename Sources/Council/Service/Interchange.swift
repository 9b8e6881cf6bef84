import EventLog
import Foundation

/// The log's interchange form: JSON Lines, one recorded event a line, keys sorted:
///
/// ```json
/// {"data":{…},"eventType":"MemberApplied","id":"0190…","metadata":{"actor":"office","correlationID":"…","custom":{}},"position":7,"schemaVersion":1,"stream":"member-42","time":"2018-05-18T09:00:00.000000000Z","version":1}
/// ```
///
/// `data` is the event's payload in its JSON (`Codable`) form. Exporting a log and importing
/// the file into an empty log gives an identical log: same positions, streams, versions, IDs,
/// types, times and metadata, and the same payload bytes.
public enum Interchange {
  struct Envelope: Codable {
    var eventType: String
    var id: EventID
    var metadata: Metadata
    var position: LogPosition
    /// When the log recorded the event (absent in files written before format 2).
    var recorded: Timestamp?
    var schemaVersion: UInt16
    var stream: StreamName
    var time: Timestamp
    var version: StreamVersion
  }

  struct Metadata: Codable {
    var actor: String?
    var causationID: EventID?
    var correlationID: EventID?
    var custom: [String: String]
  }

  /// One event as a line of JSON (without the newline).
  public static func line(for event: RecordedEvent) throws -> String {
    let payload = try CouncilCatalog.json(CouncilCatalog.decode(event))
    let envelope = Envelope(
      eventType: event.eventType, id: event.id,
      metadata: Metadata(
        actor: event.metadata.actor, causationID: event.metadata.causationID,
        correlationID: event.metadata.correlationID, custom: event.metadata.custom),
      position: event.position, recorded: event.recordedTime, schemaVersion: event.schemaVersion,
      stream: event.stream,
      time: event.metadata.time, version: event.version)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let rest = try encoder.encode(envelope)
    // "data" sorts before every other key, so the line stays in sorted-key order.
    return "{\"data\":" + String(decoding: payload, as: UTF8.self) + ","
      + String(decoding: rest.dropFirst(), as: UTF8.self)
  }

  /// Writes every event of `store` from `position` on, a line each, to `write`.
  ///
  /// - Returns: the number of events written.
  @discardableResult
  public static func export(
    _ store: any EventStore, from position: LogPosition = .first, to write: (String) throws -> Void
  ) async throws -> Int {
    var next = position
    var count = 0
    while true {
      let page = try await store.readLog(from: next, limit: 1000)
      if page.events.isEmpty { return count }
      for event in page.events {
        try write(try line(for: event))
        count += 1
      }
      next = page.nextPosition
    }
  }

  /// A line of the interchange form that cannot be imported: where and why.
  public struct ImportError: Error, CustomStringConvertible {
    /// The line number, from 1.
    public var line: Int
    /// What was wrong.
    public var reason: String

    /// `line 12: …`.
    public var description: String { "line \(line): \(reason)" }
  }

  /// Reads one line back into the event it describes.
  public static func event(fromLine text: String, number: Int) throws -> RecordedEvent {
    let bytes = Data(text.utf8)
    let envelope: Envelope
    let payload: any CouncilEvent
    do {
      envelope = try JSONDecoder().decode(Envelope.self, from: bytes)
      guard let object = try JSONSerialization.jsonObject(with: bytes) as? [String: Any],
        let data = object["data"] as? [String: Any]  // null, a number or text would trap below
      else { throw ImportError(line: number, reason: "no data object") }
      let json = try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys])
      payload = try CouncilCatalog.payload(named: envelope.eventType, json: json)
    } catch let error as ImportError {
      throw error
    } catch {
      throw ImportError(line: number, reason: "\(error)")
    }
    var writer = BinaryWriter()
    payload.encode(to: &writer)
    return RecordedEvent(
      position: envelope.position, stream: envelope.stream, version: envelope.version,
      id: envelope.id,
      eventType: envelope.eventType, schemaVersion: envelope.schemaVersion, encoding: .binary,
      payload: writer.bytes,
      metadata: EventMetadata(
        time: envelope.time, correlationID: envelope.metadata.correlationID,
        causationID: envelope.metadata.causationID, actor: envelope.metadata.actor,
        custom: envelope.metadata.custom),
      recordedTime: envelope.recorded ?? envelope.time)
  }

  /// Appends the events of `lines` to `store`, each at the position, stream and version it
  /// records: into an empty log this recreates the exported log exactly.
  ///
  /// - Throws: ``ImportError`` for a line that does not parse or would land elsewhere than it
  ///   says (then everything before that line has been imported).
  /// - Returns: the number of events imported.
  @discardableResult
  public static func importLines<Lines: Sequence<String>>(
    _ lines: Lines, into store: any EventStore
  )
    async throws -> Int
  {
    var batch: [RecordedEvent] = []
    var batchLine = 0
    var count = 0
    var number = 0
    func flush() async throws {
      guard let first = batch.first else { return }
      let expected: ExpectedVersion =
        first.version.rawValue == 1
        ? .noStream : .exactly(StreamVersion(first.version.rawValue - 1))
      do {
        let result = try await store.append(
          batch.map(\.data), to: first.stream, expectedVersion: expected)
        guard result.firstPosition == first.position else {
          throw ImportError(
            line: batchLine,
            reason:
              "event \(first.id) landed at position \(result.firstPosition), not \(first.position): import into an empty log"
          )
        }
      } catch let error as EventStoreError {
        throw ImportError(line: batchLine, reason: error.description)
      }
      count += batch.count
      batch.removeAll(keepingCapacity: true)
    }
    for text in lines {
      number += 1
      if text.isEmpty { continue }
      let event: RecordedEvent
      do {
        event = try Self.event(fromLine: text, number: number)
      } catch {
        try await flush()
        throw error
      }
      if let last = batch.last, last.stream != event.stream || batch.count >= 500 {
        try await flush()
      }
      if batch.isEmpty { batchLine = number }
      batch.append(event)
    }
    try await flush()
    return count
  }
}
