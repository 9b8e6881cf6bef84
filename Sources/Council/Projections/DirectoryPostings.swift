import EventLog

/// The entries of a kept directory's order listed under each of their terms: for each kind of
/// term (region, service, client group, language) and each term of the directory's table,
/// where the entries that list that term as that kind lie in the order.
///
/// A search with a criterion reads only the entries listed under the terms it admits, of the
/// kind whose lists are shortest, instead of every active member: a search on one region of
/// thirteen reads about a thirteenth of the order.
///
/// ## Binary form
/// After the order's entries, for each kind in ``Kind`` order and each term in table order,
/// one list: how many entries it lists, its length in bytes, then each entry's offset in the
/// order's entries, the first as it is and each after it as its distance from the one before
/// (variable-length integers, so a list is in the directory's order and lists an entry once).
struct DirectoryPostings {
  /// A kind of term a directory's entry lists, in the order of the entry's lists.
  enum Kind: Int, CaseIterable {
    case region, service, clientGroup, language
  }

  private let terms: Int
  private var lists: [[Int]]

  /// Empty lists for a table of `terms` terms.
  init(terms: Int) {
    self.terms = terms
    lists = Array(repeating: [], count: Kind.allCases.count * terms)
  }

  /// Lists the entry at `entry` (its offset in the order's entries; entries are listed in
  /// order) under `term` as a term of `kind`, once however often the entry lists it.
  mutating func list(_ entry: Int, under term: Int, of kind: Kind) {
    let list = kind.rawValue * terms + term
    if lists[list].last != entry { lists[list].append(entry) }
  }

  /// Writes every list (see the type's documentation).
  func encode(to writer: inout BinaryWriter) {
    for list in lists {
      writer.writeVariableLength(UInt64(list.count))
      var offsets = BinaryWriter(capacity: 2 * list.count)
      var previous = 0
      for entry in list {
        offsets.writeVariableLength(UInt64(entry - previous))
        previous = entry
      }
      writer.write(bytes: offsets.bytes)
    }
  }
}

/// The lists of a kept directory's ``DirectoryPostings`` as they lie in its bytes, read without
/// reading their offsets.
struct KeptPostings: Sendable {
  /// One term's list of one kind: how many entries it lists, and where its offsets lie in the
  /// directory's bytes.
  struct List: Sendable {
    var count: Int
    var bytes: Range<Int>
  }

  private let terms: Int
  private let lists: [List]
  /// The length of the order's entries, which every offset lies within.
  private let entriesLength: Int

  /// Reads the lists at `reader`'s offset, for a table of `terms` terms and the order's
  /// entries of `entriesLength` bytes; leaves `reader` after them.
  init(_ reader: inout BinaryReader, terms: Int, entriesLength: Int) throws(BinaryDecodingError) {
    self.terms = terms
    self.entriesLength = entriesLength
    var lists: [List] = []
    lists.reserveCapacity(DirectoryPostings.Kind.allCases.count * terms)
    for _ in 0..<(DirectoryPostings.Kind.allCases.count * terms) {
      let count = try reader.readCount()
      let length = try reader.readCount()
      let at = reader.offset
      _ = try reader.readRaw(count: length)
      lists.append(List(count: count, bytes: at..<(at + length)))
    }
    self.lists = lists
  }

  /// How many entries list the terms `admitted` admits as terms of `kind`, counting an entry
  /// once for each such term.
  func count(admitted: [Bool], of kind: DirectoryPostings.Kind) -> Int {
    var count = 0
    for (term, admits) in admitted.enumerated() where admits && term < terms {
      count += lists[kind.rawValue * terms + term].count
    }
    return count
  }

  /// The offsets in the order's entries of every entry that lists a term `admitted` admits
  /// as a term of `kind`, in the directory's order and each once; `raw` is the buffer the
  /// postings were read from.
  ///
  /// - Throws: ``BinaryDecodingError`` when a list's offsets do not read, do not increase, or
  ///   fall outside the order's entries.
  func entries(admitted: [Bool], of kind: DirectoryPostings.Kind, in raw: UnsafeRawBufferPointer)
    throws(BinaryDecodingError) -> [Int]
  {
    var entries: [Int] = []
    entries.reserveCapacity(count(admitted: admitted, of: kind))
    var listsRead = 0
    for (term, admits) in admitted.enumerated() where admits && term < terms {
      let list = lists[kind.rawValue * terms + term]
      var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: raw[list.bytes]))
      var entry = 0
      for place in 0..<list.count {
        let distance = try reader.read(UInt64.self)
        guard place == 0 || distance > 0, distance < UInt64(entriesLength - entry) else {
          throw BinaryDecodingError(
            offset: list.bytes.lowerBound + reader.offset,
            reason:
              "an entry listed under a term lies \(distance) bytes after the one before, at \(entry) of the order's \(entriesLength)"
          )
        }
        entry += Int(distance)
        entries.append(entry)
      }
      guard reader.isAtEnd else {
        throw BinaryDecodingError(
          offset: list.bytes.lowerBound + reader.offset,
          reason: "a term's list of \(list.count) entries has bytes left after them")
      }
      listsRead += 1
    }
    if listsRead > 1 {
      // An entry can list two admitted terms (two spellings of one service, say).
      entries.sort()
      var unique = 0
      for index in entries.indices where unique == 0 || entries[unique - 1] != entries[index] {
        entries[unique] = entries[index]
        unique += 1
      }
      entries.removeLast(entries.count - unique)
    }
    return entries
  }
}
