import Council
import EventLog
import Foundation
import PropertyBased
import Testing

/// Every council event type, made at random field by field, survives both of its forms and its
/// family: the binary form (`@BinaryEvent`), the JSON form (synthesized `Codable`, through the
/// catalog) and the family's decoder table and encoding switch (`@EventFamily`).
@Suite("Every event type round-trips, at random")
struct EventRoundTripPropertyTests {
  /// A seed per case; the event is made from it inside the property, where making it may throw.
  private static let seeds = Generator<UInt64, Shrink.None<UInt64>> { rng in rng.next() }

  /// The two event types that belong to no family: the council's settings and the e-mail
  /// reservation, each a stream of its own kind.
  private static let standalone: Set<String> = ["CouncilEstablished", "EmailReserved"]

  @Test(
    "binary, JSON and family forms give back the same event",
    arguments: CouncilCatalog.types.map { $0.eventType })
  func roundTrips(_ name: String) async throws {
    let type = try #require(CouncilCatalog.byName[name])
    await propertyCheck(count: 60, input: Self.seeds) { seed in
      let event = try RandomValueDecoder.value(type, source: RandomSource(seed: seed))
      try Self.check(event)
    }
  }

  /// Checks one event through every form it has.
  private static func check<Event: CouncilEvent>(_ event: Event) throws {
    var writer = BinaryWriter()
    event.encode(to: &writer)
    if let failure = writer.failure {
      // A random personal value has no data subject, and is refused rather than written in
      // plaintext; the family tests round-trip personal values given their subjects.
      #expect(failure.code == .noSubject, "\(Event.eventType): \(failure)")
      let json = try CouncilCatalog.json(event)
      let fromJSON = try CouncilCatalog.payload(named: Event.eventType, json: json)
      #expect(fromJSON as? Event == event, "\(Event.eventType): JSON form")
      return
    }
    let bytes = writer.bytes
    let decoded = try bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      let value = try Event(from: &reader)
      #expect(reader.isAtEnd, "\(Event.eventType): bytes left over")
      return value
    }
    #expect(decoded == event, "\(Event.eventType): binary form")

    let json = try CouncilCatalog.json(event)
    let fromJSON = try CouncilCatalog.payload(named: Event.eventType, json: json)
    #expect(fromJSON as? Event == event, "\(Event.eventType): JSON form")

    let families = CouncilCatalog.families.filter { $0.eventTypes.contains(Event.eventType) }
    if standalone.contains(Event.eventType) {
      #expect(families.isEmpty, "\(Event.eventType) belongs to no family")
      return
    }
    #expect(families.count == 1, "\(Event.eventType) is in \(families.count) families")
    for family in families { try checkFamily(family, event, bytes) }
  }

  /// Reads `bytes` through the family's decoder table, and writes the case again.
  private static func checkFamily<Family: CouncilEventFamily, Event: CouncilEvent>(
    _: Family.Type, _ event: Event, _ bytes: [UInt8]
  ) throws {
    let decoder = try #require(Family.decoders[Event.eventType])
    let wrapped = try bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      return try decoder(Family.schemaVersion(of: Event.eventType), &reader)
    }
    #expect(wrapped.eventType == Event.eventType)
    #expect(wrapped.payload as? Event == event, "\(Event.eventType): \(Family.self)'s case")
    var writer = BinaryWriter()
    try wrapped.encodePayload(to: &writer)
    #expect(writer.bytes == bytes, "\(Event.eventType): \(Family.self) writes other bytes")
    #expect(
      Family.payloadTypes.contains { $0 == Event.self },
      "\(Event.eventType) is missing from \(Family.self).payloadTypes")
  }

  @Test("the catalog holds every declared event type once, and the golden log's types")
  func catalogIsComplete() throws {
    let names = CouncilCatalog.types.map { $0.eventType }
    #expect(Set(names).count == names.count, "an event type is listed twice")

    // Every `@BinaryEvent` struct in the council's sources, found by reading them.
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "Sources/Council")
    var declared: Set<String> = []
    let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
    while let file = files?.nextObject() as? URL {
      guard file.pathExtension == "swift" else { continue }
      let text = try String(contentsOf: file, encoding: .utf8)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      for (index, line) in lines.enumerated() where line.hasPrefix("@BinaryEvent") {
        guard index + 1 < lines.count,
          let name = lines[index + 1].split(separator: " ").dropFirst(2).first
        else { continue }
        declared.insert(String(name.prefix { $0 != ":" && $0 != "{" }))
      }
    }
    #expect(declared.count >= 56)
    #expect(
      declared == Set(names), "declared but not in the catalog: \(declared.subtracting(names))")

    let inFamilies = CouncilCatalog.families.flatMap { $0.eventTypes }
    #expect(Set(inFamilies).count == inFamilies.count, "a type is in two families")
    #expect(Set(inFamilies).union(Self.standalone) == Set(names))

    let golden = try GoldenLog.exportedLines().compactMap { line -> String? in
      guard let data = line.data(using: .utf8),
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
      else { return nil }
      return object["eventType"] as? String
    }
    // The erasure of personal data came after the golden log (format 2).
    #expect(Set(golden) == Set(names).subtracting(["PersonalDataErased"]))
  }
}
