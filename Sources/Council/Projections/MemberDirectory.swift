import EventLog
import EventLogMacros
import Foundation

// The member directory, from the member guide (`000_e44055bfb5ba5aef.txt`, "Member
// directory"): "As a member, you have access to the member directory that allows you to
// search member organizations, by region, by services offered and by target client group."

/// One account as the directory lists it.
@BinaryCodable
public struct DirectoryAccount: Hashable, Sendable, Codable, BinaryCodable {
  /// The account's identifier, for looking the account itself up (`account-ID`).
  public var account: AccountID
  /// The person's name, sealed as the log holds it.
  public var name: Personal<String>
  /// The role; `nil` for the administrative account.
  public var role: AccountRole?
  /// The e-mail address, sealed: shown to the office only (see
  /// ``MemberDirectory/search(_:as:)``).
  public var email: Personal<String>?

  /// The directory keeps `email`; ``MemberDirectory/search(_:as:)`` blanks it for all but the office.
  public init(
    account: AccountID, name: Personal<String>, role: AccountRole?, email: Personal<String>?
  ) {
    self.account = account
    self.name = name
    self.role = role
    self.email = email
  }

  /// Whether it is the member's administrative account.
  public var isAdministrative: Bool { role == nil }
}

/// One member organization as the directory lists it.
@BinaryCodable
public struct DirectoryEntry: Hashable, Sendable, Codable, BinaryCodable {
  /// The member's identifier, for looking the member itself up (`member-ID`).
  public var member: MemberID
  /// The latest profile: as applied, or as last updated (``MemberProfileUpdated``).
  public var profile: MemberProfile
  /// Its active accounts, administrative first.
  public var accounts: [DirectoryAccount]
}

/// What to look for in the directory. Every criterion given must match; text matches either
/// name, ignoring case and accents (`montreal` finds `Montréal`).
public struct DirectoryQuery: Hashable, Sendable {
  /// The province or territory.
  public var region: String?
  /// A service offered.
  public var service: String?
  /// A target client group.
  public var clientGroup: String?
  /// A language services are offered in, matched whole against the profile's languages.
  public var language: String?
  /// Words in the English or French name (or the city).
  public var text: String?
  /// The page, from 0.
  public var page: Int
  /// Entries per page.
  public var pageSize: Int

  /// Criteria left `nil` match everything; pages count from 0, 50 entries each by default.
  public init(
    region: String? = nil, service: String? = nil, clientGroup: String? = nil,
    language: String? = nil, text: String? = nil, page: Int = 0, pageSize: Int = 50
  ) {
    self.region = region
    self.service = service
    self.clientGroup = clientGroup
    self.language = language
    self.text = text
    self.page = max(0, page)
    self.pageSize = max(1, pageSize)
  }
}

/// A page of directory results.
public struct DirectoryPage: Hashable, Sendable {
  /// The entries on this page, sorted by English name.
  public var entries: [DirectoryEntry]
  /// How many entries match in all.
  public var total: Int
  /// Matching members per region.
  public var countsByRegion: [String: Int]
  /// Matching members per service offered.
  public var countsByService: [String: Int]
}

/// The member directory: active member organizations only (a lapsed or withdrawn member
/// leaves it, and returns when it renews or is reinstated), with their accounts.
///
/// Its binary form lists the active members in the directory's order, with the terms a search
/// compares and where each one's record lies, after the records themselves, so that
/// ``KeptDirectory`` can answer a search from a kept directory without reading it whole (see
/// ``encode(to:)``).
public struct MemberDirectory: BinaryCodable, Sendable, Hashable {
  /// Everything known about each member, active or not, so that a member who returns comes
  /// back with its profile and accounts.
  @BinaryCodable
  struct Record: Hashable, Sendable {
    var profile: MemberProfile
    var active: Bool
    var accounts: [DirectoryAccount]
  }

