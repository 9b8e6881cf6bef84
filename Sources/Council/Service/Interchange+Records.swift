import EventLog
import Foundation

extension Interchange {
  /// Appends the line of the event `record` holds, the same bytes as
  /// ``appendLine(for:to:escapingSlashes:)`` writes for its ``EventLog/RecordView/recordedEvent()``,
  /// read where the record lies: the payload's JSON written from the record's bytes
  /// (``CouncilCatalog/transcodeJSON(_:types:to:)``), and the envelope's
  /// text (the stream, the actor) copied from them, with no owned event made first.
  ///
  /// A record whose envelope ``RecordEnvelopeText`` leaves to others (custom metadata, text
  /// with a control character or not valid UTF-8, a damaged stream name) is written through its
  /// owned event, which also gives a damaged record's error. On an error `out` is as it was.
  package static func appendLine(
    for record: RecordView, to out: inout [UInt8], escapingSlashes: Bool = true
  ) throws {
    var types = CouncilCatalog.RecordTypes()
    try appendLine(for: record, to: &out, escapingSlashes: escapingSlashes, types: &types)
  }

  /// Appends the line of the event `record` holds, as ``appendLine(for:to:escapingSlashes:)``
  /// does, finding the payload's type through `types` (what the lines of a page share).
  static func appendLine(
    for record: RecordView, to out: inout [UInt8], escapingSlashes: Bool,
    types: inout CouncilCatalog.RecordTypes
  ) throws {
    let start = out.count
    do {
      var writer = JSONWriter(escapesSlashes: escapingSlashes, capacity: 0)
      swap(&writer.bytes, &out)
      writer.bytes.appendText("{\"data\":")
      defer { swap(&writer.bytes, &out) }
      try CouncilCatalog.transcodeJSON(record, types: &types, to: &writer)
      if try RecordEnvelopeText.append(for: record, to: &writer.bytes) { return }
    } catch {
      out.removeSubrange(start...)
      throw error
    }
    out.removeSubrange(start...)
    try appendLine(for: record.recordedEvent(), to: &out, escapingSlashes: escapingSlashes)
  }

  /// Whether a payload holds a sealed or erased personal value, whose binary form begins with
  /// the bytes `FF 00` (what a line's sealed values are looked for by).
  static func mayHoldPersonalValue(_ payload: UnsafeRawBufferPointer) -> Bool {
    guard payload.count >= 2 else { return false }
    var index = 0
    let last = payload.count - 1
    while index < last {
      if payload[index] == 0xFF && payload[index + 1] == 0x00 { return true }
      index += 1
    }
    return false
  }

  /// The envelope of a line written from a record's bytes, byte for byte as ``EnvelopeText``
  /// writes it for the record's owned event (and so as `JSONEncoder` writes ``Envelope``).
  enum RecordEnvelopeText {
    /// Appends the envelope that follows the payload (from `,"eventType":` to the closing
    /// brace) to `out`; `false`, with `out` as it was, for a record it leaves to the owned
    /// event's path: custom metadata, text that needs an escape other than of `"` and `\`, text
    /// that is not valid UTF-8, a stream name of a length no store writes.
    ///
    /// - Throws: ``EventLog/EventStoreError`` with code `corruptRecord` when the metadata does
    ///   not decode, as the owned event's path would.
    static func append(for record: RecordView, to out: inout [UInt8]) throws -> Bool {
      let start = out.count
      if try appendEnvelope(for: record, to: &out) { return true }
      out.removeSubrange(start...)
      return false
    }

    private static func appendEnvelope(for record: RecordView, to out: inout [UInt8]) throws
      -> Bool
    {
      let metadata = try record.borrowedMetadata()
      guard metadata.customCount == 0,
        let stream = try? record.streamNameBytes(),
        !stream.isEmpty, stream.count <= StreamName.maximumLength
      else { return false }
      out.appendText(",\"eventType\":")
      var eventType = record.eventType
      guard eventType.withUTF8({ string(UnsafeRawBufferPointer($0), &out) }) else { return false }
      out.appendText(",\"id\":\"")
      record.id.appendText(to: &out)
      out.appendText("\",\"metadata\":{")
      var first = true
      if let actor = metadata.actor {
        out.appendText("\"actor\":")
        guard string(actor, &out) else { return false }
        first = false
      }
      if let causation = metadata.causationID {
        out.appendText(first ? "\"causationID\":\"" : ",\"causationID\":\"")
        causation.appendText(to: &out)
        out.append(UInt8(ascii: "\""))
        first = false
      }
      if let correlation = metadata.correlationID {
        out.appendText(first ? "\"correlationID\":\"" : ",\"correlationID\":\"")
        correlation.appendText(to: &out)
        out.append(UInt8(ascii: "\""))
        first = false
      }
      out.appendText(first ? "\"custom\":{}},\"position\":" : ",\"custom\":{}},\"position\":")
      JSONText.appendDecimal(record.position.rawValue, negative: false, to: &out)
      out.appendText(",\"recorded\":\"")
      record.recordedTime.appendText(to: &out)
      out.appendText("\",\"schemaVersion\":")
      JSONText.appendDecimal(UInt64(record.schemaVersion), negative: false, to: &out)
      out.appendText(",\"stream\":")
      guard string(stream, &out) else { return false }
      out.appendText(",\"time\":\"")
      record.time.appendText(to: &out)
      out.appendText("\",\"version\":")
      JSONText.appendDecimal(record.version.rawValue, negative: false, to: &out)
      out.append(UInt8(ascii: "}"))
      return true
    }

