import EventLogTestSupport
import Foundation
import Testing

@testable import Council

@Suite("Line reader memory")
struct LineReaderMemoryTests {
  @Test func aLargeFileIsReadWithAChunkAndALineInMemoryNeverTheFile() throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("large.jsonl")
    let line = String(repeating: "x", count: 199)
    let count = 40_000
    try writeLines(Array(repeating: line, count: count), to: path, ending: "\r\n")
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    #expect(size == count * 201)
    let reader = try LineReader(path: path, chunkSize: 64 << 10)
    var lines = 0
    while let next = try reader.next() {
      #expect(next.count == 199)
      lines += 1
    }
    #expect(lines == count)
    #expect(reader.peakBufferedBytes <= (64 << 10) + 201, "one chunk and one partial line")
    #expect(reader.peakBufferedBytes * 100 < size)
  }
}
