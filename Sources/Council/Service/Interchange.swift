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
    var bytes: [UInt8] = []
    try appendLine(for: event, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends one event as a line of JSON (without the newline) to `out`: the payload written
  /// by its generated ``EventLog/JSONWritable`` form straight into `out`, then the envelope
  /// (by ``EnvelopeText``, or `JSONEncoder` for what that leaves to it). On an error `out` is
  /// as it was.
  static func appendLine(
    for event: RecordedEvent, to out: inout [UInt8], escapingSlashes: Bool = true
  ) throws {
    let payload = try CouncilCatalog.decode(event)
    let start = out.count
    var writer = JSONWriter(escapesSlashes: escapingSlashes, capacity: 0)
    swap(&writer.bytes, &out)
    writer.bytes.append(contentsOf: #"{"data":"#.utf8)
    let payloadStart = writer.bytes.count
    do {
      try payload.writeJSON(to: &writer)
    } catch {
      swap(&writer.bytes, &out)
      out.removeSubrange(start...)
      throw error
    }
    swap(&writer.bytes, &out)
    if !EnvelopeText.append(for: event, to: &out) {
      let json = Data(out[payloadStart...])
      out.removeSubrange(start...)
      out.append(contentsOf: try encoderLine(for: event, payload: json).utf8)
    }
  }

  /// A line whose envelope `JSONEncoder` writes: what ``EnvelopeText`` writes faster.
  static func encoderLine(for event: RecordedEvent, payload: Data) throws -> String {
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

  /// The envelope of a line written directly, byte for byte as `JSONEncoder` writes
  /// ``Envelope`` (sorted keys, slashes unescaped), for the events whose text needs no
  /// escape but of `"` and `\\` and whose metadata has no custom entries; `nil` for the others,
  /// which `JSONEncoder` writes. Encoding the envelope was most of an export's time.
  enum EnvelopeText {
    static func line(for event: RecordedEvent, payload: Data) -> String? {
      var out: [UInt8] = []
      out.reserveCapacity(payload.count + 400)
      out.append(contentsOf: #"{"data":"#.utf8)
      out.append(contentsOf: payload)
      guard append(for: event, to: &out) else { return nil }
      return String(decoding: out, as: UTF8.self)
    }

    /// Appends the envelope that follows the payload (from `,"eventType":` to the closing
    /// brace) to `out`; `false`, with `out` as it was, for an envelope it leaves to
    /// `JSONEncoder`.
    static func append(for event: RecordedEvent, to out: inout [UInt8]) -> Bool {
      let start = out.count
      if appendEnvelope(for: event, to: &out) { return true }
      out.removeSubrange(start...)
      return false
    }

    private static func appendEnvelope(for event: RecordedEvent, to out: inout [UInt8]) -> Bool {
      guard event.metadata.custom.isEmpty else { return false }
      out.append(contentsOf: #","eventType":"#.utf8)
      guard string(event.eventType, &out) else { return false }
      out.append(contentsOf: #","id":""#.utf8)
      event.id.appendText(to: &out)
      out.append(contentsOf: #"","metadata":{"#.utf8)
      var first = true
      if let actor = event.metadata.actor {
        out.append(contentsOf: #""actor":"#.utf8)
        guard string(actor, &out) else { return false }
        first = false
      }
      if let causation = event.metadata.causationID {
        out.append(contentsOf: (first ? #""causationID":""# : #","causationID":""#).utf8)
        causation.appendText(to: &out)
        out.append(UInt8(ascii: "\""))
        first = false
      }
      if let correlation = event.metadata.correlationID {
        out.append(contentsOf: (first ? #""correlationID":""# : #","correlationID":""#).utf8)
        correlation.appendText(to: &out)
        out.append(UInt8(ascii: "\""))
        first = false
      }
      out.append(
        contentsOf: (first ? #""custom":{}},"position":"# : #","custom":{}},"position":"#).utf8)
      JSONText.appendDecimal(event.position.rawValue, negative: false, to: &out)
      out.append(contentsOf: #","recorded":""#.utf8)
      event.recordedTime.appendText(to: &out)
      out.append(contentsOf: #"","schemaVersion":"#.utf8)
      JSONText.appendDecimal(UInt64(event.schemaVersion), negative: false, to: &out)
      out.append(contentsOf: #","stream":"#.utf8)
      guard string(event.stream.rawValue, &out) else { return false }
      out.append(contentsOf: #","time":""#.utf8)
      event.metadata.time.appendText(to: &out)
      out.append(contentsOf: #"","version":"#.utf8)
      JSONText.appendDecimal(event.version.rawValue, negative: false, to: &out)
      out.append(UInt8(ascii: "}"))
      return true
    }

    /// Appends `value` as a JSON string; `false` when it has a control character (whose
    /// escape is left to `JSONEncoder`). Text with nothing to escape is copied whole.
    private static func string(_ value: String, _ out: inout [UInt8]) -> Bool {
      var value = value
      return value.withUTF8 { utf8 in
        out.append(UInt8(ascii: "\""))
        var plain = true
        for byte in utf8
        where byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"")
          || byte == UInt8(ascii: "\\")
        {
          plain = false
          break
        }
        if plain {
          out.append(contentsOf: utf8)
        } else {
          for byte in utf8 {
            if byte < 0x20 || byte == 0x7F { return false }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
              out.append(UInt8(ascii: "\\"))
            }
            out.append(byte)
          }
        }
        out.append(UInt8(ascii: "\""))
        return true
      }
    }
  }

  /// Writes every event of `store` from `position` on, a line each, to `write`.
  ///
  /// Personal values are written sealed (their ciphertext, which only the log's keys open),
  /// except those of forgotten subjects, written erased. With `protector` (which must hold the
  /// master key the log's keys were wrapped with) they are written opened, in plaintext: an
  /// export to move a log to new keys, or to answer for its whole content. Importing either
  /// keeps erased subjects erased; importing an opened export seals its values again.
  ///
  /// The lines are made on two tasks, two pages of the log at a time; `write` is called on the
  /// caller's task, in the log's order.
  ///
  /// - Returns: the number of events written.
  @discardableResult
  public static func export(
    _ store: any EventStore, from position: LogPosition = .first,
    revealingWith protector: (any PersonalDataProtector)? = nil,
    to write: (String) throws -> Void
  ) async throws -> Int {
    try await exportLines(store, from: position, revealingWith: protector) { line in
      try write(String(decoding: line, as: UTF8.self))
    }
  }

  /// Writes every event of `store` from `position` on, a line each (its bytes, without the
  /// newline, lent for the call), to `emit`; what ``export(_:from:revealingWith:to:)`` does without making
  /// strings.
  ///
  /// The log is read a page at a time, each page on a task of its own that writes its lines
  /// from the records where they lie in the store (``EventStore/scanLog(from:limit:filter:_:)``,
  /// nothing copied first), several pages at a time, so an export keeps every core busy;
  /// `emit` is called on the caller's task, in the log's order. Pages are found by position,
  /// since a store's positions have no gaps (a page that says otherwise stops the export with
  /// an error). After a page that is not full, the pages begun after it are dropped and the
  /// export goes on from where it ended, until a page is empty. On an error nothing is left
  /// reading the store.
  static func exportLines(
    _ store: any EventStore, from position: LogPosition = .first,
    revealingWith protector: (any PersonalDataProtector)? = nil,
    emit: (UnsafeRawBufferPointer) throws -> Void
  ) async throws -> Int {
    let keyStore = store as? any DataKeyStore
    let subjects =
      try await keyStore?.erasedDataSubjects()
      ?? ErasedDataSubjects(anySubject: false, erased: [])
    let context = PageContext(
      anySubject: subjects.anySubject, erased: subjects.erased, protector: protector)
    // A cache of subjects' keys for each page being written at a time.
    let newKeys = { KeysInHand(ExportedKeys(store: protector == nil ? keyStore : nil)) }
    var spareKeys: [KeysInHand] = []
    var next = max(position, .first).rawValue
    var writing: [Task<WrittenPage, any Error>] = []
    writing.reserveCapacity(exportPagesAtOnce)
    func startPage() {
      let keys = spareKeys.popLast() ?? newKeys()
      writing.append(
        Task { [from = LogPosition(next)] in
          try await WrittenPage(
            store, from: from, limit: exportPageSize, context: context, keys: keys)
        })
      next += UInt64(exportPageSize)
    }
    var count = 0
    do {
      while true {
        while writing.count < exportPagesAtOnce { startPage() }
        let page = try await writing.removeFirst().value
        count += try page.emit(emit)
        spareKeys.append(page.keys)
        if page.lineCount < exportPageSize {
          // The end of the log, or a store that gave fewer than asked: the pages begun after
          // this one started past where it ended.
          await stop(writing)
          writing.removeAll()
          if page.lineCount == 0 { break }
          next = page.start.rawValue + UInt64(page.lineCount)
        }
      }
    } catch {
      // Nothing may be left reading a store its caller is about to close.
      await stop(writing)
      throw error
    }
    return count
  }

  /// Cancels the pages' tasks and waits for them, leaving nothing reading the store.
  private static func stop(_ pages: [Task<WrittenPage, any Error>]) async {
    for task in pages { task.cancel() }
    for task in pages { _ = try? await task.value }
  }

  /// How many events an export reads at a time.
  static let exportPageSize = 1000

  /// How many pages an export writes at a time: one more than this machine's cores, at
  /// least two, so that the cores stay busy while the caller emits the oldest page's lines.
  static let exportPagesAtOnce = max(2, ProcessInfo.processInfo.activeProcessorCount + 1)

  /// What writing an event as a line needs besides the event and the keys.
  struct PageContext: Sendable {
    /// Whether the log holds any data subject (when not, no line holds a sealed value).
    var anySubject: Bool
    /// The subjects that are forgotten.
    var erased: Set<DataSubject>
    /// What opens sealed values, in an export written in plaintext.
    var protector: (any PersonalDataProtector)?
  }

  /// A cache of subjects' keys handed from one page's task to a later one's: a class, so that
  /// the task that holds it fills it in place (a copied dictionary would be copied again on its
  /// first change). Only one task holds it at a time: ``exportLines(_:from:revealingWith:emit:)``
  /// gives it to a page's task and takes it back only after that task has finished, which is
  /// what makes it safe to send.
  final class KeysInHand: @unchecked Sendable {
    var keys: ExportedKeys
    init(_ keys: ExportedKeys) { self.keys = keys }
  }

  /// A page of events written as lines: the lines' bytes one after the other and where each
  /// one ends, the lines that hold personal values written again apart (with their subjects'
  /// keys, or opened), and the cache of subjects' keys that writing them filled.
  struct WrittenPage: Sendable {
    /// The lines as read, one after the other.
    var bytes: [UInt8] = []
    /// Where each line ends in ``bytes`` (a line written again as it was read, or empty).
    var ends: [Int] = []
    /// The lines written again, one after the other.
    var rewritten: [UInt8] = []
    /// The lines written again, in order: their index among the lines, and where they end in
    /// ``rewritten``.
    var rewrittenLines: [(line: Int, end: Int)] = []
    var keys: KeysInHand
    /// The position the page was read from.
    var start: LogPosition

    /// How many lines (events) the page holds.
    var lineCount: Int { ends.count }

    /// Writes the lines of up to `limit` events from `start` on, read from `store` in one
    /// scan.
    ///
    /// - Throws: the store's errors; an error that names the position when the store skips
    ///   one (its positions must have no gaps); a line's error.
    init(
      _ store: any EventStore, from start: LogPosition, limit: Int, context: PageContext,
      keys: KeysInHand
    ) async throws {
      self.keys = keys
      self.start = start
      var bytes: [UInt8] = []
      var ends: [Int] = []
      bytes.reserveCapacity(limit * 512)
      ends.reserveCapacity(limit)
      // The lines that hold personal values: written plain (slashes unescaped) and edited
      // after the scan, or, in an opened export, read again as owned events.
      var sealed: [Int] = []
      var opened: [(line: Int, event: RecordedEvent)] = []
      var expected = start.rawValue
      var types = CouncilCatalog.RecordTypes()
      _ = try await store.scanLog(from: start, limit: limit, filter: .all) { record in
        guard record.position.rawValue == expected else {
          throw EventStoreError(
            .corruptRecord,
            "the log skips from position \(expected - 1) to \(record.position.rawValue)",
            position: record.position)
        }
        expected += 1
        if !context.anySubject || !Interchange.mayHoldPersonalValue(record.payload) {
          try Interchange.appendLine(
            for: record, to: &bytes, escapingSlashes: true, types: &types)
        } else if context.protector == nil {
          sealed.append(ends.count)
          try Interchange.appendLine(
            for: record, to: &bytes, escapingSlashes: false, types: &types)
        } else {
          opened.append((ends.count, try record.recordedEvent()))
        }
        ends.append(bytes.count)
      }
      self.bytes = bytes
      self.ends = ends
      guard !sealed.isEmpty || !opened.isEmpty else { return }
      rewritten.reserveCapacity((sealed.count + opened.count) * 768)
      if !sealed.isEmpty {
        try await keys.keys.prefetch(
          lines: sealed.map { ($0 == 0 ? 0 : ends[$0 - 1])..<ends[$0] }, in: bytes,
          erased: context.erased)
      }
      // One of the two is empty (the export is opened or not), so the lines stay in order.
      for index in sealed {
        let start = index == 0 ? 0 : ends[index - 1]
        try await appendSealed(
          plainLine: bytes[start..<ends[index]], erased: context.erased, keys: &keys.keys,
          to: &rewritten)
        rewrittenLines.append((index, rewritten.count))
      }
      for (index, event) in opened {
        rewritten.append(
          contentsOf: try await Interchange.line(
            for: event, erased: context.erased, revealingWith: context.protector,
            keys: &keys.keys
          ).utf8)
        rewrittenLines.append((index, rewritten.count))
      }
    }

    /// Hands each line to `emit`, in order; returns how many there were.
    func emit(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
      try bytes.withUnsafeBytes { bytes in
        try rewritten.withUnsafeBytes { rewritten in
          var start = 0
          var rewrittenStart = 0
          var nextRewritten = 0
          for (index, end) in ends.enumerated() {
            if nextRewritten < rewrittenLines.count && rewrittenLines[nextRewritten].line == index {
              let rewrittenEnd = rewrittenLines[nextRewritten].end
              try emit(UnsafeRawBufferPointer(rebasing: rewritten[rewrittenStart..<rewrittenEnd]))
              rewrittenStart = rewrittenEnd
              nextRewritten += 1
            } else {
              try emit(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            }
            start = end
          }
        }
      }
      return ends.count
    }
  }

  /// The wrapped keys a sealed export writes beside each sealed value (`"keys"`), read from
  /// the store once per subject: what lets the import open the values with the same master key.
  struct ExportedKeys: Sendable {
    let store: (any DataKeyStore)?
    var bySubject: [DataSubject: [[String: String]]] = [:]
    var replacements: [TextKey: Replacement] = [:]

    /// The most subjects remembered: past that, what is remembered is forgotten and read
    /// again when needed, so that an export's memory does not grow with the log.
    var remembered = 1 << 16

    /// A subject's text as a dictionary key, hashed as a whole rather than byte by byte.
    struct TextKey: Hashable, Sendable {
      var bytes: [UInt8]
      func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
      }
    }

    /// What a sealed line writes for a sealed value.
    enum Replacement: Sendable {
      /// The subject is forgotten: the value is written erased.
      case erased
      /// The value is written with its subject's keys before it (`"keys":[…],`, or nothing
      /// when the export writes no keys).
      case keys([UInt8])
      /// The text names no subject: the value is copied as it is.
      case notASubject
    }

    /// The subject met last and its replacement: a subject's values come one after the other
    /// in a log (an account's name and e-mail address, the events of its creation), so most
    /// are found here without hashing.
    var last: (text: [UInt8], replacement: Replacement)?

    /// The replacement for sealed values of the subject whose `kind:id` text is `text`.
    mutating func replacement(subjectText text: ArraySlice<UInt8>, erased: Set<DataSubject>)
      async throws -> Replacement
    {
      if let last, Self.same(last.text, text) { return last.replacement }
      let key = TextKey(bytes: Array(text))
      if let known = replacements[key] {
        last = (key.bytes, known)
        return known
      }
      let replacement: Replacement
      if let subject = DataSubject(String(decoding: text, as: UTF8.self)) {
        if erased.contains(subject) {
          replacement = .erased
        } else {
          replacement = .keys(try await keysText(of: subject) ?? [])
        }
      } else {
        replacement = .notASubject
      }
      if replacements.count >= remembered { replacements.removeAll(keepingCapacity: true) }
      replacements[key] = replacement
      last = (key.bytes, replacement)
      return replacement
    }

    /// Whether two texts hold the same bytes.
    private static func same(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> Bool {
      guard a.count == b.count else { return false }
      return a.withUnsafeBytes { a in
        b.withUnsafeBytes { b in
          guard let x = a.baseAddress, let y = b.baseAddress else { return true }
          return memcmp(x, y, a.count) == 0
        }
      }
    }

    /// Reads at once the keys of the subjects of the sealed values in `lines` (ranges of
    /// `bytes`, plain lines written with slashes unescaped) that are not known yet, and
    /// remembers their replacements, so that writing the lines asks the store nothing more: a
    /// page's subjects in one read rather than one read each.
    mutating func prefetch(lines: [Range<Int>], in bytes: [UInt8], erased: Set<DataSubject>)
      async throws
    {
      var wanted: [DataSubject] = []
      var wantedTexts: [TextKey] = []
      var seen: Set<TextKey> = []
      var previous: Range<Int>?
      for line in lines {
        for value in SealedValue.find(in: bytes[line]) {
          guard let plain = value.plain else { continue }
          // A subject's values come one after the other: the one before was dealt with.
          if let previous, bytes.sameBytes(previous, plain.subject) { continue }
          previous = plain.subject
          let text = bytes[plain.subject]
          if let last, Self.same(last.text, text) { continue }
          let key = TextKey(bytes: Array(text))
          guard replacements[key] == nil, seen.insert(key).inserted else { continue }
          guard let subject = DataSubject(String(decoding: text, as: UTF8.self)) else {
            remember(key, .notASubject)
            continue
          }
          if erased.contains(subject) {
            remember(key, .erased)
          } else if store == nil {
            remember(key, .keys([]))
          } else {
            wanted.append(subject)
            wantedTexts.append(key)
          }
        }
      }
      guard let store, !wanted.isEmpty else { return }
      let keys = try await store.dataKeys(of: wanted)
      for (key, wrapped) in zip(wantedTexts, keys) {
        remember(key, .keys(Self.keysText(wrapped)))
      }
    }

    /// Remembers `replacement` for the subject whose text is `key`, within ``remembered``.
    private mutating func remember(_ key: TextKey, _ replacement: Replacement) {
      if replacements.count >= remembered { replacements.removeAll(keepingCapacity: true) }
      replacements[key] = replacement
    }

    /// The keys of `subject` as a sealed line writes them before the sealed value:
    /// `"keys":[{"id":…,"wrapped":…}],`.
    func keysText(of subject: DataSubject) async throws -> [UInt8]? {
      guard let store else { return nil }
      return Self.keysText(try await store.dataKeys(of: subject))
    }

    /// `wrapped` as a sealed line writes a subject's keys before the sealed value.
    static func keysText(_ wrapped: [WrappedDataKey]) -> [UInt8] {
      var text = Array(#""keys":["#.utf8)
      for (number, key) in wrapped.enumerated() {
        if number > 0 { text.append(UInt8(ascii: ",")) }
        text.append(contentsOf: #"{"id":""#.utf8)
        text.append(contentsOf: String(key.id, radix: 16).utf8)
        text.append(contentsOf: #"","wrapped":"#.utf8)
        var base64 = JSONWriter(escapesSlashes: false, capacity: 4 * key.wrapped.count / 3 + 6)
        base64.base64(key.wrapped)
        text.append(contentsOf: base64.bytes)
        text.append(contentsOf: #"}"#.utf8)
      }
      text.append(contentsOf: "],".utf8)
      return text
    }

    mutating func keys(of subject: DataSubject) async throws -> [[String: String]]? {
      if let known = bySubject[subject] { return known }
      guard let keys = try await fetch(of: subject) else { return nil }
      if bySubject.count >= remembered { bySubject.removeAll(keepingCapacity: true) }
      bySubject[subject] = keys
      return keys
    }

    /// The keys of `subject`, read from the store.
    private func fetch(of subject: DataSubject) async throws -> [[String: String]]? {
      guard let store else { return nil }
      return try await store.dataKeys(of: subject).map { key in
        ["id": String(key.id, radix: 16), "wrapped": Data(key.wrapped).base64EncodedString()]
      }
    }
  }

  /// One event as a line of a sealed export: each sealed value with its subject's wrapped keys
  /// (`{"keys":[{"id":…,"wrapped":…}],"sealed":…,"subject":…}`), or erased when its subject
  /// is in `erased`.
  ///
  /// The line is edited as text, not parsed and written again: a sealed value is encoded as
  /// the object `{"sealed":"…","subject":"…"}` (sorted keys), whose opening cannot occur inside
  /// a JSON string (its quotes would be escaped there). Slashes are written unescaped, as in
  /// every line that holds personal values.
  static func sealedLine(
    for event: RecordedEvent, erased: Set<DataSubject>, keys: inout ExportedKeys
  ) async throws -> String {
    var line: [UInt8] = []
    var scratch: [UInt8] = []
    try await appendSealedLine(
      for: event, erased: erased, keys: &keys, to: &line, scratch: &scratch)
    return String(decoding: line, as: UTF8.self)
  }

  /// Appends what ``sealedLine(for:erased:keys:)`` gives to `output`, the plain line written
  /// first into `scratch`.
  static func appendSealedLine(
    for event: RecordedEvent, erased: Set<DataSubject>, keys: inout ExportedKeys,
    to output: inout [UInt8], scratch bytes: inout [UInt8]
  ) async throws {
    bytes.removeAll(keepingCapacity: true)
    // Slashes unescaped, as in every line that holds personal values.
    try appendLine(for: event, to: &bytes, escapingSlashes: false)
    try await appendSealed(plainLine: bytes[...], erased: erased, keys: &keys, to: &output)
  }

  /// Appends to `output` the sealed line of the plain line `bytes` (an event's line written
  /// with slashes unescaped): each sealed value with its subject's keys, or erased.
  static func appendSealed(
    plainLine bytes: ArraySlice<UInt8>, erased: Set<DataSubject>, keys: inout ExportedKeys,
    to output: inout [UInt8]
  ) async throws {
    var index = bytes.startIndex
    for value in SealedValue.find(in: bytes) where value.start >= index {
      output.appendBytes(of: bytes, index..<value.start)
      index = value.start
      if let plain = value.plain {
        // The common case: nothing escaped in it, its subject's text its `kind:id` form.
        switch try await keys.replacement(subjectText: bytes[plain.subject], erased: erased) {
        case .erased:
          output.append(contentsOf: #"{"erased":true,"subject":""#.utf8)
          output.appendBytes(of: bytes, plain.subject)
          output.append(contentsOf: #""}"#.utf8)
        case .keys(let text):
          output.append(UInt8(ascii: "{"))
          output.append(contentsOf: text)
          output.appendBytes(of: bytes, (index + 1)..<plain.end)
        case .notASubject:
          output.appendBytes(of: bytes, index..<plain.end)
        }
        index = plain.end
        continue
      }
      if let value = SealedValue(in: bytes, at: index) {
        if erased.contains(value.subject) {
          output.append(contentsOf: #"{"erased":true,"subject":"#.utf8)
          output.append(contentsOf: value.subjectText)
          output.append(UInt8(ascii: "}"))
        } else {
          output.append(UInt8(ascii: "{"))
          if let text = try await keys.keysText(of: value.subject) {
            output.append(contentsOf: text)
          }
          output.append(contentsOf: value.body)
        }
        index = value.end
      }
      // Otherwise the opening is copied with the text after it, as it is.
    }
    output.appendBytes(of: bytes, index..<bytes.endIndex)
  }

  /// A sealed value as a payload's JSON holds it: `{"sealed":"BASE64","subject":"KIND:ID"}`.
  struct SealedValue {
    static let opening = Array(#"{"sealed":""#.utf8)
    static let middle = Array(#"","subject":""#.utf8)

    /// Where a sealed value begins in a line, and, when nothing in it is escaped, where its
    /// subject's text is and where it ends (what ``plainRanges(in:at:)`` finds).
    struct Found {
      var start: Int
      var plain: (subject: Range<Int>, end: Int)?
    }

    /// The sealed values of `bytes`, in order. A sealed value begins with `{"sealed":"`,
    /// which cannot occur inside a JSON string (its quotes would be escaped there); the line is
    /// searched through its buffer, a byte search for each brace, as a page holds hundreds of
    /// lines with sealed values. A value that holds an escape is found (its `plain` is `nil`)
    /// and read by ``init(in:at:)``, which may also find it is not one.
    static func find(in bytes: ArraySlice<UInt8>) -> [Found] {
      bytes.withUnsafeBufferPointer { buffer in
        var found: [Found] = []
        guard let base = buffer.baseAddress else { return found }
        let first = bytes.startIndex
        let count = buffer.count
        /// The offset of the first `byte` from `offset` on, or `nil`.
        func next(_ byte: UInt8, from offset: Int) -> Int? {
          guard offset < count,
            let hit = memchr(base + offset, Int32(byte), count - offset)
          else { return nil }
          return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
        /// Whether `pattern` is at `offset`.
        func matches(_ pattern: [UInt8], at offset: Int) -> Bool {
          guard count - offset >= pattern.count else { return false }
          return pattern.withUnsafeBufferPointer { pattern in
            guard let start = pattern.baseAddress else { return true }
            return memcmp(base + offset, start, pattern.count) == 0
          }
        }
        /// The offset of the quote that closes the string from `offset` on; `nil` when an
        /// escape comes before it.
        func closingQuote(from offset: Int) -> Int? {
          guard let quote = next(UInt8(ascii: "\""), from: offset),
            memchr(base + offset, 0x5C, quote - offset) == nil
          else { return nil }
          return quote
        }
        var offset = 0
        while let brace = next(UInt8(ascii: "{"), from: offset) {
          guard matches(opening, at: brace) else {
            offset = brace + 1
            continue
          }
          var plain: (subject: Range<Int>, end: Int)?
          if let sealedEnd = closingQuote(from: brace + opening.count),
            matches(middle, at: sealedEnd),
            let subjectEnd = closingQuote(from: sealedEnd + middle.count),
            subjectEnd + 1 < count, base[subjectEnd + 1] == UInt8(ascii: "}")
          {
            plain = (
              (first + sealedEnd + middle.count)..<(first + subjectEnd), first + subjectEnd + 2
            )
          }
          found.append(Found(start: first + brace, plain: plain))
          offset = plain.map { $0.end - first } ?? brace + 1
        }
        return found
      }
    }

    /// Where the subject's text is (inside its quotes), and where the value ends, for a sealed
    /// value with no escape in it; `nil` for anything else, which ``init(in:at:)`` reads.
    static func plainRanges(in bytes: ArraySlice<UInt8>, at start: Int) -> (
      subject: Range<Int>, end: Int
    )? {
      guard bytes.endIndex - start > opening.count + middle.count + 2,
        bytes[start..<(start + opening.count)].elementsEqual(opening)
      else { return nil }
      /// The index of the quote that closes the string from `index` on; `nil` at an escape.
      func closingQuote(from index: Int) -> Int? {
        guard let quote = bytes[index...].firstIndex(where: { $0 == 0x22 || $0 == 0x5C }),
          bytes[quote] == 0x22
        else { return nil }
        return quote
      }
      guard let sealedEnd = closingQuote(from: start + opening.count),
        bytes.endIndex - sealedEnd > middle.count + 1,
        bytes[sealedEnd..<(sealedEnd + middle.count)].elementsEqual(middle),
        let subjectEnd = closingQuote(from: sealedEnd + middle.count),
        subjectEnd + 1 < bytes.endIndex, bytes[subjectEnd + 1] == UInt8(ascii: "}")
      else { return nil }
      return ((sealedEnd + middle.count)..<subjectEnd, subjectEnd + 2)
    }

    /// The subject.
    var subject: DataSubject
    /// The subject as JSON text, its quotes included.
    var subjectText: [UInt8]
    /// The object without its opening brace (`"sealed":…}`), slashes unescaped.
    var body: [UInt8]
    /// Just past the closing brace.
    var end: Int

    /// The sealed value that starts at `start`, if one does.
    init?(in bytes: ArraySlice<UInt8>, at start: Int) {
      guard bytes.endIndex - start > Self.opening.count + Self.middle.count + 2,
        bytes[start..<(start + Self.opening.count)].elementsEqual(Self.opening)
      else { return nil }
      var body = Array(Self.opening.dropFirst())
      body.reserveCapacity(256)
      // Base64 and a subject hold no quote, and no escape but that of a slash (`\/`).
      func string(from index: inout Int, into text: inout [UInt8]) -> Bool {
        while index < bytes.endIndex {
          let byte = bytes[index]
          if byte == UInt8(ascii: "\\") {
            guard index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "/") else {
              return false
            }
            text.append(UInt8(ascii: "/"))
            index += 2
            continue
          }
          text.append(byte)
          index += 1
          if byte == UInt8(ascii: "\"") { return true }
        }
        return false
      }
      var index = start + Self.opening.count
      guard string(from: &index, into: &body) else { return nil }
      // `string` took the closing quote, the first byte of `middle`.
      guard bytes.endIndex - index >= Self.middle.count - 1,
        bytes[index..<(index + Self.middle.count - 1)].elementsEqual(Self.middle.dropFirst())
      else { return nil }
      index += Self.middle.count - 1
      body.append(contentsOf: Self.middle.dropFirst().dropLast())
      var text: [UInt8] = [UInt8(ascii: "\"")]
      guard string(from: &index, into: &text), index < bytes.endIndex,
        bytes[index] == UInt8(ascii: "}"),
        let subject = DataSubject(String(decoding: text.dropFirst().dropLast(), as: UTF8.self))
      else { return nil }
      body.append(contentsOf: text)
      body.append(UInt8(ascii: "}"))
      self.subject = subject
      self.subjectText = text
      self.body = body
      self.end = index + 1
    }
  }

  /// One event as a line, its personal values opened by `protector` or written erased.
  static func line(
    for event: RecordedEvent, erased: Set<DataSubject>,
    revealingWith protector: (any PersonalDataProtector)?, keys: inout ExportedKeys
  ) async throws -> String {
    let plain = try line(for: event)
    let json = try JSONSerialization.jsonObject(with: Data(plain.utf8))
    var opened = try await PersonalJSON.open(json, erased: erased, with: protector)
    if protector == nil { opened = try await PersonalJSON.attachKeys(opened, keys: &keys) }
    let data = try JSONSerialization.data(
      withJSONObject: opened, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// Writes every event of `store`, a line each, to the open file `descriptor`, in writes of
  /// about 1 MiB; reads the log a page at a time and writes two pages' lines at a time, on two
  /// tasks, and remembers a bounded number of subjects' keys, so memory stays flat.
  ///
  /// - Parameter what: the output's name for error messages, such as `standard output`.
  /// - Throws: ``StagedPath/Failure`` when a write fails (a full disk, a closed pipe), naming
  ///   `what`; the store's errors.
  /// - Returns: the number of events written.
  @discardableResult
  public static func export(
    _ store: any EventStore, toDescriptor descriptor: Int32, naming what: String,
    revealingWith protector: (any PersonalDataProtector)? = nil
  ) async throws -> Int {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20 + 4096)
    var writeback = StagedPath.Writeback(descriptor)
    let count = try await exportLines(store, revealingWith: protector) { line in
      buffer.append(contentsOf: line)
      buffer.append(10)
      if buffer.count >= 1 << 20 {
        try StagedPath.writeAll(buffer, to: descriptor, naming: what)
        writeback.wrote(buffer.count)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    try StagedPath.writeAll(buffer, to: descriptor, naming: what)
    return count
  }

  /// Writes every event of `store` to the file at `path`, all or nothing: into a staging file
  /// beside it, flushed to disk and renamed to `path` only when complete (see
  /// ``StagedPath/writeFile(at:purpose:_:)``). On a failure (a full disk) the staging file is
  /// removed and `path` is as it was.
  ///
  /// - Returns: the number of events written.
  @discardableResult
  public static func exportFile(
    _ store: any EventStore, to path: String,
    revealingWith protector: (any PersonalDataProtector)? = nil
  ) async throws -> Int {
    try await StagedPath.writeFile(at: path, purpose: "exporting") { descriptor in
      try await export(store, toDescriptor: descriptor, naming: path, revealingWith: protector)
    }
  }

  /// A line of the interchange form that cannot be imported: where and why.
  public struct ImportError: Error, CustomStringConvertible, Hashable {
    /// The line number, from 1 (0 when the file itself cannot be read).
    public var line: Int
    /// What was wrong, in one line.
    public var reason: String

    /// Creates an error; newlines in `reason` become spaces, so that it prints as one line.
    public init(line: Int, reason: String) {
      self.line = line
      self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// `line 12: …` (or the reason alone for line 0).
    public var description: String { line == 0 ? reason : "line \(line): \(reason)" }
  }

  /// The kind of a JSON value, found without decoding the value.
  enum ValueKind: Decodable, Hashable {
    case object, array, string, number, boolean, null

    init(from decoder: any Decoder) throws {
      if (try? decoder.container(keyedBy: AnyKey.self)) != nil {
        self = .object
      } else if (try? decoder.unkeyedContainer()) != nil {
        self = .array
      } else {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
          self = .null
        } else if (try? single.decode(Bool.self)) != nil {
          self = .boolean
        } else if (try? single.decode(String.self)) != nil {
          self = .string
        } else {
          self = .number
        }
      }
    }

    var phrase: String {
      switch self {
      case .object: return "an object"
      case .array: return "an array"
      case .string: return "a string"
      case .number: return "a number"
      case .boolean: return "a boolean"
      case .null: return "null"
      }
    }
  }

  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// Everything of a line but the payload (its envelope), with the payload's kind.
  @dynamicMemberLookup
  struct Header: Decodable {
    var data: ValueKind
    var envelope: Envelope

    private enum CodingKeys: String, CodingKey { case data }

    init(from decoder: any Decoder) throws {
      envelope = try Envelope(from: decoder)
      data = try decoder.container(keyedBy: CodingKeys.self).decode(ValueKind.self, forKey: .data)
    }

    init(data: ValueKind, envelope: Envelope) {
      self.data = data
      self.envelope = envelope
    }

    subscript<Value>(dynamicMember field: KeyPath<Envelope, Value>) -> Value {
      envelope[keyPath: field]
    }
  }

  /// Whether a JSON value is a number that fits a field of type `UInt64` or `UInt16`.
  struct FieldProbe: Decodable {
    var fitsUInt64 = false
    var fitsUInt16 = false

    init(from decoder: any Decoder) throws {
      guard let single = try? decoder.singleValueContainer() else { return }
      fitsUInt64 = (try? single.decode(UInt64.self)) != nil
      fitsUInt16 = (try? single.decode(UInt16.self)) != nil
    }
  }

  /// For a line that is a JSON object whose position, version or schema version does not fit
  /// its field (JSON decoding reports those as "not valid JSON"): which one.
  static func numberOutOfRange(in bytes: Data) -> String? {
    guard let fields = try? JSONDecoder().decode([String: FieldProbe].self, from: bytes) else {
      return nil
    }
    for key in ["position", "version"] where fields[key]?.fitsUInt64 == false {
      return "\(key) is not a whole number from 1 to \(UInt64.max)"
    }
    if fields["schemaVersion"]?.fitsUInt16 == false {
      return "schemaVersion is not a whole number from 1 to \(UInt16.max)"
    }
    return nil
  }

  /// The payload of a line, of a known type.
  struct PayloadOnly<Payload: Decodable>: Decodable {
    var data: Payload
  }

  static func decodePayload<Payload: CouncilEvent>(_ type: Payload.Type, _ bytes: Data) throws
    -> Payload
  {
    try JSONDecoder().decode(PayloadOnly<Payload>.self, from: bytes).data
  }

  /// A decoding error as a short phrase: where in the line, and what.
  static func phrase(for error: any Error) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        .replacingOccurrences(of: ".[", with: "[")
    }
    guard let error = error as? DecodingError else { return "\(error)" }
    switch error {
    case .dataCorrupted(let context):
      if context.codingPath.isEmpty { return "not valid JSON" }
      return "\(path(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
      return "no \(path(context.codingPath + [key]))"
    case .typeMismatch(let type, let context):
      if context.codingPath.isEmpty { return "not a JSON object" }
      return "\(path(context.codingPath)) is not of the expected kind (\(type))"
    case .valueNotFound(_, let context):
      if context.codingPath.isEmpty { return "not a JSON object" }
      return "\(path(context.codingPath)) is null"
    @unknown default:
      return "\(error)"
    }
  }

  /// Reads one line back into the event it describes, checking everything that can be checked
  /// without the lines around it.
  ///
  /// - Throws: ``ImportError`` naming `number` when the line is not valid JSON, is not an
  ///   object, lacks a field, has `data` that is not an object, names an event type the
  ///   catalog does not know or a schema version newer than the catalog's, or has a payload
  ///   that does not decode.
  public static func event(fromLine text: String, number: Int) throws(ImportError) -> RecordedEvent
  {
    try event(fromLine: Data(text.utf8), number: number)
  }

  /// Reads one line (its bytes, without the newline) back into the event it describes; see
  /// ``event(fromLine:number:)-(String,_)``. A line without `recorded` (written before
  /// record format 2) gets its `time` as its recorded time.
  ///
  /// Personal values must be sealed or erased already (a line exported with plain values
  /// needs a sealer: import it with ``Importer``).
  public static func event(fromLine bytes: Data, number: Int) throws(ImportError)
    -> RecordedEvent
  {
    var subjects = LegacySubjects()
    return try parse(Array(bytes), number: number, subjects: &subjects).event
  }

  /// A line read in one pass, as `JSONDecoder` reads an envelope and a payload of the type its
  /// `"eventType"` names: parsed once, and read by the generated readers, the type taken from
  /// the parsed text; what they do not follow is read by `JSONDecoder`, the type found by a
  /// byte search (the key cannot occur inside a string, where its quotes would be escaped).
  /// `nil` when the line does not read so, or the type read is not the one found.
  ///
  /// With them, the personal values the line holds (see ``PersonalTape``), `nil` when the line
  /// was read by `JSONDecoder` or they must be read otherwise.
  static func wholeLine(_ bytes: [UInt8]) -> (Envelope, LinePayload, PersonalValues?)? {
    // Parsed once, the type read from the parsed text.
    if let reader = JSONReader(bytes), let type = catalogType(of: reader),
      let read = try? readWhole(type, reader)
    {
      return read
    }
    // What the generated readers do not follow (tried above), by `JSONDecoder`.
    guard let mark = bytes.firstOffset(of: eventTypeMark, from: 0) else { return nil }
    let start = mark + eventTypeMark.count
    guard let end = bytes.firstOffset(of: [UInt8(ascii: "\"")], from: start) else { return nil }
    let name = String(decoding: bytes[start..<end], as: UTF8.self)
    guard let type = CouncilCatalog.byName[name],
      let (envelope, payload) = try? decodeWhole(type, bytes), envelope.eventType == name
    else { return nil }
    return (envelope, .value(payload), nil)
  }

  /// The payload type of the parsed line in `reader`, from its `"eventType"`: `nil` when the
  /// line is not an object or names no council event type.
  static func catalogType(of reader: JSONReader) -> (any CouncilEvent.Type)? {
    guard reader.kind(of: 0) == .object, let node = reader.optionalMember("eventType", of: 0),
      let name = try? reader.string(at: node)
    else { return nil }
    return CouncilCatalog.byName[name]
  }

  /// The line in `reader` read by the generated readers, its payload of type `type`, with the
  /// personal values found in the same parse. The payload's reader is called through the
  /// catalog's type, not a generic function opened for it at each line (which runs
  /// unspecialized).
  ///
  /// The payload is written in its binary form from the text when its type's transcoder
  /// follows it (see ``transcodedPayload(_:_:at:)``), and read into its value otherwise.
  static func readWhole(_ type: any CouncilEvent.Type, _ reader: JSONReader) throws
    -> (Envelope, LinePayload, PersonalValues?)
  {
    let envelope = try Envelope(json: reader, at: 0)
    let data = try reader.member("data", of: 0)
    let payload: LinePayload
    if let bytes = transcodedPayload(type, reader, at: data) {
      payload = .encoded(bytes)
    } else {
      payload = .value(try type.init(json: reader, at: data))
    }
    return (envelope, payload, PersonalTape.collect(reader, at: 0))
  }

  /// The payload of a line both ways, for the fuzzer and the tests: written in its binary form
  /// by its type's transcoder (``transcodedPayload(_:_:at:)``), and read into its value by the
  /// generated reader and encoded; `nil` for a way that does not follow the line, and `nil`
  /// for a line that is not an object naming a council event type and holding `data`. Where
  /// the transcoder writes, both must be the same bytes.
  package static func payloadBothWays(ofLine bytes: [UInt8]) -> (
    transcoded: [UInt8]?, read: [UInt8]?
  )? {
    guard let reader = JSONReader(bytes), let type = catalogType(of: reader),
      let data = reader.optionalMember("data", of: 0)
    else { return nil }
    var writer = BinaryWriter()
    var read: [UInt8]? = nil
    if let value = try? type.init(json: reader, at: data) {
      value.encode(to: &writer)
      if writer.failure == nil { read = writer.bytes }
    }
    return (transcodedPayload(type, reader, at: data), read)
  }

  /// A line's payload, read: its value, or its binary form written from the text.
  enum LinePayload: Sendable {
    /// The payload's value, whose personal values may still need a subject (a line exported
    /// before they were sealed) and sealing.
    case value(any CouncilEvent)
    /// The payload's binary form, the bytes its value encodes to: every personal value in it
    /// sealed or erased, with its subject, so that nothing is left to give it.
    case encoded([UInt8])
  }

  /// The binary form of the payload of type `type` at `node`, written from the text by the
  /// type's transcoder (``EventLog/JSONBinaryTranscodable``): the bytes its value, read and
  /// given its subjects (``LegacySubjects``), encodes to. `nil` when the transcoder does not
  /// follow the text (a plain or revealed personal value, which needs a subject or sealing; an
  /// escape it leaves to the reader) and for the types whose events ``LegacySubjects`` counts,
  /// which must be read into values.
  static func transcodedPayload(_ type: any CouncilEvent.Type, _ reader: JSONReader, at node: Int)
    -> [UInt8]?
  {
    guard !LegacySubjects.counts(type.eventType) else { return nil }
    var writer = BinaryWriter()
    guard (try? type.transcodeBinary(json: reader, at: node, to: &writer)) != nil,
      writer.failure == nil
    else { return nil }
    return writer.bytes
  }

  /// The wrapped keys and the erased subjects a line holds.
  typealias PersonalValues = (keys: [WrappedDataKey], erased: Set<DataSubject>)

  static let eventTypeMark = Array(#""eventType":""#.utf8)

  /// An envelope and a payload of type `Payload`, read together by `JSONDecoder`: for the
  /// lines the generated readers (``readWhole(_:_:)``) do not follow.
  struct WholeLine<Payload: Decodable>: Decodable {
    var envelope: Envelope
    var data: Payload

    private enum CodingKeys: String, CodingKey { case data }

    init(from decoder: any Decoder) throws {
      envelope = try Envelope(from: decoder)
      data = try decoder.container(keyedBy: CodingKeys.self).decode(Payload.self, forKey: .data)
    }
  }

  static func decodeWhole<Payload: CouncilEvent>(_ type: Payload.Type, _ bytes: [UInt8]) throws
    -> (Envelope, any CouncilEvent)
  {
    // Only what the generated readers do not follow comes here: `wholeLine(_:)` tried them.
    let line = try JSONDecoder().decode(WholeLine<Payload>.self, from: Data(bytes))
    return (line.envelope, line.data)
  }

  /// A line's event, whether the line gave its recorded time, and the personal values it
  /// holds when they were read with it (see ``wholeLine(_:)``).
  static func parse(
    _ bytes: [UInt8], number: Int, sealer: (any PersonalDataSealer)? = nil,
    subjects: inout LegacySubjects
  ) throws(ImportError) -> (
    event: RecordedEvent, hasRecordedTime: Bool, personal: PersonalValues?
  ) {
    let line = try read(bytes, number: number)
    let made = try event(of: line, number: number, sealer: sealer, subjects: &subjects)
    return (made.event, made.hasRecordedTime, line.personal)
  }

  /// A line read and checked as far as it can be without the lines before it: what
  /// ``read(_:number:)`` gives, on any thread.
  struct ReadLine: Sendable {
    var header: Header
    var payload: LinePayload
    /// The wrapped keys and the erased subjects, when read with the line.
    var personal: PersonalValues?
  }

  /// Reads a line, and checks its type, versions and position (see
  /// ``parse(_:number:sealer:subjects:)``): no state, so lines may be read in parallel.
  static func read(_ bytes: [UInt8], number: Int) throws(ImportError) -> ReadLine {
    // Most lines are read in one pass, their type found in the parsed text; any line that
    // does not read so is read again in two, for the checks and error messages below.
    if let (envelope, payload, personal) = wholeLine(bytes) {
      let header = Header(data: .object, envelope: envelope)
      _ = try check(header, number: number)
      return ReadLine(header: header, payload: payload, personal: personal)
    }
    let header: Header
    let data = Data(bytes)
    do {
      header = try JSONDecoder().decode(Header.self, from: data)
    } catch {
      throw ImportError(line: number, reason: numberOutOfRange(in: data) ?? phrase(for: error))
    }
    guard header.data == .object else {
      throw ImportError(
        line: number, reason: "data is \(header.data.phrase), not an object")
    }
    let type = try check(header, number: number)
    let payload: any CouncilEvent
    do {
      payload = try decodePayload(type, data)
    } catch {
      throw ImportError(
        line: number, reason: "\(header.eventType) payload: \(phrase(for: error))")
    }
    return ReadLine(header: header, payload: .value(payload), personal: nil)
  }

  /// The payload type of a line's header, after the checks of its type, versions and position.
  private static func check(_ header: Header, number: Int) throws(ImportError)
    -> any CouncilEvent.Type
  {
    guard let type = CouncilCatalog.byName[header.eventType] else {
      throw ImportError(line: number, reason: "unknown event type \(header.eventType)")
    }
    let known = type.schemaVersion(of: header.eventType)
    guard header.schemaVersion <= known else {
      throw ImportError(
        line: number,
        reason:
          "schema version \(header.schemaVersion) of \(header.eventType) is newer than this program knows (\(known))"
      )
    }
    guard header.schemaVersion >= 1 else {
      throw ImportError(line: number, reason: "schema version 0 is not a version (they start at 1)")
    }
    guard header.position.rawValue >= 1 else {
      throw ImportError(line: number, reason: "position 0 is not a position (they start at 1)")
    }
    guard header.version.rawValue >= 1 else {
      throw ImportError(line: number, reason: "version 0 is not a version (they start at 1)")
    }
    return type
  }

  /// The event of a line read by ``read(_:number:)``: its plain personal values (a line
  /// exported before personal data was sealed) given their subjects, in the order of the
  /// lines, and sealed by `sealer`.
  static func event(
    of line: ReadLine, number: Int, sealer: (any PersonalDataSealer)?,
    subjects: inout LegacySubjects
  ) throws(ImportError) -> (event: RecordedEvent, hasRecordedTime: Bool) {
    let header = line.header
    let payload: [UInt8]
    switch line.payload {
    case .encoded(let bytes):
      // Every personal value in it has its subject and is sealed or erased: nothing to give.
      payload = bytes
    case .value(let value):
      let given = subjects.assign(value, in: header.stream)
      var writer = BinaryWriter()
      writer.sealer = sealer
      given.encode(to: &writer)
      if let failure = writer.failure {
        throw ImportError(
          line: number, reason: "\(header.eventType) payload: a personal value: \(failure)")
      }
      payload = writer.bytes
    }
    let event = RecordedEvent(
      position: header.position, stream: header.stream, version: header.version,
      id: header.id,
      eventType: header.eventType, schemaVersion: header.schemaVersion, encoding: .binary,
      payload: payload,
      metadata: EventMetadata(
        time: header.time, correlationID: header.metadata.correlationID,
        causationID: header.metadata.causationID, actor: header.metadata.actor,
        custom: header.metadata.custom),
      recordedTime: header.recorded ?? header.time)
    return (event, header.recorded != nil)
  }

  /// Appends the events of `lines` to the empty `store`, each at the position, stream and
  /// version it records: this recreates the exported log exactly.
  ///
  /// Every line is checked before it is appended; see ``Importer``. Consecutive lines are
  /// appended `batchSize` at a time.
  ///
  /// - Throws: ``ImportError`` for the first line that does not parse or would land elsewhere
  ///   than it says. Lines before it may have been appended: import into a log that is thrown
  ///   away on failure (as ``importFile(_:intoNewLog:open:)`` does).
  /// - Returns: the number of events imported.
  @discardableResult
  public static func importLines<Lines: Sequence<String>>(
    _ lines: Lines, into store: any EventStore, batchSize: Int = Importer.batchSize
  ) async throws -> Int {
    var importer = Importer(into: store, batchSize: batchSize)
    var number = 0
    do {
      for text in lines {
        number += 1
        var bytes = Array(text.utf8)
        if bytes.last == 13 { bytes.removeLast() }
        try await importer.add(bytes, number: number)
      }
      return try await importer.finish()
    } catch {
      await importer.abandon()
      throw error
    }
  }

  /// Appends the lines of the file at `path` to the empty `store`, reading it a chunk at a
  /// time (see ``LineReader``); see ``importLines(_:into:)``.
  @discardableResult
  public static func importLines(ofFile path: String, into store: any EventStore) async throws
    -> Int
  {
    try await importLines(from: LineReader(path: path), into: store)
  }

  /// Appends the lines `reader` reads to the empty `store`; see ``importLines(_:into:)``.
  /// When a line is bad or the file cannot be read, nothing the import sent to the store is
  /// still being appended once this throws, so the store may be closed at once.
  @discardableResult
  public static func importLines(from reader: LineReader, into store: any EventStore) async throws
    -> Int
  {
    var importer = Importer(into: store)
    do {
      while let line = try reader.next() {
        try await importer.add(line, number: reader.lineNumber)
      }
      return try await importer.finish()
    } catch {
      await importer.abandon()
      throw error
    }
  }

  /// Imports the file at `path` into a new log at `target`, all or nothing and durably.
  ///
  /// The log is built in a staging directory beside `target` (see
  /// ``StagedPath/buildDirectory(at:purpose:_:)``): `open` creates the store there, every line
  /// is checked and appended, `close` closes the store, and only then are the files flushed to
  /// disk and the directory renamed to `target`. A failure at any line, or the process being
  /// killed at any moment, leaves nothing at `target`.
  ///
  /// - Parameters:
  ///   - open: creates an empty store in the directory it is given (appends need not be
  ///     flushed: the directory is flushed before it is published).
  ///   - close: closes that store, so that its files are complete.
  /// - Throws: ``ImportError`` naming the first bad line; ``StagedPath/Failure`` when
  ///   `target` holds something or the file system refuses a step.
  /// - Returns: the number of events imported.
  @discardableResult
  public static func importFile<Store: EventStore>(
    _ path: String, intoNewLog target: String, open: (String) throws -> Store,
    close: (Store) -> Void
  ) async throws -> Int {
    let reader = try LineReader(path: path)
    return try await StagedPath.buildDirectory(at: target, purpose: "importing") { staging in
      let store = try open(staging)
      do {
        let count = try await importLines(from: reader, into: store)
        close(store)
        return count
      } catch {
        close(store)
        throw error
      }
    }
  }

  /// Checks lines of the interchange form one at a time and appends them to an empty store in
  /// batches.
  ///
  /// A line is refused, naming its number, when it does not parse (see
  /// ``Interchange/event(fromLine:number:)-(Data,_)``), when its position is not the next one
  /// (lines swapped, missing or repeated: refused before anything is appended for it), when its
  /// version does not follow its stream's previous version, when its recorded time (`recorded`)
  /// is earlier than the line before's, or when the store refuses it. Each event keeps the
  /// recorded time of its line; a line without one (exported from a log of record format 1)
  /// is recorded at its `time`, or at the line before's recorded time when that is later.
  /// Consecutive lines are appended in one atomic multi-stream append of up to ``batchSize``
  /// events (``Importer/batchSize`` unless given), a stream that comes back among them
  /// appended again in its place.
  ///
  /// Two cores are kept busy: lines are read in groups of ``readAhead``, half on another
  /// task (reading a line needs nothing of the lines before it), then checked in their order;
  /// and up to four batches are appended, in order, while the next lines are read. An importer
  /// whose caller stops early (its own error) must be ``abandon()``ed before the store is
  /// closed; ``Interchange/importLines(from:into:)`` does that.
  public struct Importer {
    /// The most events appended in one step.
    public static let batchSize = 1000

    /// The most events this importer appends in one step.
    public let batchSize: Int

    private let store: any EventStore
    /// Seals the plain personal values of lines exported with them (``Interchange/export(_:from:revealingWith:to:)``
    /// or a log written before personal data was sealed).
    private let protector: (any PersonalDataProtector)?
    private var subjects = LegacySubjects()
    /// The wrapped keys the queued lines carried, stored before their events.
    private var keys: [WrappedDataKey] = []
    private var keysSeen: Set<KeyName> = []
    /// The people the queued lines hold erased, whose tombstones are written before their
    /// events: forgotten in the exported log, they stay forgotten in the new one.
    private var erased: [DataSubject] = []
    private var erasedSeen: Set<DataSubject> = []
    private var checkedEmpty = false
    private var next = LogPosition.first
    private var appends: [StreamAppend] = []
    private var appendLines: [Int] = []
    private var eventLines: [Int] = []
    private var lastVersion = StreamVersion(0)
    private var lastRecorded: Timestamp?
    /// The position before the next batch's first event.
    private var batchStart = LogPosition.start
    private var count = 0
    /// Lines not read yet, with their numbers.
    private var waiting: [(line: [UInt8], number: Int)] = []
    /// The batches sent to the store and not yet known to be appended, oldest first: each one
    /// appends after the one before it, while the next lines are read and checked.
    private var pending: [Task<Void, any Error>] = []
    /// The most batches sent to the store at a time.
    private static let batchesInFlight = 4

    /// An importer into `store`, which must be empty; plain personal values are sealed by
    /// `protector`, the store's default (``Council/defaultProtector(for:)``) unless given.
    /// The batches hold up to `batchSize` events (at least one).
    public init(
      into store: any EventStore, protector: (any PersonalDataProtector)? = nil,
      batchSize: Int = Importer.batchSize
    ) {
      self.store = store
      self.batchSize = max(1, batchSize)
      self.protector = protector ?? Council.defaultProtector(for: store)
    }

    /// Queues one line; lines are read in groups of ``readAhead``, half on each of two tasks,
    /// then checked and queued in their order, the queue appended when it is full.
    ///
    /// An empty line is skipped. A bad line is reported by the call that reads its group, or
    /// by ``finish()``; the events of the lines before it are appended first, so that an
    /// earlier line the store refuses is the one reported.
    ///
    /// - Throws: ``ImportError`` naming the first bad line.
    public mutating func add(_ line: [UInt8], number: Int) async throws {
      if line.isEmpty { return }
      if !checkedEmpty {
        let head = try await store.headPosition()
        guard head == .start else {
          throw ImportError(
            line: number,
            reason: "the log already holds \(head) events: import into a new, empty log")
        }
        checkedEmpty = true
      }
      waiting.append((line, number))
      if waiting.count >= Self.readAhead { try await readWaiting() }
    }

    /// How many lines are read at once, half on another task.
    public static let readAhead = 512

    /// Reads the waiting lines, in parallel, then takes each in order.
    private mutating func readWaiting() async throws {
      guard !waiting.isEmpty else { return }
      let lines = waiting
      waiting.removeAll(keepingCapacity: true)
      let half = lines.count / 2
      async let first = Self.read(lines[..<half])
      let second = Self.read(lines[half...])
      let read = await first + second
      for (index, result) in read.enumerated() {
        try await take(result, line: lines[index].line, number: lines[index].number)
      }
    }

    private static func read(_ lines: ArraySlice<(line: [UInt8], number: Int)>) -> [Result<
      ReadLine, ImportError
    >] {
      lines.map { entry in
        do throws(ImportError) {
          return .success(try Interchange.read(entry.line, number: entry.number))
        } catch {
          return .failure(error)
        }
      }
    }

    /// Checks one line read, in order, and queues its event.
    private mutating func take(_ read: Result<ReadLine, ImportError>, line: [UInt8], number: Int)
      async throws
    {
      let event: RecordedEvent
      let data: EventData
      do {
        let read = try read.get()
        let made = try Interchange.event(
          of: read, number: number, sealer: protector, subjects: &subjects)
        try collectKeys(read.personal, line, number: number)
        event = made.event
        guard event.position == next else {
          throw ImportError(
            line: number,
            reason:
              "position \(event.position) where \(next) was expected: lines out of order, missing or repeated"
          )
        }
        if made.hasRecordedTime {
          if let lastRecorded, event.recordedTime < lastRecorded {
            throw ImportError(
              line: number,
              reason:
                "recorded time \(event.recordedTime) is earlier than \(lastRecorded) on the line before: recorded times never run backwards"
            )
          }
          lastRecorded = event.recordedTime
          data = event.data
        } else {
          // A line of a log of record format 1, whose records had only the program's time:
          // recorded at that time, or with the line before when that is later (so that the
          // new log's recorded times never run backwards, and questions as of a day still
          // answer from the days the events happened).
          let time = max(lastRecorded ?? event.metadata.time, event.metadata.time)
          var stamped = event.data
          stamped.recordedTime = time
          data = stamped
          lastRecorded = time
        }
      } catch {
        try await flushAndSettle()
        throw error
      }
      if let last = appends.last, last.stream == event.stream {
        guard lastVersion.rawValue < UInt64.max, event.version.rawValue == lastVersion.rawValue + 1
        else {
          try await flushAndSettle()
          throw ImportError(
            line: number,
            reason:
              "version \(event.version) of \(event.stream) does not follow its version \(lastVersion) on the line before"
          )
        }
        appends[appends.count - 1].events.append(data)
      } else {
        // A stream that comes back in the batch is appended again there, after the lines
        // before: the store checks its version against what they leave.
        if eventLines.count >= batchSize { try await flush() }
        let expected: ExpectedVersion =
          event.version.rawValue == 1
          ? .noStream : .exactly(StreamVersion(event.version.rawValue - 1))
        appends.append(
          StreamAppend(stream: event.stream, expectedVersion: expected, events: [data]))
        appendLines.append(number)
      }
      eventLines.append(number)
      lastVersion = event.version
      next = next.next
    }

    /// Appends what is queued.
    ///
    /// - Returns: the number of events imported in all.
    public mutating func finish() async throws -> Int {
      try await readWaiting()
      try await flush()
      try await settle()
      return count
    }

    /// Waits for the events sent to the store to be appended, ignoring any failure, and drops
    /// what is queued: call it before closing the store when the import stops for a reason of
    /// its own (the importer's own errors come after it has waited).
    public mutating func abandon() async {
      try? await settle()
      waiting.removeAll()
      appends.removeAll()
      appendLines.removeAll()
      eventLines.removeAll()
      keys.removeAll()
      erased.removeAll()
    }

    /// Appends what is queued and waits for it: a bad line is reported only after the lines
    /// before it are appended, so that an earlier line the store refuses is the one reported.
    private mutating func flushAndSettle() async throws {
      try await flush()
      try await settle()
    }

    /// Sends what is queued to the store, to be appended after the batches before it; the next
    /// lines are read and checked meanwhile (the store writes on its own thread). Waits for the
    /// oldest batch when ``batchesInFlight`` are on their way.
    private mutating func flush() async throws {
      guard !appends.isEmpty else { return }
      if pending.count >= Self.batchesInFlight { try await pending.removeFirst().value }
      let batch = Batch(
        appends: appends, appendLines: appendLines, eventLines: eventLines, keys: keys,
        erased: erased, start: batchStart)
      batchStart = LogPosition(batchStart.rawValue + UInt64(eventLines.count))
      count += eventLines.count
      keys.removeAll(keepingCapacity: true)
      erased.removeAll(keepingCapacity: true)
      appends.removeAll(keepingCapacity: true)
      appendLines.removeAll(keepingCapacity: true)
      eventLines.removeAll(keepingCapacity: true)
      let previous = pending.last
      pending.append(
        Task { [store, protector] in
          // In the lines' order: a batch whose predecessor failed fails with its error.
          try await previous?.value
          try await batch.append(to: store, protector: protector)
        })
    }

    /// Waits for the batches sent to the store, and throws what the first that failed threw.
    private mutating func settle() async throws {
      guard let last = pending.last else { return }
      pending.removeAll()
      try await last.value
    }

    /// Queues the wrapped keys a line's sealed values carry (see ``Interchange/export(_:from:revealingWith:to:)``).
    private mutating func collectKeys(
      _ read: PersonalValues?, _ line: [UInt8], number: Int
    ) throws(ImportError) {
      if let read {
        keep(keys: read.keys, erased: read.erased)
        return
      }
      // Most lines hold no sealed or erased value: a byte search spares them the JSON parse.
      let carriesKeys = line.contains(subsequence: PersonalText.wrappedMark)
      let holdsErased = line.contains(subsequence: PersonalText.erasedMark)
      guard carriesKeys || holdsErased else { return }
      var found: [WrappedDataKey] = []
      var subjects: Set<DataSubject> = []
      if let scanned = PersonalText.scan(line) {
        // Written as an export writes it: read as text.
        found = scanned.keys
        subjects = scanned.erased
      } else {
        guard let json = try? JSONSerialization.jsonObject(with: Data(line)) else { return }
        PersonalJSON.collectErased(json, into: &subjects)
        guard PersonalJSON.collectKeys(json, into: &found) else {
          throw ImportError(line: number, reason: "a sealed value's keys are not {id, wrapped}")
        }
      }
      keep(keys: found, erased: subjects)
    }

    /// Queues the keys and the erasures not queued before.
    private mutating func keep(keys found: [WrappedDataKey], erased subjects: Set<DataSubject>) {
      if !subjects.isEmpty {
        for subject in subjects.sorted() where erasedSeen.insert(subject).inserted {
          erased.append(subject)
        }
      }
      for key in found where keysSeen.insert(KeyName(subject: key.subject, id: key.id)).inserted {
        keys.append(key)
      }
    }

  }

  /// A data key's name: its subject and its number.
  private struct KeyName: Hashable {
    var subject: DataSubject
    var id: UInt64
  }

  /// The events of consecutive lines, appended in one multi-stream append, with the data keys
  /// and the erasures that must be stored before them.
  private struct Batch: Sendable {
    var appends: [StreamAppend]
    /// The line of each append's first event.
    var appendLines: [Int]
    /// The line of each event.
    var eventLines: [Int]
    var keys: [WrappedDataKey]
    var erased: [DataSubject]
    /// The position before the batch's first event.
    var start: LogPosition

    /// Stores the keys (those sealed for the batch by `protector`, and those its lines
    /// carried), the erasures, then the events, checking that each lands where its line says.
    func append(to store: any EventStore, protector: (any PersonalDataProtector)?) async throws {
      try await protector?.saveNewKeys()
      if !keys.isEmpty {
        guard let keyStore = store as? any DataKeyStore else {
          throw ImportError(
            line: 0, reason: "this store keeps no data keys: it cannot hold sealed values")
        }
        try await keyStore.storeDataKeys(keys)
      }
      if !erased.isEmpty, let keyStore = store as? any DataKeyStore {
        for subject in erased { _ = try await keyStore.destroyDataKeys(of: subject) }
      }
      let results: [AppendResult]
      do {
        results = try await store.append(appends)
      } catch let error as EventStoreError {
        throw ImportError(line: line(of: error), reason: reason(for: error))
      }
      var position = start.next
      for (index, result) in results.enumerated() {
        guard result.firstPosition == position else {
          throw ImportError(
            line: appendLines[index],
            reason:
              "the event landed at position \(result.firstPosition), not \(position): import into a new, empty log"
          )
        }
        position = LogPosition(position.rawValue + UInt64(appends[index].events.count))
      }
    }

    /// The line of the event an error of the store concerns.
    private func line(of error: EventStoreError) -> Int {
      var offset = 0
      for (index, append) in appends.enumerated() {
        if let id = error.eventID, let found = append.events.firstIndex(where: { $0.id == id }) {
          return eventLines[offset + found]
        }
        if error.eventID == nil, concerns(error, append) { return appendLines[index] }
        offset += append.events.count
      }
      return appendLines.first ?? 0
    }

    /// Whether `error`, which names no event, is about `append`: its stream, and (a stream
    /// comes back in a batch) the version it expected.
    private func concerns(_ error: EventStoreError, _ append: StreamAppend) -> Bool {
      guard error.stream == append.stream else { return false }
      return error.expectedVersion.map { $0 == append.expectedVersion } ?? true
    }

    private func reason(for error: EventStoreError) -> String {
      guard error.code == .wrongExpectedVersion, let stream = error.stream,
        let append = appends.first(where: { concerns(error, $0) })
      else { return error.description }
      var version: UInt64 = 1
      if case .exactly(let before) = append.expectedVersion { version = before.rawValue + 1 }
      let actual = error.actualVersion.map { "its version \($0)" } ?? "no event of it"
      return
        "version \(version) of \(stream) does not follow the lines before, which give \(actual)"
    }
  }
}

extension Interchange.Envelope: JSONReadable {
  /// Reads what synthesized `Decodable` reads: every field by its name, `recorded` `nil` when
  /// missing or `null`.
  init(json reader: JSONReader, at node: Int) throws {
    try reader.object(node)
    eventType = try reader.string(at: reader.member("eventType", of: node))
    id = try EventID(json: reader, at: reader.member("id", of: node))
    metadata = try Interchange.Metadata(json: reader, at: reader.member("metadata", of: node))
    position = LogPosition(try reader.integer(UInt64.self, at: reader.member("position", of: node)))
    recorded = try reader.optionalMember("recorded", of: node).map {
      try Timestamp(json: reader, at: $0)
    }
    schemaVersion = try reader.integer(UInt16.self, at: reader.member("schemaVersion", of: node))
    stream = try StreamName(validating: reader.string(at: reader.member("stream", of: node)))
    time = try Timestamp(json: reader, at: reader.member("time", of: node))
    version = StreamVersion(
      try reader.integer(UInt64.self, at: reader.member("version", of: node)))
  }
}

extension Interchange.Metadata: JSONReadable {
  /// Reads what synthesized `Decodable` reads: the optional fields `nil` when missing or
  /// `null`, `custom` required.
  init(json reader: JSONReader, at node: Int) throws {
    try reader.object(node)
    actor = try reader.optionalMember("actor", of: node).map { try reader.string(at: $0) }
    causationID = try reader.optionalMember("causationID", of: node).map {
      try EventID(json: reader, at: $0)
    }
    correlationID = try reader.optionalMember("correlationID", of: node).map {
      try EventID(json: reader, at: $0)
    }
    custom = try [String: String](json: reader, at: reader.member("custom", of: node))
  }
}