  var records: [MemberID: Record] = [:]
  /// The member whose record lists each account: an index of ``records``, not written, and
  /// made only when an account is first deactivated (`nil` until then), so that a log with
  /// few deactivations does not index every account it creates.
  var accountOwners: [AccountID: MemberID]? = nil

  /// An empty directory.
  public init() {}

  /// Every active member, sorted by English name.
  public var activeEntries: [DirectoryEntry] {
    activeOrder.map {
      DirectoryEntry(
        member: records.keys[$0], profile: records.values[$0].profile,
        accounts: records.values[$0].accounts)
    }
  }

  /// How many members are active: as many as ``activeEntries`` lists, counted without building
  /// and sorting the entries.
  public var activeCount: Int { Self.activeCount(of: records) }

  private static func activeCount(of records: [MemberID: Record]) -> Int {
    records.values.reduce(0) { $0 + ($1.active ? 1 : 0) }
  }

  /// Where the active records are in ``records``, in the directory's order: by English name,
  /// then by identifier.
  private var activeOrder: [[MemberID: Record].Index] {
    var order = records.indices.filter { records.values[$0].active }
    order.sort {
      (records.values[$0].profile.nameEnglish, records.keys[$0])
        < (records.values[$1].profile.nameEnglish, records.keys[$1])
    }
    return order
  }

  /// Searches the directory as `viewer` sees it: e-mail addresses are shown to the office only.
  public func search(_ query: DirectoryQuery, as viewer: Issuer) -> DirectoryPage {
    var search = DirectorySearch(query)
    for index in activeOrder {
      let record = records.values[index]
      search.consider(records.keys[index], record.profile) { record.accounts }
    }
    return search.page(as: viewer)
  }

  /// Text folded for comparison: lower case, without accents.
  static func fold(_ text: String) -> String {
    text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
      .trimmingCharacters(in: .whitespaces)
  }

