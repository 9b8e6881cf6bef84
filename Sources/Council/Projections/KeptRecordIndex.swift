import EventLog

/// The index of every member's record that a kept model's binary form carries (the member
/// directory's and the membership histories'), so that one member's record is found by a
/// binary search and read alone.
///
/// Written after the records, under the model's own checksum of its table: the number of
/// members, then for each in identifier order 32 bytes (its record's offset and length in the
/// records, the record's checksum, and where its identifier lies in the identifiers), then the
/// identifiers (their length, then each identifier's length and UTF-8).
struct KeptRecordIndex: Sendable {
  /// The size of an entry.
  static let entrySize = 32

  /// The entries, as offsets in the buffer read.
  let entries: Range<Int>
  /// The identifiers, as offsets in the buffer read.
  let identifiers: Range<Int>
  /// The records' length: every entry's record lies within it.
  let recordsLength: Int
  /// What holds the index, for errors: "the directory", "the histories".
  let owner: String

  /// How many members the index lists.
  var count: Int { entries.count / Self.entrySize }

  /// Writes the index of the records at `places` (in the records), with their `checksums`,
  /// of the members `identifiers`, all in identifier order.
  static func write(
    places: [Range<Int>], checksums: [UInt64], identifiers: [String],
    to writer: inout BinaryWriter
  ) {
    var text = BinaryWriter(capacity: 16 * identifiers.count)
    writer.writeVariableLength(UInt64(places.count))
    for (number, place) in places.enumerated() {
      writer.writeFixedWidth(UInt64(place.lowerBound))
      writer.writeFixedWidth(UInt64(place.count))
      writer.writeFixedWidth(checksums[number])
      writer.writeFixedWidth(UInt64(text.count))
      text.write(identifiers[number])
    }
    writer.write(bytes: text.bytes)
  }

  /// Reads the index at `reader`'s offset, leaving `reader` after it; its entries are checked
  /// as they are read.
  init(_ reader: inout BinaryReader, recordsLength: Int, of owner: String)
    throws(BinaryDecodingError)
  {
    let start = reader.offset
    let members = try reader.readCount()
    guard members <= reader.remaining / Self.entrySize else {
      throw BinaryDecodingError(
        offset: start,
        reason: "\(owner)'s index of \(members) members runs past its \(reader.remaining) bytes")
    }
    entries = reader.offset..<(reader.offset + members * Self.entrySize)
    _ = try reader.readRaw(count: members * Self.entrySize)
    let identifiersLength = try reader.readCount()
    identifiers = reader.offset..<(reader.offset + identifiersLength)
    _ = try reader.readRaw(count: identifiersLength)
    self.recordsLength = recordsLength
    self.owner = owner
  }

  /// Entry `number`: where its record lies in the records, the record's checksum, and its
  /// member.
  func entry(_ number: Int, in raw: UnsafeRawBufferPointer)
    throws(BinaryDecodingError) -> (place: Range<Int>, checksum: UInt64, member: MemberID)
  {
    let at = entries.lowerBound + number * Self.entrySize
    var entry = BinaryReader(UnsafeRawBufferPointer(rebasing: raw[at..<(at + Self.entrySize)]))
    let offset = try entry.readFixedWidth(UInt64.self)
    let length = try entry.readFixedWidth(UInt64.self)
    let checksum = try entry.readFixedWidth(UInt64.self)
    let identifierAt = try entry.readFixedWidth(UInt64.self)
    guard offset <= UInt64(recordsLength), length <= UInt64(recordsLength) - offset,
      identifierAt < UInt64(identifiers.count)
    else {
      throw BinaryDecodingError(
        offset: at,
        reason:
          "an index entry's record at \(offset), \(length) bytes, or identifier at \(identifierAt) lies outside \(owner)"
      )
    }
    var identifier = BinaryReader(
      UnsafeRawBufferPointer(
        rebasing: raw[(identifiers.lowerBound + Int(identifierAt))..<identifiers.upperBound]))
    let text = try identifier.readRaw(count: try identifier.readCount())
    return (
      Int(offset)..<Int(offset + length), checksum,
      MemberID(String(decoding: text, as: UTF8.self))
    )
  }

  /// The number of `member`'s entry, found by a binary search; `nil` when it has none.
  func find(_ member: MemberID, in raw: UnsafeRawBufferPointer) throws(BinaryDecodingError)
    -> Int?
  {
    var low = 0
    var high = count
    while low < high {
      let middle = low + (high - low) / 2
      let found = try entry(middle, in: raw).member
      if found == member { return middle }
      if found < member { low = middle + 1 } else { high = middle }
    }
    return nil
  }

  /// The record entry `number` lists, in `raw` whose records begin at `records`, once its
  /// checksum is checked, with its member and where it lies in the records.
  func record(_ number: Int, in raw: UnsafeRawBufferPointer, recordsAt records: Int)
    throws(BinaryDecodingError) -> (
      bytes: UnsafeRawBufferPointer, member: MemberID, place: Range<Int>
    )
  {
    let (place, checksum, member) = try entry(number, in: raw)
    let from = records + place.lowerBound
    let bytes = UnsafeRawBufferPointer(rebasing: raw[from..<(from + place.count)])
    guard RecordChecksum.hash(bytes) == checksum else {
      throw BinaryDecodingError(
        offset: from, reason: "the checksum of member \(member)'s record does not match")
    }
    return (bytes, member, place)
  }
}
