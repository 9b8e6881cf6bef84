import EventLog
import Foundation

/// The streams a verifier meets, told apart by their names' bytes and numbered from 0 in the
/// order they were first met.
///
/// An open-addressing hash table of stream numbers. The names' bytes are copied into one
/// arena, so that comparing a name touches a few compact pages rather than the record, far
/// back in the log, that first named the stream; no `String` is made to find a stream, only
/// when one is named in a report (``name(of:)``).
struct StreamTable {
  /// One slot of the table: a stream's number, the high half of its hash (compared before
  /// the bytes) and where its name is in the arena, so that a probe reads one slot and then
  /// the name.
  private struct Slot {
    var number: Int32 = -1
    var tag: UInt32 = 0
    var start = 0
    var end = 0
  }

  /// Every stream's name bytes, one after another.
  private var arena: [UInt8] = []
  /// Where each stream's name starts in the arena, by stream number; one more at the end.
  private var starts: [Int] = [0]
  /// Each stream's hash, by stream number, for growing.
  private var hashes: [UInt64] = []
  /// The slots; their count is a power of two.
  private var slots = [Slot](repeating: Slot(), count: 16)

  /// How many streams the table holds.
  var count: Int { hashes.count }

  /// Makes room for `capacity` streams (of names of about `nameSize` bytes) without growing.
  mutating func reserveCapacity(_ capacity: Int, nameSize: Int = 48) {
    arena.reserveCapacity(capacity * nameSize)
    starts.reserveCapacity(capacity + 1)
    hashes.reserveCapacity(capacity)
    var size = slots.count
    while size < capacity * 2 { size <<= 1 }
    if size > slots.count { rehash(size) }
  }

  /// The number of the stream named by `bytes`, if it is in the table.
  func number(of bytes: UnsafeRawBufferPointer) -> Int? {
    let hash = Self.hash(bytes)
    let tag = UInt32(truncatingIfNeeded: hash >> 32)
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: hash) & mask
    return slots.withUnsafeBufferPointer { slots in
      arena.withUnsafeBytes { arena in
        while true {
          let slot = slots[index]
          if slot.number < 0 { return nil }
          if slot.tag == tag
            && Self.equal(UnsafeRawBufferPointer(rebasing: arena[slot.start..<slot.end]), bytes)
          {
            return Int(slot.number)
          }
          index = (index + 1) & mask
        }
      }
    }
  }

  /// Adds a stream that is not in the table (a copy of its name's bytes); returns its number.
  mutating func insert(_ bytes: UnsafeRawBufferPointer) -> Int {
    if (count + 1) * 2 > slots.count { rehash(slots.count * 2) }
    let number = count
    let hash = Self.hash(bytes)
    arena.append(contentsOf: bytes)
    starts.append(arena.count)
    hashes.append(hash)
    place(number, hash)
    return number
  }

  /// The stream's name, as a record names it (what ``RecordView/stream()`` gives for it).
  func name(of number: Int) -> StreamName {
    StreamName(
      unchecked: String(decoding: arena[starts[number]..<starts[number + 1]], as: UTF8.self))
  }

  private mutating func place(_ number: Int, _ hash: UInt64) {
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: hash) & mask
    while slots[index].number >= 0 { index = (index + 1) & mask }
    slots[index] = Slot(
      number: Int32(truncatingIfNeeded: number), tag: UInt32(truncatingIfNeeded: hash >> 32),
      start: starts[number], end: starts[number + 1])
  }

  private mutating func rehash(_ size: Int) {
    slots = [Slot](repeating: Slot(), count: size)
    for number in hashes.indices { place(number, hashes[number]) }
  }

  /// Whether two byte buffers hold the same bytes.
  static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard let left = a.baseAddress, let right = b.baseAddress else { return true }
    return memcmp(left, right, a.count) == 0
  }

  /// A hash of the bytes, eight at a time, mixed by multiplication; its low bits pick the
  /// slot. Not keyed: it only has to spread stream names, which come from the log itself.
  static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
    var offset = 0
    while offset + 8 <= bytes.count {
      let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
      hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
      hash ^= hash >> 29
      offset += 8
    }
    if offset < bytes.count {
      var word: UInt64 = 0
      for index in offset..<bytes.count {
        word = word << 8 | UInt64(bytes[index])
      }
      hash = (hash ^ word) &* 0xC4CE_B9FE_1A85_EC53
      hash ^= hash >> 29
    }
    hash = (hash ^ (hash >> 32)) &* 0xFF51_AFD7_ED55_8CCD
    return hash ^ (hash >> 32)
  }
}

/// Each stream's positions in version order, in one array: stream `n`'s versions 1, 2, …
/// are at `positions[starts[n]...]`. Built from the records' stream numbers, in log order, by
/// counting (no array per stream).
struct StreamPositions {
  private var starts: [Int]
  private var all: [UInt64]

  /// - Parameters:
  ///   - counts: each stream's event count, by stream number.
  ///   - recordStreams: each record's stream number, in log order.
  ///   - recordPositions: each record's position, in the same order.
  init(counts: [Int], recordStreams: [Int32], recordPositions: [UInt64]) {
    var starts = [Int](repeating: 0, count: counts.count + 1)
    for (number, count) in counts.enumerated() { starts[number + 1] = starts[number] + count }
    var next = starts
    var all = [UInt64](repeating: 0, count: starts[counts.count])
    for (stream, position) in zip(recordStreams, recordPositions) {
      let number = Int(stream)
      all[next[number]] = position
      next[number] += 1
    }
    self.starts = starts
    self.all = all
  }

  /// Stream `number`'s positions, version 1 first.
  func positions(of number: Int) -> ArraySlice<UInt64> {
    all[starts[number]..<starts[number + 1]]
  }
}
