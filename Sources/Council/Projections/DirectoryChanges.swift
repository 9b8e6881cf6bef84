import EventLog

/// The events a kept directory has not folded yet, folded over the records they touch: what
/// lets ``KeptDirectory`` answer for the log's head when events were appended after the
/// directory was kept, reading the kept bytes in place and only the new events.
///
/// The members the new events name (a member's own events, and the accounts created for it)
/// are looked up in the kept directory's index; their kept records, decoded, are the start of a
/// small ``MemberDirectory`` into which the new events are folded, as the projection folds
/// them. A search then passes over those members' kept records and takes them from here.
struct DirectoryChanges {
  /// The members the new events touch, each with its kept record (when the kept directory had
  /// one) and the new events folded in.
  private(set) var directory = MemberDirectory()
  /// Where the touched members' kept records begin in the kept records.
  private(set) var replaced: Set<Int> = []

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
      var reader = found
      _ = try MemberID(from: &reader)
      directory.records[member] = try MemberDirectory.Record(from: &reader)
      replaced.insert(place.lowerBound)
    }
    for (event, stream) in events {
      switch event {
      case .first(let event): directory.apply(event, member: MemberID(stream.id ?? ""))
      case .second(let event): directory.apply(event, in: stream)
      }
    }
  }

  /// The touched members that are active now, in the directory's order.
  var activeEntries: [DirectoryEntry] { directory.activeEntries }
}
