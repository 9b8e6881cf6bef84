/// The 64-bit checksum that ends a record (format 2): a Fletcher-style pair of running sums
/// over the record's 8-byte words, finished with a multiply–xorshift mix.
///
/// It is a check against damage, not a cryptographic hash. A changed byte changes the first
/// sum; bytes moved within the record change the second (each word is weighted by its place);
/// a record cut short or grown changes the length folded in. Two adds per 8 bytes: it runs at
/// memory speed, a few nanoseconds for a typical record.
public enum RecordChecksum {
  @usableFromInline static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
  @usableFromInline static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  @usableFromInline static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

  /// Whether a format 2 record's last 8 bytes are the checksum of the bytes before them.
  @inlinable
  public static func matches(record bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count >= RecordFormat.checksumSize else { return false }
    let body = bytes.count - RecordFormat.checksumSize
    let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: body, as: UInt64.self))
    return stored == hash(UnsafeRawBufferPointer(rebasing: bytes[..<body]))
  }

  @inlinable @inline(__always)
  static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
    (value << bits) | (value >> (64 - bits))
  }

  @inlinable @inline(__always)
  static func mix(_ value: UInt64) -> UInt64 {
    var h = value
    h ^= h >> 33
    h = h &* prime2
    h ^= h >> 29
    h = h &* prime3
    h ^= h >> 32
    return h
  }

  /// The checksum of `bytes`.
  @inlinable
  public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let count = bytes.count
    var first = prime1
    var second: UInt64 = 0
    var offset = 0
    while offset + 8 <= count {
      first &+= UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      second &+= first
      offset += 8
    }
    if offset < count {
      var tail: UInt64 = 0
      var shift: UInt64 = 0
      while offset < count {
        tail |= UInt64(bytes[offset]) << shift
        shift += 8
        offset += 1
      }
      first &+= tail
      second &+= first
    }
    first &+= UInt64(count)
    second &+= first
    return mix(first) ^ rotate(mix(second &+ prime1), 31)
  }
}
