import Foundation

/// Reads a file a line at a time with flat memory: chunks of 64 KiB through `read(2)`, split on
/// `\n`, a trailing `\r` dropped (so CRLF files read like LF files). The last line needs no
/// newline.
///
/// Memory holds one chunk and the line being read, never the file.
public final class LineReader {
  /// The longest line accepted, in bytes (64 MiB): a longer one is refused rather than read
  /// into memory.
  public static let maximumLineLength = 64 << 20

  /// The number of the line ``next()`` returned last, from 1.
  public private(set) var lineNumber = 0

  private let descriptor: Int32
  private let path: String
  private let chunkSize: Int
  private var buffer: [UInt8] = []
  private var start = 0
  private var searched = 0
  private var atEnd = false
  private var closed = false
  /// The most bytes held at once, for the tests that check memory stays flat.
  private(set) var peakBufferedBytes = 0

  /// Opens `path` for reading.
  ///
  /// - Parameter chunkSize: the size of each `read(2)`, 64 KiB unless a test says otherwise.
  /// - Throws: ``Interchange/ImportError`` at line 0 when the file cannot be opened (it does
  ///   not exist, is a directory, or may not be read).
  public init(path: String, chunkSize: Int = 64 << 10) throws(Interchange.ImportError) {
    self.path = path
    self.chunkSize = max(1, chunkSize)
    var status = stat()
    guard stat(path, &status) == 0 else {
      throw Interchange.ImportError(line: 0, reason: "cannot read \(path): \(systemError(errno))")
    }
    guard status.st_mode & S_IFMT != S_IFDIR else {
      throw Interchange.ImportError(line: 0, reason: "\(path) is a directory, not a file")
    }
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw Interchange.ImportError(line: 0, reason: "cannot read \(path): \(systemError(errno))")
    }
  }

  deinit {
    if !closed { close(descriptor) }
  }

  /// The next line's bytes without its line ending, or `nil` at the end of the file.
  ///
  /// - Throws: ``Interchange/ImportError`` naming the line when reading fails or the line is
  ///   longer than ``maximumLineLength``.
  public func next() throws(Interchange.ImportError) -> [UInt8]? {
    while true {
      if let newline = buffer[searched...].firstIndex(of: 10) {
        let line = take(upTo: newline)
        start = newline + 1
        searched = start
        return line
      }
      searched = buffer.count
      if atEnd {
        guard start < buffer.count else { return nil }
        let line = take(upTo: buffer.count)
        start = buffer.count
        searched = start
        return line
      }
      if start > 0 {
        buffer.removeFirst(start)
        searched -= start
        start = 0
      }
      guard buffer.count <= Self.maximumLineLength else {
        throw Interchange.ImportError(
          line: lineNumber + 1,
          reason: "the line is longer than \(Self.maximumLineLength) bytes")
      }
      try fill()
    }
  }

  /// The line from `start` to `end`, without a trailing `\r`, counted.
  private func take(upTo end: Int) -> [UInt8] {
    lineNumber += 1
    var last = end
    if last > start, buffer[last - 1] == 13 { last -= 1 }
    return Array(buffer[start..<last])
  }

  /// Reads one chunk onto the end of the buffer, or notes the end of the file.
  private func fill() throws(Interchange.ImportError) {
    let old = buffer.count
    buffer.append(contentsOf: repeatElement(0, count: chunkSize))
    peakBufferedBytes = max(peakBufferedBytes, buffer.count)
    while true {
      let count = buffer.withUnsafeMutableBytes { raw in
        read(descriptor, raw.baseAddress.map { $0 + old }, chunkSize)
      }
      if count < 0 {
        if errno == EINTR { continue }
        let reason = systemError(errno)
        buffer.removeLast(chunkSize)
        throw Interchange.ImportError(
          line: lineNumber + 1, reason: "reading \(path): \(reason)")
      }
      buffer.removeLast(chunkSize - count)
      if count == 0 { atEnd = true }
      return
    }
  }
}
