import CouncilSamples
import EventLogLMDB
import EventLogTestSupport
import Foundation
import Testing

@testable import Council
@testable import EventLog

/// The export writes lines as text where it used to go through `JSONEncoder` and
/// `JSONSerialization`; these tests hold the text paths to what the encoder paths write, byte
/// for byte.
@Suite("Export lines written as text")
struct ExportTextTests {
  /// Every event of a generated log, with the store (closed by the caller).
  func generatedLog(_ directory: borrowing TemporaryDirectory, events: Int) async throws
    -> (LMDBEventStore, [RecordedEvent])
  {
    let store = try LMDBEventStore(path: directory.appending("log"))
    _ = try await CouncilSimulation.generate(events: events, seed: 11, into: store)
    var all: [RecordedEvent] = []
    var next = LogPosition.first
    while true {
      let page = try await store.readLog(from: next, limit: 1000)
      if page.events.isEmpty { break }
      all += page.events
      next = page.nextPosition
    }
    return (store, all)
  }

  @Test func envelopesAreWrittenAsTheEncoderWritesThem() async throws {
    let directory = TemporaryDirectory()
    let (store, events) = try await generatedLog(directory, events: 1500)
    defer { store.close() }
    #expect(events.count >= 1500)
    // The generated events, and the same with every kind of metadata and awkward text.
    var variants = events
    let base = events[events.count - 1]
    let texts = [
      "plain", "with/slash", "with \"quotes\"", "back\\slash", "accentué ✓", "tab\there",
      "nul\u{0}",
      "del\u{7F}", "line\nbreak",
    ]
    for (index, text) in texts.enumerated() {
      var event = base
      event.metadata.actor = text
      event.stream = (try? StreamName(validating: "stream-" + text)) ?? base.stream
      event.eventType = base.eventType
      event.metadata.causationID = index.isMultiple(of: 2) ? base.id : nil
      event.metadata.correlationID = index.isMultiple(of: 3) ? nil : base.id
      if index.isMultiple(of: 4) { event.metadata.custom = ["b": text, "a/1": "x", "A": "y"] }
      variants.append(event)
      event.metadata.actor = nil
      variants.append(event)
    }
    var written = 0
    for event in variants {
      let payload = try CouncilCatalog.json(CouncilCatalog.decode(event))
      let expected = try Interchange.encoderLine(for: event, payload: payload)
      let line = try Interchange.line(for: event)
      let actor = event.metadata.actor ?? "-"
      #expect(line == expected, "position \(event.position), actor \(actor)")
      if Interchange.EnvelopeText.line(for: event, payload: payload) != nil { written += 1 }
    }
    // The text path wrote the generated events (the encoder only the unusual ones).
    #expect(written >= events.count)
  }

  @Test func payloadsAreWrittenAsTheEncoderWritesThem() async throws {
    let directory = TemporaryDirectory()
    let (store, events) = try await generatedLog(directory, events: 3000)
    defer { store.close() }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    var types: Set<String> = []
    for event in events {
      let payload = try CouncilCatalog.decode(event)
      let expected = try encoder.encode(payload)
      #expect(try CouncilCatalog.json(payload) == expected, "position \(event.position)")
      // Written directly, not handed back to `JSONEncoder`.
      #expect(try SortedJSONEncoder().encodeDirectly(payload) != nil)
      types.insert(event.eventType)
    }
    // Sealed personal values are among them; opened and erased ones are written as well.
    #expect(types.count > 20)
    let opened = Personal("Zoé \"Z\"", of: DataSubject("account", "a/1"))
    let bare = Personal("plain/text")
    let erased = Personal<String>(subject: DataSubject("account", "a-2"), content: .erased)
    for value in [opened, bare, erased] {
      #expect(try SortedJSONEncoder().encodeDirectly(value) == Array(try encoder.encode(value)))
    }
  }

