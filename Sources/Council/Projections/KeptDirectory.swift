import EventLog
import Foundation

/// The member directory as a log keeps it, searched without reading it whole.
///
/// A `ProjectionRunner` of ``MemberDirectoryProjection`` keeps the directory in the log's
/// state store. Loading it back decodes every member and account ever recorded, which at a
/// million events takes most of a second. A search needs far less. `KeptDirectory` reads the
/// kept bytes in place: the active members in the directory's order, with their regions,
/// services, client groups and languages as numbers in a table (which the directory's binary
/// form lists first), then only the profiles and accounts of the members it returns.
///
/// It answers for the moment the directory was kept, and is given only while the log has not
/// moved since:
/// - ``search(_:as:in:)`` answers one question from the bytes where the store keeps them
///   (LMDB lends them from its map: nothing is copied);
/// - ``current(in:)`` gives a copy, to ask several questions of.
///
/// When they give `nil`, catch the directory up with a `ProjectionRunner` (which keeps it
/// again) and search that; the package's overview shows both.
///
/// Its answers are ``MemberDirectory/search(_:as:)``'s, entry for entry.
public struct KeptDirectory: Sendable {
  /// The position of the last event the kept directory folded in.
  public let position: LogPosition
  private let bytes: [UInt8]
  /// Where the order of the active members and the records lie in ``bytes``.
  private let layout: DirectoryLayout

  /// The kept directory in `state`, as a `ProjectionRunner` of
  /// ``MemberDirectoryProjection`` saved it.
  ///
  /// Only the term table and the order of the active members are read here, and the
  /// checksum of the whole checked; the records are read as a search reaches them.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/corruptRecord`` when the
  ///   bytes are not the checksummed directory they should be.
  public init(_ state: StoredState) throws(EventStoreError) {
    position = LogPosition(state.position)
    bytes = state.bytes
    do {
      layout = try bytes.withUnsafeBytes { raw in
        var reader = BinaryReader(raw)
        return try DirectoryLayout(&reader)
      }
    } catch {
      throw Self.damaged(error)
    }
  }

  /// The directory kept in `store`, when it folded every event up to the log's head; `nil`
  /// when none is kept, or when events were appended after it was kept.
  ///
  /// - Throws: the store's errors, and ``EventStoreError`` with code
  ///   ``EventStoreError/Code/corruptRecord`` when the kept directory does not read.
  public static func current(in store: any EventStore & StateStore) async throws -> KeptDirectory? {
    guard let state = try await store.loadState(MemberDirectoryProjection().stateKey) else {
      return nil
    }
    guard try await store.headPosition().rawValue == state.position else { return nil }
    return try KeptDirectory(state)
  }

  /// The answer to `query`, as `viewer` sees it, from the directory kept in `store` where the
  /// store keeps it (see EventLog's `StateStore.withState(_:_:)`), and the position it answers at;
  /// `nil` when no directory is kept, or when events were appended after it was kept.
  ///
  /// - Throws: the store's errors, and ``EventStoreError`` with code
  ///   ``EventStoreError/Code/corruptRecord`` when the kept directory does not read.
  public static func search(
    _ query: DirectoryQuery, as viewer: Issuer, in store: any EventStore & StateStore
  ) async throws -> (page: DirectoryPage, position: LogPosition)? {
    let head = try await store.headPosition()
    let lent = try await store.withState(MemberDirectoryProjection().stateKey) {
      position, raw -> DirectoryPage? in
      guard position == head.rawValue else { return nil }
      do {
        var reader = BinaryReader(raw)
        let layout = try DirectoryLayout(&reader)
        return try answer(query, as: viewer, layout: layout, in: raw)
      } catch {
        throw damaged(error)
      }
    }
    guard let found = lent, let page = found else { return nil }
    return (page, head)
  }

  /// Searches the directory as `viewer` sees it, as ``MemberDirectory/search(_:as:)`` does:
  /// e-mail addresses are shown to the office only.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/corruptRecord`` when a
  ///   record the search reads does not decode.
  public func search(_ query: DirectoryQuery, as viewer: Issuer) throws(EventStoreError)
    -> DirectoryPage
  {
    do {
      return try bytes.withUnsafeBytes {
        try Self.answer(query, as: viewer, layout: layout, in: $0)
      }
    } catch {
      throw Self.damaged(error)
    }
  }

