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
@BinaryCodable
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
  var accountOwners: [AccountID: MemberID] = [:]

  /// An empty directory.
  public init() {}

  /// Every active member, sorted by English name.
  public var activeEntries: [DirectoryEntry] {
    records.filter(\.value.active)
      .map {
        DirectoryEntry(member: $0.key, profile: $0.value.profile, accounts: $0.value.accounts)
      }
      .sorted { ($0.profile.nameEnglish, $0.member) < ($1.profile.nameEnglish, $1.member) }
  }

  /// Searches the directory as `viewer` sees it: e-mail addresses are shown to the office only.
  public func search(_ query: DirectoryQuery, as viewer: Issuer) -> DirectoryPage {
    let text = query.text.map(Self.fold).map { $0.split(separator: " ").map(String.init) } ?? []
    func has(_ values: [String], _ wanted: String?) -> Bool {
      guard let wanted else { return true }
      let folded = Self.fold(wanted)
      return values.contains { Self.fold($0) == folded }
    }
    let matching = activeEntries.filter { entry in
      let profile = entry.profile
      guard query.region.map({ Self.fold($0) == Self.fold(profile.region) }) ?? true,
        has(profile.services, query.service), has(profile.clientGroups, query.clientGroup),
        has(profile.languages, query.language)
      else { return false }
      let haystack = Self.fold(profile.nameEnglish + " " + profile.nameFrench + " " + profile.city)
      return text.allSatisfy { haystack.contains($0) }
    }
    var byRegion: [String: Int] = [:]
    var byService: [String: Int] = [:]
    for entry in matching {
      byRegion[entry.profile.region, default: 0] += 1
      for service in Set(entry.profile.services) { byService[service, default: 0] += 1 }
    }
    let start = min(matching.count, query.page * query.pageSize)
    var page = Array(matching[start..<min(matching.count, start + query.pageSize)])
    if !viewer.isOffice {
      for index in page.indices {
        for account in page[index].accounts.indices { page[index].accounts[account].email = nil }
      }
    }
    return DirectoryPage(
      entries: page, total: matching.count, countsByRegion: byRegion, countsByService: byService)
  }

  /// Text folded for comparison: lower case, without accents.
  static func fold(_ text: String) -> String {
    text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
      .trimmingCharacters(in: .whitespaces)
  }

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

  mutating func apply(_ event: AccountEvent) {
    switch event {
    case .administrativeCreated(let e):
      accountOwners[e.account] = e.member
      records.updateValue(forKey: e.member) {
        $0.accounts.insert(
          DirectoryAccount(account: e.account, name: e.name, role: nil, email: e.email), at: 0)
      }
    case .individualCreated(let e):
      accountOwners[e.account] = e.member
      records.updateValue(forKey: e.member) {
        $0.accounts.append(
          DirectoryAccount(account: e.account, name: e.name, role: e.role, email: e.email))
      }
    case .deactivated:
      break
    case .subscribed, .unsubscribed:
      break
    }
  }

  mutating func deactivate(_ account: AccountID) {
    guard let member = accountOwners[account] else { return }
    records.updateValue(forKey: member) { $0.accounts.removeAll { $0.account == account } }
  }

}

/// Folds member and account events into the ``MemberDirectory``.
public struct MemberDirectoryProjection: Projection {
  /// Keeps nothing itself; what it folds is stored under `projection/member-directory@VERSION`.
  public init() {}

  /// `member-directory`.
  public var name: String { "member-directory" }
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
    case .second(.deactivated):
      state.deactivate(AccountID(context.stream.id ?? ""))
    case .second(let event):
      state.apply(event)
    }
  }
}