  @Test func sealedLinesAreWrittenAsTheJSONPathWritesThem() async throws {
    let directory = TemporaryDirectory()
    let (store, events) = try await generatedLog(directory, events: 3000)
    defer { store.close() }
    let subjects = try await store.dataSubjects().keys.sorted()
    #expect(subjects.count > 10)
    // Every third subject written erased, participants (`GATHERING/REG`, a slash) among them.
    let erased = Set(subjects.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
    var textKeys = Interchange.ExportedKeys(store: store)
    var jsonKeys = Interchange.ExportedKeys(store: store)
    // One that remembers four subjects at most, and reads the others' keys again.
    var forgetfulKeys = Interchange.ExportedKeys(store: store)
    forgetfulKeys.remembered = 4
    var forgetfulJSONKeys = Interchange.ExportedKeys(store: store)
    forgetfulJSONKeys.remembered = 4
    var sealed = 0
    var erasedLines = 0
    for event in events where event.payload.contains(subsequence: [0xFF, 0x00]) {
      let text = try await Interchange.sealedLine(for: event, erased: erased, keys: &textKeys)
      let json = try await Interchange.line(
        for: event, erased: erased, revealingWith: nil, keys: &jsonKeys)
      #expect(text == json, "position \(event.position): \(textDifference(text, json))")
      let forgetful = try await Interchange.sealedLine(
        for: event, erased: erased, keys: &forgetfulKeys)
      #expect(forgetful == text, "position \(event.position)")
      #expect(forgetfulKeys.replacements.count <= 4)
      let forgetfulJSON = try await Interchange.line(
        for: event, erased: erased, revealingWith: nil, keys: &forgetfulJSONKeys)
      #expect(forgetfulJSON == json, "position \(event.position)")
      #expect(forgetfulJSONKeys.bySubject.count <= 4)
      if text.contains(#""sealed":"#) { sealed += 1 }
      if text.contains(#""erased":true"#) { erasedLines += 1 }
    }
    #expect(sealed > 100)
    #expect(erasedLines > 10)
    // Far more subjects than four were written.
    #expect(textKeys.replacements.count > 40)
    #expect(jsonKeys.bySubject.count > 40)
    // Participants' subjects hold a slash, which the encoder escapes and the JSON path does not.
    #expect(subjects.contains { $0.description.contains("/") })
  }

  /// The quick reading of a sealed value (no escape in it) finds what the full one finds, and
  /// leaves to it whatever holds an escape.
  @Test func sealedValuesReadQuicklyAsTheFullReadingReadsThem() async throws {
    let directory = TemporaryDirectory()
    let (store, events) = try await generatedLog(directory, events: 1500)
    defer { store.close() }
    var found = 0
    var lines: [[UInt8]] = []
    for event in events where event.payload.contains(subsequence: [0xFF, 0x00]) {
      var line: [UInt8] = []
      try Interchange.appendLine(for: event, to: &line, escapingSlashes: false)
      lines.append(line)
    }
    // And values whose text holds escapes, which only the full reading takes (or refuses).
    lines.append(Array(#"{"a":{"sealed":"AB\/C=","subject":"member:1"}}"#.utf8))
    lines.append(Array(#"{"a":{"sealed":"ABC=","subject":"member:"1"}}"#.utf8))
    lines.append(Array(#"{"a":{"sealed":"ABC=","subject":"member:1"},"b":{"sealed":"x"}}"#.utf8))
    for line in lines {
      // The search through the buffer finds the values the quick reading finds, where it
      // finds them, in a line alone and in a line among others.
      let quickly = line.indices.compactMap { index in
        Interchange.SealedValue.plainRanges(in: line[...], at: index).map { (index, $0) }
      }
      let before = Array("x{\"sealed\":\"".utf8)
      let framed = before + line + Array("{\"a\":1}".utf8)
      let shift = before.count
      for (bytes, shift) in [(line[...], 0), (framed[shift..<(shift + line.count)], shift)] {
        let found = Interchange.SealedValue.find(in: bytes).filter { $0.plain != nil }
        #expect(found.map(\.start) == quickly.map { $0.0 + shift })
        #expect(found.map { $0.plain!.end } == quickly.map { $0.1.end + shift })
        #expect(
          found.map { $0.plain!.subject }
            == quickly.map { ($0.1.subject.lowerBound + shift)..<($0.1.subject.upperBound + shift) }
        )
      }
      for index in line.indices where line[index] == UInt8(ascii: "{") {
        let full = Interchange.SealedValue(in: line[...], at: index)
        guard let quick = Interchange.SealedValue.plainRanges(in: line[...], at: index) else {
          continue
        }
        found += 1
        #expect(full?.end == quick.end)
        #expect(
          full?.subjectText
            == Array(line[(quick.subject.lowerBound - 1)...quick.subject.upperBound]))
        #expect(full?.body == Array(line[(index + 1)..<quick.end]))
      }
    }
    #expect(found > 100)
    let escaped = lines[lines.count - 3]
    #expect(Interchange.SealedValue.plainRanges(in: escaped[...], at: 5) == nil)
    #expect(Interchange.SealedValue(in: escaped[...], at: 5) != nil)
    let quoted = lines[lines.count - 2]
    #expect(Interchange.SealedValue.plainRanges(in: quoted[...], at: 5) == nil)
    #expect(Interchange.SealedValue(in: quoted[...], at: 5) == nil)
  }
}

@Suite("Byte searches")
struct ByteSearchTests {
  /// `firstOffset(of:from:)` finds what a byte-by-byte search finds, in random bytes over a
  /// small alphabet (so that partial matches are common), at every start.
  @Test func firstOffsetAgreesWithAByteByByteSearch() {
    var random = SplitMix64(seed: 7)
    for _ in 0..<300 {
      let haystack = (0..<Int(random.next() % 40)).map { _ in UInt8(random.next() % 3) }
      // Up to seven bytes: patterns of four or more are found by another path.
      let pattern = (0..<Int(random.next() % 8)).map { _ in UInt8(random.next() % 3) }
      for start in 0...(haystack.count + 1) {
        let naive =
          pattern.isEmpty
          ? (start <= haystack.count ? start : nil)
          : (start..<max(start, haystack.count - pattern.count + 1)).first {
            Array(haystack[$0..<($0 + pattern.count)]) == pattern
          }
        #expect(
          haystack.firstOffset(of: pattern, from: start) == naive, "\(haystack) \(pattern) \(start)"
        )
      }
      #expect(
        haystack.contains(subsequence: pattern)
          == (haystack.firstOffset(of: pattern, from: 0) != nil))
    }
  }
}

/// Where two texts first differ, for a short failure message.
private func textDifference(_ a: String, _ b: String) -> String {
  let a = Array(a.utf8)
  let b = Array(b.utf8)
  let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
  let around = { (bytes: [UInt8]) in
    String(decoding: bytes[max(0, index - 40)..<min(bytes.count, index + 40)], as: UTF8.self)
  }
  return "at byte \(index): \(around(a)) | \(around(b))"
}

@Suite("Import lines read in one pass, their keys as text")
struct ImportTextTests {
  @Test func exportedLinesReadInOnePassAndTheirKeysAndErasuresAsText() async throws {
    let directory = TemporaryDirectory()
    let (store, events) = try await ExportTextTests().generatedLog(directory, events: 3000)
    defer { store.close() }
    let subjects = try await store.dataSubjects().keys.sorted()
    let erased = Set(subjects.enumerated().filter { $0.offset % 4 == 1 }.map(\.element))
    var keys = Interchange.ExportedKeys(store: store)
    var scanned = 0
    var transcoded = 0
    for event in events {
      let personal = event.payload.contains(subsequence: [0xFF, 0x00])
      let line =
        personal
        ? try await Interchange.sealedLine(for: event, erased: erased, keys: &keys)
        : try Interchange.line(for: event)
      let bytes = Array(line.utf8)
      // One pass gives the envelope and payload the two passes give.
      let (envelope, payload, read) = try #require(Interchange.wholeLine(bytes))
      // Read by `StrictJSONDecoder` itself, not handed to `JSONDecoder`.
      let type = try #require(CouncilCatalog.byName[event.eventType])
      let direct = readDirectly(type, bytes)
      #expect(direct, "position \(event.position)")
      #expect(envelope.position == event.position)
      #expect(envelope.eventType == event.eventType)
      let twoPasses = try Interchange.decodePayload(type, Data(bytes))
      switch payload {
      case .value(let value):
        #expect(try CouncilCatalog.json(value) == CouncilCatalog.json(twoPasses))
        #expect(
          LegacySubjects.counts(event.eventType), "position \(event.position) was not transcoded")
      case .encoded(let encoded):
        // Written from the text: the bytes the payload read in two passes encodes to.
        var writer = BinaryWriter()
        twoPasses.encode(to: &writer)
        #expect(encoded == writer.bytes, "position \(event.position)")
        transcoded += 1
      }
      guard personal else {
        #expect(PersonalText.scan(bytes).map { $0.keys.isEmpty && $0.erased.isEmpty } ?? false)
        #expect(read.map { $0.keys.isEmpty && $0.erased.isEmpty } ?? false)
        continue
      }
      // As text, the keys and erasures JSON finds.
      let json = try JSONSerialization.jsonObject(with: Data(bytes))
      var jsonKeys: [WrappedDataKey] = []
      #expect(PersonalJSON.collectKeys(json, into: &jsonKeys))
      var jsonErased: Set<DataSubject> = []
      PersonalJSON.collectErased(json, into: &jsonErased)
      let text = try #require(PersonalText.scan(bytes), "position \(event.position)")
      #expect(Set(text.keys) == Set(jsonKeys), "position \(event.position)")
      #expect(text.keys.count == jsonKeys.count)
      #expect(text.erased == jsonErased, "position \(event.position)")
      // Read with the line, the same.
      let tape = try #require(read, "position \(event.position)")
      #expect(tape.keys == text.keys, "position \(event.position)")
      #expect(tape.erased == jsonErased, "position \(event.position)")
      if !text.keys.isEmpty || !text.erased.isEmpty { scanned += 1 }
      // Written otherwise (a space after each colon), a line with keys is left to JSON.
      if !jsonKeys.isEmpty {
        let spaced = Array(line.replacingOccurrences(of: "\":", with: "\": ").utf8)
        #expect(PersonalText.scan(spaced) == nil, "position \(event.position)")
        // Still JSON: the tape finds them all the same.
        let spacedJSON = try #require(JSONReader(spaced))
        let spacedRead = try #require(PersonalTape.collect(spacedJSON, at: 0))
        #expect(Set(spacedRead.keys) == Set(jsonKeys), "position \(event.position)")
        #expect(spacedRead.erased == jsonErased, "position \(event.position)")
      }
    }
    #expect(scanned > 100)
    // Every payload but a transfer's is written from the text, sealed, erased or plain.
    #expect(transcoded > events.count * 9 / 10)
  }
}

@Suite("Personal values read with the line")
struct PersonalTapeTests {
  /// What `PersonalTape` finds in `text`, and what `PersonalJSON` finds in its
  /// `JSONSerialization` form (`nil` keys when it refuses them).
  private func both(_ text: String) throws -> (
    tape: (keys: [WrappedDataKey], erased: Set<DataSubject>)?,
    json: (keys: [WrappedDataKey]?, erased: Set<DataSubject>)
  ) {
    let bytes = Array(text.utf8)
    let reader = try #require(JSONReader(bytes))
    let json = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    var keys: [WrappedDataKey] = []
    let readable = PersonalJSON.collectKeys(json, into: &keys)
    var erased: Set<DataSubject> = []
    PersonalJSON.collectErased(json, into: &erased)
    return (PersonalTape.collect(reader, at: 0), (readable ? keys : nil, erased))
  }

  @Test(arguments: [
    // Sealed values in the export's form, and in another key order and spacing.
    #"{"a":{"keys":[{"id":"1f","wrapped":"AAEC"}],"sealed":"QQ==","subject":"member:m/1"}}"#,
    #"{"x":[{"subject" : "account:a", "sealed":"QQ==", "keys":[{"wrapped":"AAEC","id":"2"},{"id":"3","wrapped":"AwQ="}]}]}"#,
    // Not a list of keys (an entry that is not all strings, a list that is not an array):
    // looked into, nothing found.
    #"{"keys":[{"id":1,"wrapped":"AAEC"}],"subject":"member:m/1","b":{"keys":[],"subject":"member:m/2"}}"#,
    #"{"keys":"none","subject":"member:m/1"}"#,
    // Erased values: at any depth, not looked into further once found.
    #"[{"erased":true,"subject":"member:y"},{"erased":false,"subject":"member:z"}]"#,
    #"{"erased":true,"subject":"member:a","x":{"erased":true,"subject":"member:b"}}"#,
    #"{"erased":true,"x":{"erased":true,"subject":"member:b"}}"#,
    // A list of keys is not looked into for more keys, but is for erased values.
    #"{"keys":[{"id":"1","wrapped":"AA=="}],"subject":"member:k","e":{"erased":true,"subject":"member:e","keys":[{"id":"9","wrapped":"AA=="}]}}"#,
    #"{"plain":"text","n":[1,2,{"deep":null}]}"#,
  ])
  func findsWhatTheJSONReadingFinds(_ text: String) throws {
    let (tape, json) = try both(text)
    let read = try #require(tape, "\(text)")
    #expect(read.keys == json.keys, "\(text)")
    #expect(read.erased == json.erased, "\(text)")
  }

  /// Where `JSONSerialization` and the tape could differ, or the JSON reading words an error,
  /// the line is left to it.
  @Test(arguments: [
    #"{"keys":[{"id":"1","wrapped":"AA=="}],"subject":"member:k","subject":"member:j"}"#,
    #"{"keys":[{"id":"1","id":"2","wrapped":"AA=="}],"subject":"member:k"}"#,
    #"{"k\u0065ys":[{"id":"1","wrapped":"AA=="}],"subject":"member:k"}"#,
    #"{"keys":[{"id":"1"}],"subject":"member:k"}"#,
    #"{"keys":[{"id":"0","wrapped":"AA=="}],"subject":"member:k"}"#,
    #"{"keys":[{"id":"1","wrapped":"AA=="}],"subject":"no colon"}"#,
    #"{"erased":1,"subject":"member:k"}"#,
  ])
  func leavesTheDoubtfulToTheJSONReading(_ text: String) throws {
    #expect(try both(text).tape == nil, "\(text)")
  }
}

/// Whether the line's envelope and payload are read by the generated readers (what the import
/// does first) without `JSONDecoder`.
private func readDirectly(_ type: any CouncilEvent.Type, _ bytes: [UInt8]) -> Bool {
  guard let reader = JSONReader(bytes) else { return false }
  return (try? Interchange.readWhole(type, reader)) != nil
}

/// An export writes each line from the record where it lies in the store; these tests hold
/// those lines to the ones written from the record's owned event, byte for byte, and the
/// export to the log's order and positions.
@Suite("Export lines written from records")
struct RecordLineTests {
  /// A line from every record of a generated log, and of records with every kind of metadata
  /// and awkward text in their stream names and actors, equals the line of its owned event.
  @Test func linesFromRecordsAreTheLinesOfTheirEvents() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 1500, seed: 5, into: store)
    let base = try #require(try await store.readLog(from: .first, limit: 1).events.first)
    let texts = [
      "plain", "with/slash", "with \"quotes\"", "back\\slash", "accentué ✓", "tab\there",
      "nul\u{0}", "del\u{7F}", "line\nbreak",
    ]
    var number: UInt64 = 1
    for (index, text) in texts.enumerated() {
      for actor in [text, nil] {
        var data = base.data
        number += 1
        data.id = EventID(high: 0xABCD, low: number)
        data.recordedTime = nil
        data.metadata.actor = actor
        data.metadata.causationID = index.isMultiple(of: 2) ? base.id : nil
        data.metadata.correlationID = index.isMultiple(of: 3) ? nil : base.id
        if index.isMultiple(of: 4) { data.metadata.custom = ["b": text, "a/1": "x"] }
        let stream = (try? StreamName(validating: "stream-" + text)) ?? base.stream
        _ = try await store.append([data], to: stream, expectedVersion: .any)
      }
    }
    var lines = 0
    var direct = 0
    var sealed = 0
    var next = LogPosition.first
    while true {
      let after = try await store.scanLog(from: next, limit: 500, filter: .all) { record in
        let event = try record.recordedEvent()
        for escaping in [true, false] {
          var fromRecord: [UInt8] = Array("kept ".utf8)
          try Interchange.appendLine(for: record, to: &fromRecord, escapingSlashes: escaping)
          var fromEvent: [UInt8] = Array("kept ".utf8)
          try Interchange.appendLine(for: event, to: &fromEvent, escapingSlashes: escaping)
          #expect(
            fromRecord == fromEvent,
            "position \(record.position): \(textDifference(String(decoding: fromRecord, as: UTF8.self), String(decoding: fromEvent, as: UTF8.self)))"
          )
        }
        lines += 1
        var envelope: [UInt8] = []
        if try Interchange.RecordEnvelopeText.append(for: record, to: &envelope) {
          direct += 1
        } else {
          #expect(envelope.isEmpty)
        }
        let holds = Interchange.mayHoldPersonalValue(record.payload)
        #expect(holds == Array(record.payload).contains(subsequence: [0xFF, 0x00]))
        if holds { sealed += 1 }
      }
      if after == next { break }
      next = after
    }
    #expect(lines >= 1500 + 2 * texts.count)
    // The envelopes of the generated events are written from their records; those with custom
    // metadata or a control character go the owned event's way.
    #expect(direct >= 1500)
    #expect(direct < lines)
    #expect(sealed > 100)
  }

  /// The export's pages, written side by side from the records, are the lines of the events
  /// one by one: plain, sealed with their subjects' keys, or erased for forgotten subjects.
  @Test func pagesAreTheLinesOfTheirEvents() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 3500, seed: 17, into: store)
    let subjects = try await store.dataSubjects().keys.sorted()
    for subject in subjects.enumerated().filter({ $0.offset % 4 == 1 }).map(\.element) {
      _ = try await store.destroyDataKeys(of: subject)
    }
    let erased = try await store.erasedDataSubjects().erased
    #expect(erased.count > 10)
    var keys = Interchange.ExportedKeys(store: store)
    var expected: [String] = []
    var next = LogPosition.first
    while true {
      let page = try await store.readLog(from: next, limit: 700)
      if page.events.isEmpty { break }
      for event in page.events {
        if event.payload.contains(subsequence: [0xFF, 0x00]) {
          expected.append(
            try await Interchange.sealedLine(for: event, erased: erased, keys: &keys))
        } else {
          expected.append(try Interchange.line(for: event))
        }
      }
      next = page.nextPosition
    }
    var lines: [String] = []
    let count = try await Interchange.exportLines(store) { line in
      lines.append(String(decoding: line, as: UTF8.self))
    }
    #expect(count == expected.count)
    #expect(lines.count == expected.count)
    for (index, (line, wanted)) in zip(lines, expected).enumerated() where line != wanted {
      Issue.record("line \(index + 1): \(textDifference(line, wanted))")
    }
    #expect(lines.contains { $0.contains(#""erased":true"#) })
    #expect(lines.contains { $0.contains(#""keys":[{"#) })
  }

  /// Text that is not valid UTF-8, or holds a control character, is left to the owned event's
  /// path (which repairs or escapes it); quotes and backslashes are escaped.
  @Test func envelopeTextIsCopiedOnlyWhenItNeedsNoOtherEscape() {
    func written(_ bytes: [UInt8]) -> String? {
      var out: [UInt8] = []
      let done = bytes.withUnsafeBytes { Interchange.RecordEnvelopeText.string($0, &out) }
      return done ? String(decoding: out, as: UTF8.self) : nil
    }
    #expect(written(Array("member-1".utf8)) == #""member-1""#)
    #expect(written(Array(#"a"b\c/d"#.utf8)) == #""a\"b\\c/d""#)
    #expect(written(Array("Zoé ✓".utf8)) == "\"Zoé ✓\"")
    #expect(written([0x61, 0xC3]) == nil)  // a sequence cut short
    #expect(written([0x61, 0xFF, 0x62]) == nil)
    #expect(written([0x61, 0x09]) == nil)
    #expect(written([0x7F]) == nil)
    #expect(written([]) == #""""#)
  }

  /// The word-at-a-time scan finds what a byte-by-byte one finds, in random text of every
  /// length up to 40 over the bytes that matter and their neighbours.
  @Test func textScanAgreesWithAByteByByteScan() {
    var random = SplitMix64(seed: 21)
    let alphabet: [UInt8] = [
      0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x41, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3,
      0xFF,
    ]
    for _ in 0..<4000 {
      let count = Int(random.next() % 41)
      // Mostly plain letters, so that a word often holds one byte that matters or none.
      let text = (0..<count).map { _ in
        random.next() % 6 == 0
          ? alphabet[Int(random.next() % UInt64(alphabet.count))] : UInt8(0x61 + random.next() % 26)
      }
      let scan = text.withUnsafeBytes { TextScan($0) }
      #expect(scan.control == text.contains { $0 < 0x20 || $0 == 0x7F }, "\(text)")
      #expect(scan.quoteOrBackslash == text.contains { $0 == 0x22 || $0 == 0x5C }, "\(text)")
      #expect(scan.nonASCII == text.contains { $0 >= 0x80 }, "\(text)")
    }
  }

  /// The export of a log that grows while it is written is the lines of a prefix of the log,
  /// in order, each position once; exported again when it is still, every line.
  @Test func exportWhileAppendingWritesAPrefixInOrder() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 2500, seed: 9, into: store)
    let base = try #require(try await store.readLog(from: .first, limit: 1).events.first)
    let appending = Task {
      for number in 0..<300 {
        var data = base.data
        data.id = EventID(high: 0xBEEF, low: UInt64(number))
        data.recordedTime = nil
        _ = try await store.append([data], to: base.stream, expectedVersion: .any)
      }
    }
    var positions: [UInt64] = []
    let count = try await Interchange.exportLines(store) { line in
      let text = String(decoding: line, as: UTF8.self)
      let position = try #require(
        text.firstRange(of: #","position":"#).map { range in
          UInt64(text[range.upperBound...].prefix { $0.isNumber })
        } ?? nil)
      positions.append(position)
    }
    try await appending.value
    #expect(count == positions.count)
    #expect(positions == Array(1...UInt64(positions.count)))
    #expect(positions.count >= 2500)
    let head = try await store.headPosition()
    var all: [String] = []
    try await Interchange.export(store) { all.append($0) }
    #expect(all.count == Int(head.rawValue))
    for (index, line) in all.enumerated() {
      let event = try #require(
        try await store.readLog(from: LogPosition(UInt64(index + 1)), limit: 1).events.first)
      if !event.payload.withUnsafeBytes({ Interchange.mayHoldPersonalValue($0) }) {
        #expect(line == (try Interchange.line(for: event)))
      }
    }
  }

  /// A store that skips a position stops the export with an error that names where.
  @Test func aLogWithAGapIsRefused() async throws {
    let directory = TemporaryDirectory()
    let inner = try LMDBEventStore(path: directory.appending("log"))
    defer { inner.close() }
    _ = try await CouncilSimulation.generate(events: 2500, seed: 3, into: inner)
    let store = SkippingStore(base: inner, skipped: LogPosition(1700))
    var lines = 0
    await #expect {
      _ = try await Interchange.exportLines(store) { _ in lines += 1 }
    } throws: { error in
      let error = error as? EventStoreError
      return error?.code == .corruptRecord && error?.position == LogPosition(1701)
        && error?.message.contains("skips from position 1699 to 1701") == true
    }
    // The pages before the gap were written, none after it.
    #expect(lines == 1000)
  }
}

/// A store that reads as `base` without one position: a log with a gap, which no store of this
/// library makes.
private struct SkippingStore: ForwardingStore {
  let base: LMDBEventStore
  let skipped: LogPosition
  var inner: any EventStore { base }

  func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    var delivered = 0
    var next = position
    while delivered < limit {
      let after = try await base.scanLog(from: next, limit: limit - delivered, filter: filter) {
        record in
        guard record.position != skipped else { return }
        delivered += 1
        try body(record)
      }
      if after == next { break }
      next = after
    }
    return next
  }
}
