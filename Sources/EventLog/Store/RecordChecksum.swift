/// The 64-bit checksum a record carries (format 2): a multiply–rotate hash over the record's
/// bytes, four independent lanes of 8-byte words, so that it runs at memory speed.
///
/// It is a check against damage, not a cryptographic hash: a changed byte, a record cut short
/// or grown, or bytes moved within the record change the sum (but for a chance of 1 in 2⁶⁴).
public enum RecordChecksum {
  @usableFromInline static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
  @usableFromInline static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  @usableFromInline static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
  @usableFromInline static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
  @usableFromInline static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

  /// The checksum of a record: its bytes with the checksum field itself (8 bytes at
  /// `fieldOffset`) left out.
  @inlinable
  public static func of(record bytes: UnsafeRawBufferPointer, skipping fieldOffset: Int) -> UInt64 {
    let head = UnsafeRawBufferPointer(rebasing: bytes[..<fieldOffset])
    let tail = UnsafeRawBufferPointer(rebasing: bytes[(fieldOffset + 8)...])
    return hash(tail, seed: hash(head, seed: UInt64(bytes.count)))
  }

  @inlinable @inline(__always)
  static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
    (value << bits) | (value >> (64 - bits))
  }

  @inlinable @inline(__always)
  static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
    rotate(accumulator &+ input &* prime2, 31) &* prime1
  }

  @inlinable @inline(__always)
  static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
    (accumulator ^ round(0, lane)) &* prime1 &+ prime4
  }

  /// The hash of `bytes`, started from `seed`.
  @inlinable
  public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
    let count = bytes.count
    var offset = 0
    var h: UInt64
    if count >= 32 {
      var a = seed &+ prime1 &+ prime2
      var b = seed &+ prime2
      var c = seed
      var d = seed &- prime1
      while offset + 32 <= count {
        a = round(
          a, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        b = round(
          b, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
        c = round(
          c, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
        )
        d = round(
          d, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
        )
        offset += 32
      }
      h = rotate(a, 1) &+ rotate(b, 7) &+ rotate(c, 12) &+ rotate(d, 18)
      h = merge(h, a)
      h = merge(h, b)
      h = merge(h, c)
      h = merge(h, d)
    } else {
      h = seed &+ prime5
    }
    h = h &+ UInt64(count)
    while offset + 8 <= count {
      let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      h ^= round(0, word)
      h = rotate(h, 27) &* prime1 &+ prime4
      offset += 8
    }
    while offset < count {
      h ^= UInt64(bytes[offset]) &* prime5
      h = rotate(h, 11) &* prime1
      offset += 1
    }
    h ^= h >> 33
    h = h &* prime2
    h ^= h >> 29
    h = h &* prime3
    h ^= h >> 32
    return h
  }
}
