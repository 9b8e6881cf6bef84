import EventLog

/// The events a kept directory has not folded yet, folded over the records they touch: what
/// lets ``KeptDirectory`` answer for the log's head when events were appended after the
/// directory was kept, reading the kept bytes in place and only the new events.
///
/// The members the new events name (a member's own events, and the accounts created for it)
/// are looked up in the kept directory's index. Their kept profiles and states start a small
/// ``MemberDirectory`` into which the new events are folded, as the projection folds them; their
/// kept accounts stay where the directory keeps them, undecoded, and are read only for the
/// members a search returns. A search then passes over those members' kept records and takes
/// them from here.
///
/// Lent: it points into the kept directory's bytes, and is used only while they are lent.
struct DirectoryChanges {
  /// The members the new events touch, each with its kept profile and state (when the kept
  /// directory had a record of it) and the new events folded in: their accounts are the ones
  /// the new events created (see ``accounts(of:)``).
  private(set) var directory = MemberDirectory()
  /// Where the touched members' kept records begin in the kept records.
  private(set) var replaced: Set<Int> = []
  /// The touched members' kept accounts, in their binary form (a count, then each account),
  /// where the kept directory holds them.
  private var keptAccounts: [MemberID: UnsafeRawBufferPointer] = [:]

  /// Folds `events`, the directory's events after the kept position in the log's order, over
  /// the kept directory laid out by `layout` in `raw`.
  ///
  /// Gives `nil` when an event deactivates an account: which member lists the account is
  /// found only by reading every kept record, so the directory is then caught up whole.
  ///
  /// - Throws: what reading a touched member's kept record throws (a checksum that does not
  ///   match, bytes that do not decode).
  init?(
    folding events: [(event: MemberDirectoryProjection.Event, stream: StreamName)],
    over layout: DirectoryLayout, in raw: UnsafeRawBufferPointer
  ) throws {
    var touched: [MemberID] = []
    var seen: Set<MemberID> = []
    for (event, stream) in events {
      let member: MemberID
      switch event {
      case .first:
        member = MemberID(stream.id ?? "")
      case .second(.administrativeCreated(let created)):
        member = created.member
      case .second(.individualCreated(let created)):
        member = created.member
      case .second(.deactivated):
        return nil
      case .second(.subscribed), .second(.unsubscribed):
        continue
      }
      if seen.insert(member).inserted { touched.append(member) }
    }
    for member in touched {
      guard let (found, place) = try layout.record(of: member, in: raw) else { continue }
      // A record as `MemberDirectory.Record` writes it: its profile, whether it is active,
      // then its accounts, stepped over here.
      var reader = found
      guard try MemberID(from: &reader) == member else {
        throw BinaryDecodingError(
          offset: place.lowerBound,
          reason: "the index lists member \(member)'s record where another member's lies")
      }
      let profile = try MemberProfile(from: &reader)
      let active = try reader.read(Bool.self)
      let accounts = reader.offset
      try [DirectoryAccount].skipBinary(in: &reader)
      directory.records[member] = MemberDirectory.Record(
        profile: profile, active: active, accounts: [])
      keptAccounts[member] = UnsafeRawBufferPointer(
        rebasing: reader.buffer[accounts..<reader.offset])
      replaced.insert(place.lowerBound)
    }
    for (event, stream) in events {
      switch event {
      case .first(let event): directory.apply(event, member: MemberID(stream.id ?? ""))
      case .second(let event): directory.apply(event, in: stream)
      }
    }
  }

  /// The touched members that are active now, in the directory's order, with the accounts the
  /// new events created for them (``accounts(of:)`` gives all of them).
  var activeEntries: [DirectoryEntry] { directory.activeEntries }

  /// All of `entry`'s accounts: as the fold over the whole log lists them, the administrative
  /// accounts the new events created first (each was put in front), then the kept ones, then
  /// the individual accounts the new events created.
  ///
  /// - Throws: what decoding the kept accounts throws.
  func accounts(of entry: DirectoryEntry) throws -> [DirectoryAccount] {
    guard let kept = keptAccounts[entry.member] else { return entry.accounts }
    var reader = BinaryReader(kept)
    let keptAccounts = try [DirectoryAccount](from: &reader)
    let created = entry.accounts
    let individuals = created.firstIndex { !$0.isAdministrative } ?? created.endIndex
    return Array(created[..<individuals]) + keptAccounts + created[individuals...]
  }
}