    /// Appends `text` as a JSON string; `false` when it has a control character (whose escape
    /// is left to `JSONEncoder`) or is not valid UTF-8 (which reading it as a `String` would
    /// repair). Text with nothing to escape is copied whole.
    static func string(_ text: UnsafeRawBufferPointer, _ out: inout [UInt8]) -> Bool {
      let found = TextScan(text)
      if found.control { return false }
      let plain = !found.quoteOrBackslash
      if found.nonASCII && String(validating: text, as: UTF8.self) == nil { return false }
      out.append(UInt8(ascii: "\""))
      if plain {
        out.append(contentsOf: text)
      } else {
        for byte in text {
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

/// What a text holds that decides how it is written as a JSON string: found eight bytes at a
/// time (the bit tricks below tell exactly whether any byte of a word matches).
struct TextScan {
  /// A control character (below U+0020, or U+007F).
  var control = false
  /// A quote or a backslash, which need an escape.
  var quoteOrBackslash = false
  /// A byte of a multi-byte character.
  var nonASCII = false

  init(_ text: UnsafeRawBufferPointer) {
    var control: UInt64 = 0
    var special: UInt64 = 0
    var high: UInt64 = 0
    var index = 0
    while index + 8 <= text.count {
      let word = UInt64(littleEndian: text.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      control |= Self.anyBelow(word, 0x20) | Self.anyEqual(word, 0x7F)
      special |= Self.anyEqual(word, 0x22) | Self.anyEqual(word, 0x5C)
      high |= word
      index += 8
    }
    while index < text.count {
      let byte = text[index]
      if byte < 0x20 || byte == 0x7F { control = 1 }
      if byte == 0x22 || byte == 0x5C { special = 1 }
      high |= UInt64(byte)
      index += 1
    }
    self.control = control != 0
    self.quoteOrBackslash = special != 0
    self.nonASCII = high & 0x8080_8080_8080_8080 != 0
  }

  private static let ones: UInt64 = 0x0101_0101_0101_0101
  private static let highBits: UInt64 = 0x8080_8080_8080_8080

  /// Nonzero when a byte of `word` is below `bound` (at most 0x80).
  @inline(__always)
  private static func anyBelow(_ word: UInt64, _ bound: UInt8) -> UInt64 {
    (word &- ones &* UInt64(bound)) & ~word & highBits
  }

  /// Nonzero when a byte of `word` is `byte`.
  @inline(__always)
  private static func anyEqual(_ word: UInt64, _ byte: UInt8) -> UInt64 {
    let zeroWhereEqual = word ^ (ones &* UInt64(byte))
    return (zeroWhereEqual &- ones) & ~zeroWhereEqual & highBits
  }
}

extension Array where Element == UInt8 {
  /// Appends the bytes of a literal, copied as they are.
  @inline(__always)
  mutating func appendText(_ text: StaticString) {
    text.withUTF8Buffer { append(contentsOf: $0) }
  }

  /// Appends `source[range]`, copied through the source's buffer (a slice appended as a
  /// collection costs a reference count and a generic copy).
  mutating func appendBytes(of source: ArraySlice<UInt8>, _ range: Range<Int>) {
    guard !range.isEmpty else { return }
    source.withUnsafeBufferPointer { buffer in
      let offset = range.lowerBound - source.startIndex
      append(contentsOf: UnsafeBufferPointer(rebasing: buffer[offset..<(offset + range.count)]))
    }
  }

  /// Whether `self[a]` and `self[b]` hold the same bytes.
  func sameBytes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
    guard a.count == b.count else { return false }
    return withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return true }
      return memcmp(base + a.lowerBound, base + b.lowerBound, a.count) == 0
    }
  }
}