  /// Writes the directory in three parts, so that a search can read the order and only the
  /// records it returns (see ``KeptDirectory``):
  ///
  /// 1. **The records**: their length in bytes (eight, little-endian), then every member,
  ///    active or not, each after its identifier, in identifier order. They are written where
  ///    they stay, and their length in front once it is known: a state of hundreds of
  ///    megabytes is not written twice.
  /// 2. **The order**: a table of the distinct regions, services, client groups and languages
  ///    of the active members; the records' length again; then, for each active member in the
  ///    directory's order, where its record lies in the records (offset and length), that
  ///    record's checksum, and its region, services, client groups and languages as numbers in
  ///    the table, then its English name and identifier (the keys of the order); then **the
  ///    postings**: for each kind of term (region, service, client group, language) and each
  ///    term of the table, where the entries that list it under that kind lie in the order
  ///    (``DirectoryPostings``), so that a search on a region reads that region's entries
  ///    alone; then **the index**: the number of members, and for every member, active or not, in identifier
  ///    order, where its record lies (offset and length), its checksum and where its identifier
  ///    lies in a table of identifiers (eight bytes each), then that table (its length, then
  ///    each identifier), so that a member's record is found by its identifier without reading
  ///    the others. A checksum of the order and the index closes them.
  /// 3. A checksum of all of it (``RecordChecksum``, 8 bytes), which a whole load checks.
  ///
  /// The account owners are not written: they are the accounts the records list, found there
  /// when a deactivation needs them.
  public func encode(to writer: inout BinaryWriter) {
    let start = writer.count
    writer.writeFixedWidth(UInt64(0))  // the records' length, written over below
    let recordsStart = writer.count
    writer.writeVariableLength(UInt64(records.count))
    // Identifiers sorted side by side with their records' places compare faster than
    // identifiers looked up through the dictionary.
    var byIdentifier: [(member: MemberID, index: [MemberID: Record].Index)] = []
    byIdentifier.reserveCapacity(records.count)
    for index in records.indices { byIdentifier.append((records.keys[index], index)) }
    byIdentifier.sort { $0.member < $1.member }
    var spans: [[MemberID: Record].Index: Range<Int>] = [:]
    spans.reserveCapacity(records.count)
    var identifierOrder: [Range<Int>] = []
    identifierOrder.reserveCapacity(records.count)
    for (member, index) in byIdentifier {
      let from = writer.count - recordsStart
      member.encode(to: &writer)
      records.values[index].encode(to: &writer)
      spans[index] = from..<(writer.count - recordsStart)
      identifierOrder.append(from..<(writer.count - recordsStart))
    }
    let recordsLength = writer.count - recordsStart
    writer.overwriteFixedWidth(UInt64(recordsLength), at: start)
    // Each record's checksum, in identifier order: for the index, and for the active ones'
    // entries in the order.
    var checksums: [UInt64] = []
    checksums.reserveCapacity(identifierOrder.count)
    var checksumOf: [[MemberID: Record].Index: UInt64] = [:]
    checksumOf.reserveCapacity(records.count)
    writer.bytes.withUnsafeBytes { raw in
      let recordBytes = UnsafeRawBufferPointer(rebasing: raw[recordsStart...])
      for (place, span) in identifierOrder.enumerated() {
        let checksum = RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: recordBytes[span]))
        checksums.append(checksum)
        checksumOf[byIdentifier[place].index] = checksum
      }
    }
    // The order, each active member with the terms a search compares (its region, services,
    // client groups and languages) as numbers in a table of the distinct terms.
    let order = activeOrder
    var distinct: Set<String> = []
    for index in order {
      let profile = records.values[index].profile
      distinct.insert(profile.region)
      distinct.formUnion(profile.services)
      distinct.formUnion(profile.clientGroups)
      distinct.formUnion(profile.languages)
    }
    let terms = distinct.sorted()
    var number: [String: Int] = [:]
    for (index, term) in terms.enumerated() { number[term] = index }
    var entries = BinaryWriter(capacity: 24 * order.count + 8)
    var postings = DirectoryPostings(terms: terms.count)
    for index in order {
      let profile = records.values[index].profile
      let span = spans[index] ?? 0..<0
      let at = entries.count
      entries.writeVariableLength(UInt64(span.lowerBound))
      entries.writeVariableLength(UInt64(span.count))
      entries.writeFixedWidth(checksumOf[index] ?? 0)
      let region = number[profile.region] ?? 0
      entries.writeVariableLength(UInt64(region))
      postings.list(at, under: region, of: .region)
      func write(_ list: [String], _ kind: DirectoryPostings.Kind) {
        entries.writeVariableLength(UInt64(list.count))
        for term in list {
          let term = number[term] ?? 0
          entries.writeVariableLength(UInt64(term))
          postings.list(at, under: term, of: kind)
        }
      }
      write(profile.services, .service)
      write(profile.clientGroups, .clientGroup)
      write(profile.languages, .language)
      entries.write(profile.nameEnglish)
      entries.write(records.keys[index].rawValue)
    }
    let orderStart = writer.count
    writer.write(terms)
    writer.writeVariableLength(UInt64(recordsLength))
    writer.writeVariableLength(UInt64(order.count))
    writer.write(bytes: entries.bytes)
    postings.encode(to: &writer)
    KeptRecordIndex.write(
      places: identifierOrder, checksums: checksums,
      identifiers: byIdentifier.map(\.member.rawValue), to: &writer)
    let orderChecksum = writer.bytes.withUnsafeBytes {
      RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: $0[orderStart...]))
    }
    writer.writeFixedWidth(orderChecksum)
    let checksum = writer.bytes.withUnsafeBytes {
      RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: $0[start...]))
    }
    writer.writeFixedWidth(checksum)
  }

  /// Reads what ``encode(to:)`` writes, checking both checksums, that the order lists as many
  /// members as are active, and that the records fill their length exactly; finds the
  /// account owners in the records when a deactivation first needs them.
  public init(from reader: inout BinaryReader) throws {
    var end = reader
    let layout = try DirectoryLayout(&end, checkingWhole: true)
    _ = try reader.readFixedWidth(UInt64.self)  // the records' length, read by the layout
    let records = try reader.read([MemberID: Record].self)
    guard reader.offset == layout.records.upperBound else {
      throw BinaryDecodingError(
        offset: layout.records.lowerBound,
        reason:
          "the directory's records end at byte \(reader.offset), not \(layout.records.upperBound)")
    }
    let active = Self.activeCount(of: records)
    guard active == layout.count else {
      throw BinaryDecodingError(
        offset: layout.order.lowerBound,
        reason: "the directory lists \(layout.count) active members, its records \(active)")
    }
    reader = end
    self.records = records
  }

  /// Equal records: the account owners are found in them.
  public static func == (lhs: MemberDirectory, rhs: MemberDirectory) -> Bool {
    lhs.records == rhs.records
  }

  /// Hashes the records (the account owners are found in them).
  public func hash(into hasher: inout Hasher) { hasher.combine(records) }

  mutating func apply(_ event: MemberEvent, member: MemberID) {
    switch event {
    case .applied(let e):
      if let index = records.index(forKey: member) {
        records.values[index].profile = e.profile
        records.values[index].active = false
      } else {
        records[member] = Record(profile: e.profile, active: false, accounts: [])
      }
    case .profileUpdated(let e):
      records.updateValue(forKey: member) { $0.profile = e.profile }
    case .approved, .renewed, .reinstated:
      records.updateValue(forKey: member) { $0.active = true }
    case .rejected, .lapsed, .withdrew:
      records.updateValue(forKey: member) { $0.active = false }
    }
  }

  /// Folds one event of the account stream `stream`.
  mutating func apply(_ event: AccountEvent, in stream: StreamName) {
    switch event {
    case .administrativeCreated(let e):
      guard let index = records.index(forKey: e.member) else { return }
      records.values[index].accounts.insert(
        DirectoryAccount(account: e.account, name: e.name, role: nil, email: e.email), at: 0)
      accountOwners?[e.account] = e.member
    case .individualCreated(let e):
      guard let index = records.index(forKey: e.member) else { return }
      records.values[index].accounts.append(
        DirectoryAccount(account: e.account, name: e.name, role: e.role, email: e.email))
      accountOwners?[e.account] = e.member
    case .deactivated:
      deactivate(AccountID(stream.id ?? ""))
    case .subscribed, .unsubscribed:
      break
    }
  }

  private mutating func deactivate(_ account: AccountID) {
    if accountOwners == nil {
      var owners: [AccountID: MemberID] = [:]
      owners.reserveCapacity(records.values.reduce(0) { $0 + $1.accounts.count })
      for (member, record) in records {
        for account in record.accounts { owners[account.account] = member }
      }
      accountOwners = owners
    }
    guard let member = accountOwners?.removeValue(forKey: account) else { return }
    records.updateValue(forKey: member) { $0.accounts.removeAll { $0.account == account } }
  }

}

/// Folds member and account events into the ``MemberDirectory``.
public struct MemberDirectoryProjection: Projection {
  /// Keeps nothing itself; what it folds is stored under `projection/member-directory@VERSION`.
  public init() {}

  /// `member-directory`.
  public var name: String { "member-directory" }
  /// 6: the directory's binary form has an order of its active members (version 2), each with
  /// its record's place and checksum (version 3), written after the records and without the
  /// account owners (version 4), an index of every member's record (version 5), and the
  /// order's entries listed under each of their terms (version 6); a directory kept by an
  /// earlier version is rebuilt once.
  public var version: Int { 6 }
  /// Member and account streams.
  public var categories: Set<String>? { ["member", "account"] }
  /// An empty directory.
  public var initialState: MemberDirectory { MemberDirectory() }

  /// Folds one event.
  public func apply(
    _ event: EitherEvent<MemberEvent, AccountEvent>, context: EventContext,
    to state: inout MemberDirectory
  ) {
    switch event {
    case .first(let event):
      state.apply(event, member: MemberID(context.stream.id ?? ""))
    case .second(let event):
      state.apply(event, in: context.stream)
    }
  }
}