  /// The search itself, over a directory's bytes whose layout is read.
  private static func answer(
    _ query: DirectoryQuery, as viewer: Issuer, layout: DirectoryLayout,
    in raw: UnsafeRawBufferPointer
  ) throws -> DirectoryPage {
    let section = layout.records
    let records = UnsafeRawBufferPointer(rebasing: raw[section])
    var search = DirectorySearch(query)
    let filter = search.termFilter(layout.terms)
    for entry in layout.entries where filter.admits(layout.termNumbers, from: entry.terms) {
      let start = entry.offset
      var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: records[start...]))
      let member = try MemberID(from: &reader)
      let profile = try MemberProfile(from: &reader)
      try search.consider(member, profile) {
        guard try reader.read(Bool.self) else {
          throw BinaryDecodingError(
            offset: section.lowerBound + start,
            reason: "member \(member) is listed active but is not")
        }
        return try reader.read([DirectoryAccount].self)
      }
    }
    return search.page(as: viewer)
  }

  private static func damaged(_ error: any Error) -> EventStoreError {
    EventStoreError(
      .corruptRecord,
      "the saved state \(MemberDirectoryProjection().stateKey) does not decode: \(error)")
  }
}

/// Where the parts of a directory's binary form lie (see ``MemberDirectory/encode(to:)``):
/// read, and the checksum checked, without decoding the records.
struct DirectoryLayout: Sendable {
  /// One active member as the order lists it.
  struct Entry: Sendable {
    /// Where its entry begins in the records' section.
    var offset: Int
    /// Where its terms lie in ``DirectoryLayout/termNumbers``: its region, then its services,
    /// client groups and languages, each list after its count.
    var terms: Int
  }

  /// The distinct regions, services, client groups and languages of the active members.
  var terms: [String]
  /// The active members, in the directory's order.
  var entries: [Entry]
  /// The entries' terms, as numbers in ``terms``, one entry after the other.
  var termNumbers: [Int]
  /// The records' section (their count, then each member's identifier and its record), as
  /// offsets in the reader's buffer.
  var records: Range<Int>
  /// The account owners' section.
  var owners: Range<Int>
  /// The offset just past the directory (past its checksum).
  var end: Int

  /// Reads the layout at `reader`'s offset, leaving `reader` at the start of the records.
  init(_ reader: inout BinaryReader) throws {
    let start = reader.offset
    terms = try reader.read([String].self)
    let count = try reader.readCount()
    var entries: [Entry] = []
    entries.reserveCapacity(count)
    var numbers: [Int] = []
    numbers.reserveCapacity(count * 8)
    let termCount = UInt64(terms.count)
    func term() throws -> Int {
      let at = reader.offset
      let number = try reader.read(UInt64.self)
      guard number < termCount else {
        throw BinaryDecodingError(
          offset: at, reason: "term \(number) of a table of \(termCount)")
      }
      return Int(number)
    }
    for _ in 0..<count {
      let offset = Int(clamping: try reader.read(UInt64.self))
      entries.append(Entry(offset: offset, terms: numbers.count))
      numbers.append(try term())
      for _ in 0..<3 {
        let listed = try reader.readCount()
        numbers.append(listed)
        for _ in 0..<listed { numbers.append(try term()) }
      }
    }
    let recordsLength = try reader.readCount()
    records = reader.offset..<(reader.offset + recordsLength)
    var end = reader
    _ = try end.readRaw(count: recordsLength)
    let ownersLength = try end.readCount()
    owners = end.offset..<(end.offset + ownersLength)
    _ = try end.readRaw(count: ownersLength)
    let summed = end.offset
    let stored = try end.readFixedWidth(UInt64.self)
    let checksum = RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: end.buffer[start..<summed]))
    guard stored == checksum else {
      throw BinaryDecodingError(offset: summed, reason: "the directory's checksum does not match")
    }
    if let outside = entries.first(where: { $0.offset >= recordsLength }) {
      throw BinaryDecodingError(
        offset: records.lowerBound,
        reason:
          "an active member's entry at \(outside.offset) is outside the \(recordsLength) bytes of records"
      )
    }
    self.entries = entries
    self.termNumbers = numbers
    self.end = end.offset
  }
}

/// The criteria of a query on region, service, client group and language, as the terms of a
/// kept directory's table that each admits (`nil`: no criterion): an entry whose terms pass
/// is one whose profile ``DirectorySearch`` would match on those criteria.
struct TermFilter {
  var region: [Bool]?
  var service: [Bool]?
  var clientGroup: [Bool]?
  var language: [Bool]?

