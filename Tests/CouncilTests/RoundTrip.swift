import Council
import EventLog
import EventLogPersonalData
import Foundation
import Testing

/// Seals the personal fields of the events the round-trip checks encode.
let roundTripVault = PersonalDataVault(keys: InMemoryDataKeyStore(), masterKey: .generate())

/// Checks that an event survives its binary form and its JSON form unchanged.
///
/// Personal values come back sealed, for the subject they were given: an event that holds
/// some is compared with every personal value reduced to its subject (the vault's own tests
/// check that the sealed values open to what was sealed).
func expectRoundTrip<Event: RecordableEvent & Equatable>(
  _ event: Event, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let data = try EventData(
    event, id: .random(), metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)),
    sealer: roundTripVault)
  let recorded = RecordedEvent(
    position: 1, stream: "test-1", version: 1, id: data.id, eventType: data.eventType,
    schemaVersion: data.schemaVersion, encoding: data.encoding, payload: data.payload,
    metadata: data.metadata)
  let decoded = try recorded.decode(as: Event.self)
  guard let payload = (event as? any CouncilEventWrapper)?.anyPayload,
    let decodedPayload = (decoded as? any CouncilEventWrapper)?.anyPayload
  else {
    #expect(decoded == event, sourceLocation: sourceLocation)
    return
  }
  let original = try personalValuesMasked(payload)
  if original == (try personalValuesMasked(payload, masking: false)) {
    #expect(decoded == event, sourceLocation: sourceLocation)
  } else {
    #expect(
      try personalValuesMasked(decodedPayload) == original, "\(data.eventType)",
      sourceLocation: sourceLocation)
  }
  #expect(
    try jsonRoundTrips(payload), "JSON of \(data.eventType)", sourceLocation: sourceLocation)
}

/// A payload's JSON with each personal value reduced to its subject.
func personalValuesMasked(_ payload: any CouncilEvent, masking: Bool = true) throws -> Data {
  func mask(_ json: Any) -> Any {
    if let object = json as? [String: Any] {
      if masking, object["value"] != nil || object["sealed"] != nil || object["erased"] != nil {
        return ["subject": object["subject"] ?? NSNull()]
      }
      return object.mapValues(mask)
    }
    if let array = json as? [Any] { return array.map(mask) }
    return json
  }
  let json = try JSONSerialization.jsonObject(with: CouncilCatalog.json(payload))
  return try JSONSerialization.data(withJSONObject: mask(json), options: [.sortedKeys])
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
