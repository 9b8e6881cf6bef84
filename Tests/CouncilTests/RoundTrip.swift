import Council
import EventLog
import Foundation
import Testing

/// Checks that an event survives its binary form and its JSON form unchanged.
func expectRoundTrip<Event: RecordableEvent & Equatable>(
  _ event: Event, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let data = try EventData(
    event, id: .random(), metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
  let recorded = RecordedEvent(
    position: 1, stream: "test-1", version: 1, id: data.id, eventType: data.eventType,
    schemaVersion: data.schemaVersion, encoding: data.encoding, payload: data.payload,
    metadata: data.metadata)
  #expect(try recorded.decode(as: Event.self) == event, sourceLocation: sourceLocation)
  if let payload = (event as? any CouncilEventWrapper)?.anyPayload {
    #expect(
      try jsonRoundTrips(payload), "JSON of \(data.eventType)", sourceLocation: sourceLocation)
  }
}

/// Whether a payload comes back equal from its JSON form.
func jsonRoundTrips<Payload: CouncilEvent>(_ payload: Payload) throws -> Bool {
  let encoder = JSONEncoder()
  encoder.outputFormatting = .sortedKeys
  return try JSONDecoder().decode(Payload.self, from: encoder.encode(payload)) == payload
}

/// The event families of the council expose their payload for the JSON check.
protocol CouncilEventWrapper { var anyPayload: any CouncilEvent { get } }
extension MemberEvent: CouncilEventWrapper { var anyPayload: any CouncilEvent { payload } }