  /// Whether the entry whose terms begin at `start` in `numbers` passes.
  func admits(_ numbers: [Int], from start: Int) -> Bool {
    if let region, !region[numbers[start]] { return false }
    var index = start + 1
    return Self.passes(service, numbers, &index) && Self.passes(clientGroup, numbers, &index)
      && Self.passes(language, numbers, &index)
  }

  /// Whether the list at `index` (its count, then its terms) has a term `criterion` admits;
  /// moves `index` past the list.
  private static func passes(_ criterion: [Bool]?, _ numbers: [Int], _ index: inout Int) -> Bool {
    let list = (index + 1)..<(index + 1 + numbers[index])
    index = list.upperBound
    guard let criterion else { return true }
    return list.contains { criterion[numbers[$0]] }
  }
}

/// One search of the directory: the query folded once, and the members given one at a time in
/// the directory's order (by English name, then identifier).
///
/// Regions, services, client groups and languages repeat from member to member, so each text
/// is folded once per search.
struct DirectorySearch {
  private let region: String?
  private let service: String?
  private let clientGroup: String?
  private let language: String?
  private let words: [String]
  private let pageRange: Range<Int>
  private var folded: [String: String] = [:]
  private var total = 0
  private var byRegion: [String: Int] = [:]
  private var byService: [String: Int] = [:]
  private var entries: [DirectoryEntry] = []

  init(_ query: DirectoryQuery) {
    region = query.region.map(MemberDirectory.fold)
    service = query.service.map(MemberDirectory.fold)
    clientGroup = query.clientGroup.map(MemberDirectory.fold)
    language = query.language.map(MemberDirectory.fold)
    words =
      query.text.map(MemberDirectory.fold).map { $0.split(separator: " ").map(String.init) } ?? []
    let (start, overflow) = query.page.multipliedReportingOverflow(by: query.pageSize)
    let first = overflow ? Int.max : start
    let (end, past) = first.addingReportingOverflow(query.pageSize)
    pageRange = first..<(past ? Int.max : end)
  }

  /// Which terms of `terms` each criterion of the query admits, for ``TermFilter``.
  mutating func termFilter(_ terms: [String]) -> TermFilter {
    func admitted(_ wanted: String?) -> [Bool]? {
      guard let wanted else { return nil }
      return terms.map { fold($0) == wanted }
    }
    return TermFilter(
      region: admitted(region), service: admitted(service), clientGroup: admitted(clientGroup),
      language: admitted(language))
  }

  private mutating func fold(_ text: String) -> String {
    if let known = folded[text] { return known }
    let folding = MemberDirectory.fold(text)
    folded[text] = folding
    return folding
  }

  private mutating func has(_ values: [String], _ wanted: String?) -> Bool {
    guard let wanted else { return true }
    for value in values where fold(value) == wanted { return true }
    return false
  }

  private mutating func matches(_ profile: MemberProfile) -> Bool {
    if let region, fold(profile.region) != region { return false }
    guard has(profile.services, service), has(profile.clientGroups, clientGroup),
      has(profile.languages, language)
    else { return false }
    if words.isEmpty { return true }
    let haystack = MemberDirectory.fold(
      profile.nameEnglish + " " + profile.nameFrench + " " + profile.city)
    return words.allSatisfy { haystack.contains($0) }
  }

  /// Counts the member when it matches, and keeps its entry when it falls on the page asked
  /// for; `accounts` is called for those only.
  mutating func consider(
    _ member: MemberID, _ profile: MemberProfile, accounts: () throws -> [DirectoryAccount]
  ) rethrows {
    guard matches(profile) else { return }
    byRegion[profile.region, default: 0] += 1
    for service in Set(profile.services) { byService[service, default: 0] += 1 }
    if pageRange.contains(total) {
      entries.append(DirectoryEntry(member: member, profile: profile, accounts: try accounts()))
    }
    total += 1
  }

  /// The page, as `viewer` sees it: e-mail addresses blanked for all but the office.
  func page(as viewer: Issuer) -> DirectoryPage {
    var entries = self.entries
    if !viewer.isOffice {
      for index in entries.indices {
        for account in entries[index].accounts.indices {
          entries[index].accounts[account].email = nil
        }
      }
    }
    return DirectoryPage(
      entries: entries, total: total, countsByRegion: byRegion, countsByService: byService)
  }
}
