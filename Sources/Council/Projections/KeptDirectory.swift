import EventLog
import Foundation

/// The member directory as a log keeps it, searched without reading it whole.
///
/// A `ProjectionRunner` of ``MemberDirectoryProjection`` keeps the directory in the log's
/// state store. Loading it back decodes every member and account ever recorded, which at a
/// million events takes most of a second. A search needs far less. `KeptDirectory` reads the
/// kept bytes in place: the active members in the directory's order, with their regions,
/// services, client groups and languages as numbers in a table (which the directory's binary
/// form lists after the records, under a checksum of its own), then only the records of the
/// members it returns, each checked against its own checksum. It counts the members a question
/// matches from those numbers, without reading their records, unless the question has words to
/// find in their names.
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
  /// Only the term table and the order of the active members are read here, and their
  /// checksum checked; the records are read, and each one's checksum checked, as a search
  /// reaches them.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/corruptRecord`` when the
  ///   bytes are not the checksummed directory they should be.
  public init(_ state: StoredState) throws(EventStoreError) {
    position = LogPosition(state.position)
    bytes = state.bytes
    do {
      layout = try bytes.withUnsafeBytes { raw in
        var reader = BinaryReader(raw)
        return try DirectoryLayout(&reader, checkingWhole: false)
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

  /// The answer to `query`, as `viewer` sees it, for the log's head, from the directory kept
  /// in `store` where the store keeps it (see EventLog's `StateStore.withState(_:_:)`), and the
  /// position it answers at; `nil` when no directory is kept, or when it is more than
  /// ``foldLimit`` positions behind the head, or when an account was deactivated since.
  ///
  /// When events were appended after the directory was kept, the directory's events among them
  /// are read and folded over the kept records of the members they touch
  /// (`DirectoryChanges`), and the search takes those members from there: its cost grows with
  /// the new events, not with the directory. The kept directory is not written: a
  /// `ProjectionRunner` keeps it again (as the `council` queries do when this gives `nil`).
  ///
  /// - Throws: the store's errors, and ``EventStoreError`` with code
  ///   ``EventStoreError/Code/corruptRecord`` when the kept directory does not read or a new
  ///   event does not decode.
  public static func search(
    _ query: DirectoryQuery, as viewer: Issuer, in store: any EventStore & StateStore
  ) async throws -> (page: DirectoryPage, position: LogPosition)? {
    try await search(query, as: viewer, in: store, foldingAtMost: foldLimit)
  }

  /// ``search(_:as:in:)``, folding at most `limit` positions (for the tests).
  static func search(
    _ query: DirectoryQuery, as viewer: Issuer, in store: any EventStore & StateStore,
    foldingAtMost limit: Int
  ) async throws -> (page: DirectoryPage, position: LogPosition)? {
    let found = try await KeptState.answer(
      MemberDirectoryProjection(), in: store, foldingAtMost: limit,
      atHead: { raw in try answer(query, as: viewer, in: raw) },
      folding: { raw, events in try answer(query, as: viewer, in: raw, folding: events) })
    return found.map { (page: $0.answer, position: $0.position) }
  }

  /// The most positions appended after the directory was kept that
  /// ``search(_:as:in:)`` reads and folds itself: 65 536.
  public static let foldLimit = 65_536

  /// The directory's events after `kept` up to `head`, with their streams, in order.
  static func newEvents(
    in store: any EventStore, after kept: LogPosition, upTo head: LogPosition
  ) async throws -> [(event: MemberDirectoryProjection.Event, stream: StreamName)] {
    try await KeptState.newEvents(
      of: MemberDirectoryProjection(), in: store, after: kept, upTo: head)
  }

  /// The answer to `query` from the kept directory in `raw` with `events` folded over it;
  /// `nil` when they deactivate an account (see `DirectoryChanges`).
  static func answer(
    _ query: DirectoryQuery, as viewer: Issuer, in raw: UnsafeRawBufferPointer,
    folding events: [(event: MemberDirectoryProjection.Event, stream: StreamName)]
  ) throws(EventStoreError) -> DirectoryPage? {
    try reading(raw) { layout in
      guard let changes = try DirectoryChanges(folding: events, over: layout, in: raw) else {
        return nil
      }
      return try answer(query, as: viewer, layout: layout, in: raw, changes: changes)
    }
  }

  /// The answer to `query` from the kept directory in `raw`, with nothing folded over it.
  private static func answer(
    _ query: DirectoryQuery, as viewer: Issuer, in raw: UnsafeRawBufferPointer
  ) throws(EventStoreError) -> DirectoryPage {
    try reading(raw) { layout in try answer(query, as: viewer, layout: layout, in: raw) }
  }

  /// `body`'s result with the layout of the kept directory in `raw`; what reading it throws,
  /// as a damaged state.
  private static func reading<Result>(
    _ raw: UnsafeRawBufferPointer, _ body: (DirectoryLayout) throws -> Result
  ) throws(EventStoreError) -> Result {
    do {
      var reader = BinaryReader(raw)
      return try body(try DirectoryLayout(&reader, checkingWhole: false))
    } catch {
      throw damaged(error)
    }
  }

  /// Searches the directory as `viewer` sees it, as ``MemberDirectory/search(_:as:)`` does:
  /// e-mail addresses are shown to the office only.
  ///
  /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/corruptRecord`` when a
  ///   record the search reads does not decode.
  public func search(_ query: DirectoryQuery, as viewer: Issuer) throws(EventStoreError)
    -> DirectoryPage
  {
    try search(query, as: viewer, decodingInParallelFrom: Self.decodeInParallel)
  }

  /// ``search(_:as:)``, its page decoded on several threads from `parallelFrom` members on
  /// (for the tests, which have short pages).
  func search(_ query: DirectoryQuery, as viewer: Issuer, decodingInParallelFrom parallelFrom: Int)
    throws(EventStoreError) -> DirectoryPage
  {
    do {
      return try bytes.withUnsafeBytes {
        try Self.answer(query, as: viewer, layout: layout, in: $0, parallelFrom: parallelFrom)
      }
    } catch {
      throw Self.damaged(error)
    }
  }

  /// The search itself, over a directory's bytes whose layout is read, and the changes folded
  /// over it, if any.
  ///
  /// The order's entries are read one after the other; an entry whose terms the query's
  /// criteria admit is counted from its term numbers, and its record is read (and checked)
  /// only when the query has words to find in names. The records of the page's members are
  /// then read, on several threads when the page is long (see ``decodeInParallel``).
  ///
  /// With changes, the entries of the members they touch are passed over, and the touched
  /// members that are active take their places in the directory's order, each found by a
  /// binary search of the kept entries' keys.
  private static func answer(
    _ query: DirectoryQuery, as viewer: Issuer, layout: DirectoryLayout,
    in raw: UnsafeRawBufferPointer, changes: DirectoryChanges? = nil,
    parallelFrom: Int = decodeInParallel
  ) throws -> DirectoryPage {
    var search = DirectorySearch(query)
    let filter = search.termFilter(layout.terms)
    var counts = TermCounts(terms: layout.terms.count)
    var total = 0
    var onPage: [DirectoryLayout.Entry] = []
    /// The page in order: a kept member (its record decoded below) or a changed one.
    var slots: [DirectoryEntry?] = []
    var changedByRegion: [String: Int] = [:]
    var changedByService: [String: Int] = [:]
    func consider(_ entry: DirectoryLayout.Entry) throws {
      guard try filter.admits(entry) else { return }
      if search.hasWords {
        var reader = try layout.record(of: entry, in: raw)
        _ = try MemberID(from: &reader)
        guard search.matchesWords(try MemberProfile(from: &reader)) else { return }
      }
      if search.pageRange.contains(total) {
        onPage.append(entry)
        slots.append(nil)
      }
      try counts.count(entry)
      total += 1
    }
    func consider(_ entry: DirectoryEntry) {
      guard search.matches(entry.profile) else { return }
      changedByRegion[entry.profile.region, default: 0] += 1
      for service in Set(entry.profile.services) { changedByService[service, default: 0] += 1 }
      if search.pageRange.contains(total) { slots.append(entry) }
      total += 1
    }
    // Only the entries listed under a criterion's terms are read, when the query has one.
    var order = layout.entries(in: raw, only: try filter.candidates(in: layout, raw: raw))
    if let changes {
      var kept: [DirectoryLayout.Entry] = []
      kept.reserveCapacity(layout.count)
      while let entry = try order.next() {
        if !changes.replaced.contains(entry.record.lowerBound) { kept.append(entry) }
      }
      // Each changed member goes before the first kept one that sorts after it.
      let changed = changes.activeEntries
      var next = 0
      var place =
        changed.isEmpty ? kept.count : insertion(of: changed[0], in: kept)
      for (index, entry) in kept.enumerated() {
        while next < changed.count, place == index {
          consider(changed[next])
          next += 1
          if next < changed.count {
            place = insertion(of: changed[next], in: kept)
          }
        }
        try consider(entry)
      }
      while next < changed.count {
        consider(changed[next])
        next += 1
      }
    } else {
      while let entry = try order.next() { try consider(entry) }
    }
    var decoded = try decode(
      onPage, layout: layout, in: raw, blankingEmails: !viewer.isOffice, parallelFrom: parallelFrom)
    let entries: [DirectoryEntry]
    if decoded.count == slots.count {
      // No changed member is on the page: the decoded members are the page, in order.
      entries = decoded
    } else {
      // Each decoded member is moved into its place (taken from the end of the reversed
      // array), not copied: a copy retains every string and array of the entry.
      decoded.reverse()
      var merged: [DirectoryEntry] = []
      merged.reserveCapacity(slots.count)
      for slot in slots {
        if var changed = slot {
          if let changes { changed.accounts = try changes.accounts(of: changed) }
          if !viewer.isOffice { DirectorySearch.blankEmails(&changed.accounts) }
          merged.append(changed)
        } else if let keptEntry = decoded.popLast() {
          merged.append(keptEntry)
        }
      }
      entries = merged
    }
    return DirectoryPage(
      entries: entries, total: total,
      countsByRegion: counts.byRegion(layout.terms).merging(changedByRegion, uniquingKeysWith: +),
      countsByService: counts.byService(layout.terms).merging(
        changedByService, uniquingKeysWith: +))
  }

  /// Where `entry` goes among `kept` (in the directory's order): the number of kept entries
  /// that sort before it, by English name and then identifier, found by a binary search of
  /// their keys in the order.
  private static func insertion(of entry: DirectoryEntry, in kept: [DirectoryLayout.Entry]) -> Int {
    var low = 0
    var high = kept.count
    while low < high {
      let middle = low + (high - low) / 2
      if kept[middle].key < (entry.profile.nameEnglish, entry.member) {
        low = middle + 1
      } else {
        high = middle
      }
    }
    return low
  }

  /// The fewest members a thread decodes of a page: a page of twice as many is the shortest
  /// decoded on two threads.
  static let decodeInParallel = 512

  /// The page's members, their records read (each checked against its checksum) in order: in
  /// up to as many runs as the machine has cores, one for each `parallelFrom` members, each
  /// run on a thread of its own (``OwnThreads``), for a search is synchronous and its bytes
  /// are lent only for its length.
  private static func decode(
    _ page: [DirectoryLayout.Entry], layout: DirectoryLayout, in raw: UnsafeRawBufferPointer,
    blankingEmails: Bool, parallelFrom: Int
  ) throws -> [DirectoryEntry] {
    guard !page.isEmpty else { return [] }
    let runs = max(
      1, min(ProcessInfo.processInfo.activeProcessorCount, page.count / max(1, parallelFrom)))
    let outcomes = UnsafeMutableBufferPointer<PageDecoding.Outcome>.allocate(capacity: runs)
    outcomes.initialize(repeating: PageDecoding.Outcome())
    defer {
      outcomes.deinitialize()
      outcomes.deallocate()
    }
    // Each run writes its members' entries in their places of the answer itself: none is
    // copied from a run's own array into it afterwards.
    return try [DirectoryEntry](unsafeUninitializedCapacity: page.count) { entries, initialized in
      guard let base = entries.baseAddress else { return }
      let decoding = PageDecoding(
        page: page, layout: layout, raw: raw, blankingEmails: blankingEmails,
        runLength: (page.count + runs - 1) / runs, entries: base, outcomes: outcomes)
      OwnThreads.perform(runs) { decoding.run($0) }
      if let error = outcomes.lazy.compactMap(\.error).first {
        for run in 0..<runs {
          (base + decoding.start(of: run)).deinitialize(count: outcomes[run].decoded)
        }
        throw error
      }
      initialized = page.count
    }
  }

  private static func damaged(_ error: any Error) -> EventStoreError {
    KeptState.damaged(error, MemberDirectoryProjection())
  }
}

/// Runs of work on threads of their own.
///
/// Not `DispatchQueue.concurrentPerform`: that takes its threads from the pool that Swift's
/// tasks run on too, and where that pool's threads are taken (one of them blocked waiting, say,
/// as a benchmark harness's is) it runs every iteration on the calling thread, one after the
/// other.
enum OwnThreads {
  /// Runs `body` once for each number below `runs`: the first on the calling thread, each
  /// other one on a thread started for it; returns when every run has returned.
  static func perform(_ runs: Int, _ body: @escaping @Sendable (Int) -> Void) {
    guard runs > 1 else {
      if runs == 1 { body(0) }
      return
    }
    let finished = DispatchSemaphore(value: 0)
    for run in 1..<runs {
      let thread = Thread {
        body(run)
        finished.signal()
      }
      thread.name = "CouncilLog directory run \(run)"
      thread.start()
    }
    body(0)
    for _ in 1..<runs { finished.wait() }
  }
}

/// One search's page of members whose records are to be read, in runs of ``runLength``, each
/// run's entries initialized in their places from ``entries`` on, and its outcome written to
/// its own place in ``outcomes``.
///
/// Unchecked `Sendable`: the runs of one search share it while the search waits for them, the
/// directory's bytes and the answer's memory stay lent until then, and no two runs write the
/// same place.
private struct PageDecoding: @unchecked Sendable {
  /// How a run ended: how many entries it initialized (from the start of its run), and the
  /// error that stopped it, if any.
  struct Outcome {
    var decoded = 0
    var error: (any Error)?
  }

  let page: [DirectoryLayout.Entry]
  let layout: DirectoryLayout
  let raw: UnsafeRawBufferPointer
  let blankingEmails: Bool
  let runLength: Int
  let entries: UnsafeMutablePointer<DirectoryEntry>
  let outcomes: UnsafeMutableBufferPointer<Outcome>

  /// Where run `run`'s members begin in the page.
  func start(of run: Int) -> Int { min(page.count, run * runLength) }

  /// Reads the records of run `run`'s members into their places.
  func run(_ run: Int) {
    let start = start(of: run)
    var outcome = Outcome()
    do {
      for index in start..<min(page.count, start + runLength) {
        (entries + index).initialize(to: try decode(page[index]))
        outcome.decoded += 1
      }
    } catch {
      outcome.error = error
    }
    outcomes[run] = outcome
  }

  private func decode(_ entry: DirectoryLayout.Entry) throws -> DirectoryEntry {
    var reader = try layout.record(of: entry, in: raw)
    let member = try MemberID(from: &reader)
    let profile = try MemberProfile(from: &reader)
    guard try reader.read(Bool.self) else {
      throw BinaryDecodingError(
        offset: layout.records.lowerBound + entry.record.lowerBound,
        reason: "member \(member) is listed active but is not")
    }
    let accounts =
      blankingEmails
      ? try DirectoryAccount.readWithoutEmails(&reader)
      : try reader.read([DirectoryAccount].self)
    return DirectoryEntry(member: member, profile: profile, accounts: accounts)
  }
}

/// Where the parts of a directory's binary form lie (see ``MemberDirectory/encode(to:)``):
/// read, and the order's checksum checked, without decoding the records.
struct DirectoryLayout: Sendable {
  /// One active member as the order lists it.
  struct Entry {
    /// Where its record (its identifier, then the record) lies in the records' section.
    var record: Range<Int>
    /// The record's checksum.
    var checksum: UInt64
    /// Its region, as a number in ``DirectoryLayout/terms``.
    var region: Int
    /// Its services, client groups and languages as the order holds them: three lists, each
    /// its count and then its terms as numbers in ``DirectoryLayout/terms`` (every number
    /// checked when the entry was read). Lent from the directory's bytes.
    var lists: UnsafeRawBufferPointer
    /// Its English name, in UTF-8, lent from the directory's bytes.
    var name: UnsafeRawBufferPointer
    /// Its identifier, in UTF-8, lent from the directory's bytes.
    var member: UnsafeRawBufferPointer

    /// Its place in the directory's order: its English name, then its identifier.
    var key: (name: String, member: MemberID) {
      (String(decoding: name, as: UTF8.self), MemberID(String(decoding: member, as: UTF8.self)))
    }
  }

  /// Reads the order's entries one after the other: all of them, or those at the offsets a
  /// search's postings gave (``KeptPostings``).
  struct Entries {
    var reader: BinaryReader
    var left: Int
    let termCount: UInt64
    let recordsLength: Int
    /// The offsets of the entries to read, in order; `nil`: every entry.
    var candidates: [Int]?
    var nextCandidate = 0

    /// The next entry, or `nil` after the last.
    mutating func next() throws(BinaryDecodingError) -> Entry? {
      guard let candidates else {
        guard left > 0 else { return nil }
        left -= 1
        return try Self.entry(&reader, termCount: termCount, recordsLength: recordsLength)
      }
      guard nextCandidate < candidates.count else { return nil }
      let at = candidates[nextCandidate]
      nextCandidate += 1
      guard at < reader.buffer.count else {
        throw BinaryDecodingError(
          offset: at, reason: "an entry listed under a term lies past the order's end")
      }
      var entryReader = BinaryReader(UnsafeRawBufferPointer(rebasing: reader.buffer[at...]))
      do {
        return try Self.entry(&entryReader, termCount: termCount, recordsLength: recordsLength)
      } catch {
        throw BinaryDecodingError(offset: at + error.offset, reason: error.reason)
      }
    }

    /// The entry at `reader`'s offset; leaves `reader` after it.
    private static func entry(
      _ reader: inout BinaryReader, termCount: UInt64, recordsLength: Int
    ) throws(BinaryDecodingError) -> Entry {
      func term() throws(BinaryDecodingError) -> Int {
        let at = reader.offset
        let number = try reader.read(UInt64.self)
        guard number < termCount else {
          throw BinaryDecodingError(offset: at, reason: "term \(number) of a table of \(termCount)")
        }
        return Int(number)
      }
      let at = reader.offset
      let offset = try reader.read(UInt64.self)
      let length = try reader.read(UInt64.self)
      guard offset <= UInt64(recordsLength), length <= UInt64(recordsLength) - offset else {
        throw BinaryDecodingError(
          offset: at,
          reason:
            "an active member's record at \(offset), \(length) bytes, is outside the \(recordsLength) bytes of records"
        )
      }
      let checksum = try reader.readFixedWidth(UInt64.self)
      let region = try term()
      let lists = reader.offset
      for _ in 0..<3 {
        let count = try reader.readCount()
        for _ in 0..<count { _ = try term() }
      }
      let listsEnd = reader.offset
      let name = try reader.readRaw(count: try reader.readCount())
      let member = try reader.readRaw(count: try reader.readCount())
      return Entry(
        record: Int(offset)..<Int(offset + length), checksum: checksum, region: region,
        lists: UnsafeRawBufferPointer(rebasing: reader.buffer[lists..<listsEnd]), name: name,
        member: member)
    }
  }

  /// The distinct regions, services, client groups and languages of the active members.
  var terms: [String]
  /// How many active members the order lists.
  var count: Int
  /// The order's entries, as offsets in the reader's buffer.
  var order: Range<Int>
  /// The order's entries listed under each of their terms.
  var postings: KeptPostings
  /// The index of every member's record in identifier order.
  var index: KeptRecordIndex
  /// The records (their count, then each member's identifier and its record), as offsets in
  /// the reader's buffer.
  var records: Range<Int>

  /// Reads the layout at `reader`'s offset and checks the order's checksum, leaving `reader`
  /// after the directory; checks the checksum of the whole too when `checkingWhole`.
  init(_ reader: inout BinaryReader, checkingWhole: Bool) throws(BinaryDecodingError) {
    let start = reader.offset
    let length = try reader.readFixedWidth(UInt64.self)
    guard length <= UInt64(reader.remaining) else {
      throw BinaryDecodingError(
        offset: start,
        reason: "the directory's records, \(length) bytes, run past its \(reader.remaining)")
    }
    let recordsLength = Int(length)
    records = reader.offset..<(reader.offset + recordsLength)
    _ = try reader.readRaw(count: recordsLength)
    let orderStart = reader.offset
    terms = try reader.read([String].self)
    let repeated = try reader.read(UInt64.self)
    guard repeated == length else {
      throw BinaryDecodingError(
        offset: orderStart,
        reason: "the directory's order gives its records \(repeated) bytes, its start \(length)")
    }
    count = try reader.readCount()
    let orderLength = try reader.readCount()
    order = reader.offset..<(reader.offset + orderLength)
    _ = try reader.readRaw(count: orderLength)
    postings = try KeptPostings(&reader, terms: terms.count, entriesLength: orderLength)
    index = try KeptRecordIndex(&reader, recordsLength: recordsLength, of: "the directory")
    let orderEnd = reader.offset
    let orderChecksum = try reader.readFixedWidth(UInt64.self)
    guard
      orderChecksum
        == RecordChecksum.hash(
          UnsafeRawBufferPointer(rebasing: reader.buffer[orderStart..<orderEnd]))
    else {
      throw BinaryDecodingError(
        offset: orderEnd, reason: "the checksum of the directory's order does not match")
    }
    let summed = reader.offset
    let stored = try reader.readFixedWidth(UInt64.self)
    if checkingWhole {
      let checksum = RecordChecksum.hash(
        UnsafeRawBufferPointer(rebasing: reader.buffer[start..<summed]))
      guard stored == checksum else {
        throw BinaryDecodingError(offset: summed, reason: "the directory's checksum does not match")
      }
    }
  }

  /// The order's entries in `raw`, the buffer the layout was read from: all of them, or only
  /// those at `candidates` (offsets in the order's entries, in order).
  func entries(in raw: UnsafeRawBufferPointer, only candidates: [Int]? = nil) -> Entries {
    Entries(
      reader: BinaryReader(UnsafeRawBufferPointer(rebasing: raw[order])), left: count,
      termCount: UInt64(terms.count), recordsLength: records.count, candidates: candidates)
  }

  /// The record of `member` in `raw` (its identifier, then the record), found by a binary
  /// search of the index's identifiers and checked against its checksum, and where it lies in
  /// the records; `nil` when the directory has no record of `member`.
  func record(of member: MemberID, in raw: UnsafeRawBufferPointer) throws(BinaryDecodingError)
    -> (reader: BinaryReader, place: Range<Int>)?
  {
    guard let number = try index.find(member, in: raw) else { return nil }
    let found = try index.record(number, in: raw, recordsAt: records.lowerBound)
    return (BinaryReader(found.bytes), found.place)
  }

  /// A reader of `entry`'s record in `raw` (its member's identifier, then the record), once
  /// its checksum is checked.
  func record(of entry: Entry, in raw: UnsafeRawBufferPointer) throws(BinaryDecodingError)
    -> BinaryReader
  {
    let bytes = UnsafeRawBufferPointer(
      rebasing: raw[
        (records.lowerBound + entry.record.lowerBound)..<(records.lowerBound
          + entry.record.upperBound)])
    guard RecordChecksum.hash(bytes) == entry.checksum else {
      throw BinaryDecodingError(
        offset: records.lowerBound + entry.record.lowerBound,
        reason: "the checksum of an active member's record does not match")
    }
    return BinaryReader(bytes)
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

  /// The offsets of the entries that can pass, in order: those listed under the admitted
  /// terms of the criterion whose lists are shortest (``KeptPostings``); `nil` when the
  /// query has no criterion on terms, and every entry is to be read.
  func candidates(in layout: DirectoryLayout, raw: UnsafeRawBufferPointer)
    throws(BinaryDecodingError) -> [Int]?
  {
    var shortest: (admitted: [Bool], kind: DirectoryPostings.Kind, count: Int)?
    let criteria: [([Bool]?, DirectoryPostings.Kind)] = [
      (region, .region), (service, .service), (clientGroup, .clientGroup),
      (language, .language),
    ]
    for case (let admitted?, let kind) in criteria {
      let count = layout.postings.count(admitted: admitted, of: kind)
      if shortest.map({ count < $0.count }) ?? true { shortest = (admitted, kind, count) }
    }
    guard let shortest else { return nil }
    return try layout.postings.entries(admitted: shortest.admitted, of: shortest.kind, in: raw)
  }

  /// Whether `entry` passes.
  func admits(_ entry: DirectoryLayout.Entry) throws(BinaryDecodingError) -> Bool {
    if let region, !region[entry.region] { return false }
    var lists = BinaryReader(entry.lists)
    guard try Self.passes(service, &lists), try Self.passes(clientGroup, &lists) else {
      return false
    }
    return try Self.passes(language, &lists)
  }

  /// Whether the list at `lists` has a term `criterion` admits (any list passes no criterion);
  /// moves `lists` past it.
  private static func passes(_ criterion: [Bool]?, _ lists: inout BinaryReader)
    throws(BinaryDecodingError) -> Bool
  {
    let count = try lists.readCount()
    guard let criterion else {
      for _ in 0..<count { _ = try lists.read(UInt64.self) }
      return true
    }
    var found = false
    for _ in 0..<count {
      if criterion[Int(try lists.read(UInt64.self))] { found = true }
    }
    return found
  }
}

/// The members a search matched, counted by region and by service as numbers in a kept
/// directory's term table.
struct TermCounts {
  private var regions: [Int]
  private var services: [Int]
  /// For each service, the last member counted under it, so that a member that lists a
  /// service twice counts once.
  private var lastCounted: [Int]
  private var counted = 0

  init(terms: Int) {
    regions = Array(repeating: 0, count: terms)
    services = Array(repeating: 0, count: terms)
    lastCounted = Array(repeating: -1, count: terms)
  }

  /// Counts the member `entry` lists: its region, and each of its services once.
  mutating func count(_ entry: DirectoryLayout.Entry) throws(BinaryDecodingError) {
    regions[entry.region] += 1
    var lists = BinaryReader(entry.lists)
    for _ in 0..<(try lists.readCount()) {
      let service = Int(try lists.read(UInt64.self))
      if lastCounted[service] != counted {
        lastCounted[service] = counted
        services[service] += 1
      }
    }
    counted += 1
  }

  func byRegion(_ terms: [String]) -> [String: Int] { Self.named(regions, terms) }
  func byService(_ terms: [String]) -> [String: Int] { Self.named(services, terms) }

  private static func named(_ counts: [Int], _ terms: [String]) -> [String: Int] {
    var named: [String: Int] = [:]
    for (term, count) in zip(terms, counts) where count > 0 { named[term] = count }
    return named
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
  /// The places, among the members that match, of those on the page asked for.
  let pageRange: Range<Int>
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

  /// Whether `profile` matches every criterion of the query, words included.
  mutating func matches(_ profile: MemberProfile) -> Bool {
    if let region, fold(profile.region) != region { return false }
    guard has(profile.services, service), has(profile.clientGroups, clientGroup),
      has(profile.languages, language)
    else { return false }
    return matchesWords(profile)
  }

  /// Whether the query has words to find in the members' names and cities.
  var hasWords: Bool { !words.isEmpty }

  /// Whether every word of the query is in the profile's names or city (folded).
  func matchesWords(_ profile: MemberProfile) -> Bool {
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
  consuming func page(as viewer: Issuer) -> DirectoryPage {
    var entries = self.entries
    self.entries = []  // the page's entries are then the only reference to their accounts
    if !viewer.isOffice { Self.blankEmails(&entries) }
    return DirectoryPage(
      entries: entries, total: total, countsByRegion: byRegion, countsByService: byService)
  }

  /// Blanks the accounts' e-mail addresses, as all but the office see them.
  static func blankEmails(_ entries: inout [DirectoryEntry]) {
    for index in entries.indices { blankEmails(&entries[index].accounts) }
  }

  /// Blanks the accounts' e-mail addresses, as all but the office see them.
  static func blankEmails(_ accounts: inout [DirectoryAccount]) {
    for index in accounts.indices { accounts[index].email = nil }
  }
}

extension DirectoryAccount {
  /// Reads a list of accounts as `[DirectoryAccount](from:)` does, each e-mail address stepped
  /// over (checked as reading it would check it) and left `nil`, as the public sees them: no
  /// address is decoded only to be blanked.
  static func readWithoutEmails(_ reader: inout BinaryReader) throws -> [DirectoryAccount] {
    let count = try reader.readCount()
    var accounts: [DirectoryAccount] = []
    accounts.reserveCapacity(count)
    for _ in 0..<count {
      let account = try AccountID(from: &reader)
      let name = try Personal<String>(from: &reader)
      let role = try AccountRole?(from: &reader)
      try Personal<String>?.skipBinary(in: &reader)
      accounts.append(DirectoryAccount(account: account, name: name, role: role, email: nil))
    }
    return accounts
  }
}
