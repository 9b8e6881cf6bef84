import EventLogTestSupport
import Foundation
import Testing

/// One way to damage a generated log's `data.mdb`.
enum Damage: String, CaseIterable, Sendable {
  case payloadByte, sizePastTheFile, sizeOneLonger, streamIndexCount, zeroedPage, randomPage
  case headerTransaction, truncated

  /// Damages `bytes`, a generated log of a few thousand events.
  func apply(to bytes: inout [UInt8]) throws {
    // The leaf nodes of the record at position 1500 (and its stale copies): an 8-byte
    // header (size low and high halves, flags, key size 8), the key, then the record, whose
    // first byte is its format version (2).
    var key: [UInt8] = [8, 0]
    withUnsafeBytes(of: UInt64(1500).bigEndian) { key.append(contentsOf: $0) }
    let nodes = occurrences(of: key, in: bytes).map { $0 - 6 }.filter {
      $0 >= 0 && bytes[$0 + 16] == 2 && bytes[$0 + 3] == 0
    }
    switch self {
    case .payloadByte:
      try #require(!nodes.isEmpty)
      for node in nodes { bytes[node + 16 + 70] ^= 0x20 }
    case .sizePastTheFile:
      try #require(!nodes.isEmpty)
      for node in nodes { bytes[node + 2] = 0x7F }
    case .sizeOneLonger:
      try #require(!nodes.isEmpty)
      for node in nodes { bytes[node] &+= 1 }
    case .streamIndexCount:
      // The `streams` entry of council-settings: a leaf node whose header ends with its value's
      // size (12: the version, then the stream's number, little-endian) and its key's (16).
      let name = Array("council-settings".utf8)
      let streamEntries = occurrences(of: name, in: bytes).filter {
        $0 >= 8 && bytes[$0 - 8] == 12 && bytes[$0 - 7] == 0 && bytes[$0 - 2] == 16
          && bytes[$0 - 1] == 0
      }
      let numberAt = try #require(streamEntries.first) + name.count + 8
      let number = bytes[numberAt..<(numberAt + 4)].reversed().reduce(UInt32(0)) {
        $0 << 8 | UInt32($1)
      }
      // Its stream-index entry at version 1: key the number and the version, big-endian;
      // value the first position and, for a batch, the count (big-endian). The count (or for
      // one event, the position) is made about 1.3 billion.
      var entry = withUnsafeBytes(of: number.bigEndian) { Array($0) }
      withUnsafeBytes(of: UInt64(1).bigEndian) { entry.append(contentsOf: $0) }
      let found = occurrences(of: entry, in: bytes).filter {
        $0 >= 8 && bytes[$0 - 2] == UInt8(entry.count) && bytes[$0 - 1] == 0
      }
      try #require(!found.isEmpty)
      for offset in found {
        let valueSize = Int(bytes[offset - 8])
        bytes[offset + entry.count + (valueSize == 16 ? 8 : 0) + 4] = 0x4E
      }
    case .zeroedPage, .randomPage:
      try #require(!nodes.isEmpty)
      var random = SystemRandomNumberGenerator()
      for page in Set(nodes.map { $0 / 4096 * 4096 }) {
        for offset in page..<(page + 4096) {
          bytes[offset] = self == .zeroedPage ? 0 : random.next()
        }
      }
    case .headerTransaction:
      func transaction(_ page: Int) -> UInt64 {
        bytes[(page * 4096 + 144)..<(page * 4096 + 152)].reversed().reduce(0) {
          $0 << 8 | UInt64($1)
        }
      }
      let newest = transaction(0) > transaction(1) ? 0 : 1
      let raised = (transaction(newest) + 2).littleEndian
      withUnsafeBytes(of: raised) { raw in
        for i in 0..<8 { bytes[newest * 4096 + 144 + i] = raw[i] }
      }
    case .truncated:
      bytes.removeLast(bytes.count / 2)
    }
  }

  private func occurrences(of pattern: [UInt8], in bytes: [UInt8]) -> [Int] {
    guard let first = pattern.first, bytes.count >= pattern.count else { return [] }
    return (0...(bytes.count - pattern.count)).filter { index in
      bytes[index] == first && bytes[index..<(index + pattern.count)].elementsEqual(pattern)
    }
  }
}

@Suite("council verify on damaged logs")
struct VerifyCommandTests {
  /// Every kind of damage ends in exit status 2 with the problems named, never a crash.
  @Test(arguments: Damage.allCases)
  func everyDamageExitsWithStatusTwo(_ damage: Damage) async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(
      try await council.run(["generate", "log", "--events", "3000", "--seed", "4"]).status == 0)
    let healthy = try await council.run(["verify", "log"])
    #expect(healthy.status == 0, "\(healthy.output)")

    let data = directory.appending("log/data.mdb")
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: data)))
    try damage.apply(to: &bytes)
    try Data(bytes).write(to: URL(fileURLWithPath: data))
    let run = try await council.run(["verify", "log"])
    #expect(!run.killed, "verify crashed: \(run.errors)")
    #expect(run.status == 2, "\(run.output)\(run.errors)")
    #expect(run.output.contains("problem"), "\(run.output)")
    switch damage {
    case .payloadByte, .sizePastTheFile, .sizeOneLonger:
      #expect(run.output.contains("position 1500"), "\(run.output)")
    case .streamIndexCount:
      #expect(run.output.contains("council-settings"), "\(run.output)")
    case .headerTransaction:
      #expect(run.output.contains("header page"), "\(run.output)")
    case .zeroedPage, .randomPage, .truncated:
      break
    }
    // The other commands fail in one line too, without a crash.
    let export = try await council.run(["export", "log", "--to", "out.jsonl"])
    #expect(!export.killed, "export crashed: \(export.errors)")
    if damage != .streamIndexCount && damage != .headerTransaction {
      #expect(export.status != 0)
      #expect(export.errorLines.count == 1, "\(export.errors)")
    }
  }
}
