import EventLog
import Testing

@Suite("Record checksums")
struct RecordChecksumTests {
  /// A real record, encoded as a store writes it.
  func record() -> [UInt8] {
    var writer = BinaryWriter()
    let event = EventData(
      id: .random(), eventType: "Tested", encoding: .binary,
      payload: Array("a payload of some length, with words".utf8),
      metadata: EventMetadata(
        time: Timestamp(nanosecondsSince1970: 42), correlationID: .random(), actor: "office",
        custom: ["k": "v"]))
    RecordFormat.encode(
      event, stream: "member-42", version: StreamVersion(3), typeID: 1, categoryID: 1,
      recordedTime: Timestamp(nanosecondsSince1970: 43), into: &writer)
    return writer.bytes
  }

  @Test func anIntactRecordMatches() {
    #expect(record().withUnsafeBytes { RecordChecksum.matches(record: $0) })
  }

  @Test func everyChangedByteIsCaught() {
    let original = record()
    var random = SplitMix64(seed: 9)
    for index in original.indices {
      for _ in 0..<8 {
        var damaged = original
        damaged[index] ^= UInt8(truncatingIfNeeded: random.next() % 255 + 1)
        #expect(
          !damaged.withUnsafeBytes { RecordChecksum.matches(record: $0) },
          "a change at byte \(index) of \(original.count) went unseen")
      }
    }
  }

  @Test func aRecordCutShortGrownOrReorderedIsCaught() {
    let original = record()
    let body = original.count - RecordFormat.checksumSize
    // Cut short or grown: the checksum no longer sits where the reader looks, or no longer sums.
    for cut in 1...16 {
      let shorter = Array(original.dropLast(cut))
      #expect(!shorter.withUnsafeBytes { RecordChecksum.matches(record: $0) })
      let longer = original + Array(repeating: 0, count: cut)
      #expect(!longer.withUnsafeBytes { RecordChecksum.matches(record: $0) })
    }
    // Two 8-byte words swapped: the same bytes in another order.
    var swapped = original
    for i in 0..<8 { swapped.swapAt(8 + i, 24 + i) }
    #expect(swapped[..<body] != original[..<body])
    #expect(!swapped.withUnsafeBytes { RecordChecksum.matches(record: $0) })
  }
}
