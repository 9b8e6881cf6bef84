import EventLog

/// The membership histories as a log keeps them, read without reading them whole.
///
/// A `ProjectionRunner` of ``MembershipHistoryProjection`` keeps every member's history in the
/// log's state store. Loading it back decodes every history ever recorded, which at ten
/// million events takes about half a second. The two questions people ask need far less:
/// - ``years(in:)``, the movements of each year, reads only the year table, which the
///   histories' binary form keeps apart from the records under a checksum of its own;
/// - ``history(of:in:)``, one member's history, finds its record by a binary search of an
///   index of identifiers kept beside the year table, and decodes that record alone, checked
///   against its own checksum.
///
/// Both answer for the log's head. When events were appended after the histories were kept,
/// the member events among them are read and folded over the kept histories of the members
/// they name, as the projection folds them, and the year table is counted on from there: the
/// answer costs the new events, not the histories. Nothing is written: when they give `nil`
/// (nothing kept, or more than ``foldLimit`` positions behind), catch the histories up with a
/// `ProjectionRunner`, which keeps them again.
///
/// Their answers are those of the projection's state at the head, value for value.
public enum KeptMembership {
  /// The most positions appended after the histories were kept that ``years(in:)`` and
  /// ``history(of:in:)`` read and fold themselves: 65 536.
  public static let foldLimit = 65_536

  /// The movements of each calendar year as of the log's head, and the position they answer
  /// at; `nil` when no histories are kept or they are more than ``foldLimit`` positions behind.
  ///
  /// - Throws: the store's errors, and ``EventStoreError`` with code
  ///   ``EventStoreError/Code/corruptRecord`` when the kept histories or a new event do not
  ///   decode.
  public static func years(in store: any EventStore & StateStore) async throws
    -> (years: [Int: MembershipYear], position: LogPosition)?
  {
    try await years(in: store, foldingAtMost: foldLimit)
  }

  /// ``years(in:)``, folding at most `limit` positions (for the tests).
  static func years(in store: any EventStore & StateStore, foldingAtMost limit: Int) async throws
    -> (years: [Int: MembershipYear], position: LogPosition)?
  {
    let answer = try await answer(in: store, foldingAtMost: limit) { layout, _, changed in
      changed?.years ?? layout.years
    }
    return answer.map { (years: $0.answer, position: $0.position) }
  }

  /// `member`'s history as of the log's head (`nil` inside when the log holds no event of
  /// it), and the position it answers at; `nil` when no histories are kept or they are more
  /// than ``foldLimit`` positions behind.
  ///
  /// - Throws: the store's errors, and ``EventStoreError`` with code
  ///   ``EventStoreError/Code/corruptRecord`` when the kept histories, the member's record or
  ///   a new event do not decode.
  public static func history(of member: MemberID, in store: any EventStore & StateStore)
    async throws -> (history: MemberHistory?, position: LogPosition)?
  {
    try await history(of: member, in: store, foldingAtMost: foldLimit)
  }

  /// ``history(of:in:)``, folding at most `limit` positions (for the tests).
  static func history(
    of member: MemberID, in store: any EventStore & StateStore, foldingAtMost limit: Int
  ) async throws -> (history: MemberHistory?, position: LogPosition)? {
    let answer = try await answer(in: store, foldingAtMost: limit) {
      layout, raw, changed -> MemberHistory? in
      // The members the new events name are all in `changed`; the others as kept.
      try changed?.members[member] ?? layout.history(of: member, in: raw)
    }
    return answer.map { (history: $0.answer, position: $0.position) }
  }

  /// `body`'s answer from the kept histories in the store, for the log's head: with `nil`
  /// changes when they were kept at the head; otherwise with the new member events folded over
  /// them (``fold(_:over:in:)``: the members those events name, and the year table).
  private static func answer<Answer>(
    in store: any EventStore & StateStore, foldingAtMost limit: Int,
    _ body: (MembershipLayout, UnsafeRawBufferPointer, _ changed: MembershipHistories?) throws
      -> Answer
  ) async throws -> (answer: Answer, position: LogPosition)? {
    let found = try await KeptState.answer(
      MembershipHistoryProjection(), in: store, foldingAtMost: limit,
      atHead: { raw in try reading(raw) { layout in try body(layout, raw, nil) } },
      folding: { raw, events in
        try reading(raw) { layout in try body(layout, raw, try fold(events, over: layout, in: raw))
        }
      })
    return found.map { (answer: $0.answer, position: $0.position) }
  }

  /// `events` folded over the kept histories of the members they name.
  static func fold(
    _ events: [(event: MemberEvent, stream: StreamName)], over layout: MembershipLayout,
    in raw: UnsafeRawBufferPointer
  ) throws -> MembershipHistories {
    var changed = MembershipHistories()
    changed.years = layout.years
    for (_, stream) in events {
      let member = MemberID(stream.id ?? "")
      guard changed.members[member] == nil else { continue }
      changed.members[member] = try layout.history(of: member, in: raw) ?? MemberHistory()
    }
    for (event, stream) in events {
      MembershipHistoryProjection.apply(event, member: MemberID(stream.id ?? ""), to: &changed)
    }
    return changed
  }

  /// `body`'s result with the layout of the kept histories in `raw`; what reading them
  /// throws, as a damaged state.
  private static func reading<Result>(
    _ raw: UnsafeRawBufferPointer, _ body: (MembershipLayout) throws -> Result
  ) throws(EventStoreError) -> Result {
    do {
      return try body(try MembershipLayout(raw))
    } catch {
      throw KeptState.damaged(error, MembershipHistoryProjection())
    }
  }
}

// MARK: - The binary form

extension MembershipHistories {
  /// Writes the histories so that their year table and any one member's history can be read
  /// without the rest (``KeptMembership``): the length of the records, then each member's
  /// history in identifier order; then, under a checksum of their own, the year table and an
  /// index of the records (for each member in identifier order, its record's place, its
  /// checksum and where its identifier lies), then the identifiers.
  public func encode(to writer: inout BinaryWriter) {
    let start = writer.count
    writer.writeFixedWidth(UInt64(0))  // the records' length, written over below
    let recordsStart = writer.count
    var order: [(member: MemberID, index: [MemberID: MemberHistory].Index)] = []
    order.reserveCapacity(members.count)
    for index in members.indices { order.append((members.keys[index], index)) }
    order.sort { $0.member < $1.member }
    var places: [Range<Int>] = []
    places.reserveCapacity(order.count)
    for (_, index) in order {
      let from = writer.count - recordsStart
      members.values[index].encode(to: &writer)
      places.append(from..<(writer.count - recordsStart))
    }
    let recordsLength = writer.count - recordsStart
    writer.overwriteFixedWidth(UInt64(recordsLength), at: start)
    var checksums: [UInt64] = []
    checksums.reserveCapacity(places.count)
    writer.bytes.withUnsafeBytes { raw in
      let records = UnsafeRawBufferPointer(rebasing: raw[recordsStart...])
      for place in places {
        checksums.append(RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: records[place])))
      }
    }
    let tableStart = writer.count
    writer.writeVariableLength(UInt64(recordsLength))
    writer.write(years)
    KeptRecordIndex.write(
      places: places, checksums: checksums, identifiers: order.map(\.member.rawValue),
      to: &writer)
    let checksum = writer.bytes.withUnsafeBytes { raw in
      RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: raw[tableStart...]))
    }
    writer.writeFixedWidth(checksum)
  }

  /// Reads what ``encode(to:)`` wrote, every record checked against its checksum.
  public init(from reader: inout BinaryReader) throws {
    let start = reader.offset
    let layout = try MembershipLayout(
      UnsafeRawBufferPointer(rebasing: reader.buffer[start...]))
    var members: [MemberID: MemberHistory] = [:]
    members.reserveCapacity(layout.count)
    for number in 0..<layout.count {
      let (member, history) = try layout.history(number, in: reader.buffer, at: start)
      members[member] = history
    }
    _ = try reader.readRaw(count: layout.length)
    self.init()
    self.members = members
    self.years = layout.years
  }
}

/// Where the parts of the histories' binary form lie (see
/// ``MembershipHistories/encode(to:)``): read, and the table's checksum checked, without
/// decoding the records.
struct MembershipLayout {
  /// The records, as offsets in the buffer read.
  var records: Range<Int>
  /// Each year's movements.
  var years: [Int: MembershipYear]
  /// The index of every member's record, in identifier order.
  var index: KeptRecordIndex
  /// How many bytes the histories take.
  var length: Int
  /// How many members the index lists.
  var count: Int { index.count }

  /// Reads the layout of the histories at the start of `raw` and checks the table's checksum.
  init(_ raw: UnsafeRawBufferPointer) throws {
    var reader = BinaryReader(raw)
    let recordsLength = try reader.readFixedWidth(UInt64.self)
    guard recordsLength <= UInt64(reader.remaining) else {
      throw BinaryDecodingError(
        offset: 0,
        reason: "the histories' records, \(recordsLength) bytes, run past their \(reader.remaining)"
      )
    }
    records = reader.offset..<(reader.offset + Int(recordsLength))
    _ = try reader.readRaw(count: Int(recordsLength))
    let tableStart = reader.offset
    guard try reader.read(UInt64.self) == recordsLength else {
      throw BinaryDecodingError(
        offset: tableStart, reason: "the histories' table gives their records another length")
    }
    years = try reader.read([Int: MembershipYear].self)
    index = try KeptRecordIndex(&reader, recordsLength: Int(recordsLength), of: "the histories")
    let tableEnd = reader.offset
    let checksum = try reader.readFixedWidth(UInt64.self)
    guard
      checksum == RecordChecksum.hash(UnsafeRawBufferPointer(rebasing: raw[tableStart..<tableEnd]))
    else {
      throw BinaryDecodingError(
        offset: tableEnd, reason: "the checksum of the histories' table does not match")
    }
    length = reader.offset
  }

  /// The member the index lists at `number`, and its history, checked against its checksum;
  /// `raw` holds the histories from `start` on.
  func history(_ number: Int, in raw: UnsafeRawBufferPointer, at start: Int = 0) throws
    -> (MemberID, MemberHistory)
  {
    let histories = UnsafeRawBufferPointer(rebasing: raw[start...])
    let (bytes, member, place) = try index.record(
      number, in: histories, recordsAt: records.lowerBound)
    var reader = BinaryReader(bytes)
    let history = try MemberHistory(from: &reader)
    guard reader.isAtEnd else {
      throw BinaryDecodingError(
        offset: start + records.lowerBound + place.lowerBound + reader.offset,
        reason: "member \(member)'s history ends before its record")
    }
    return (member, history)
  }

  /// `member`'s history, found by a binary search of the index; `nil` when none is kept.
  func history(of member: MemberID, in raw: UnsafeRawBufferPointer) throws -> MemberHistory? {
    guard let number = try index.find(member, in: raw) else { return nil }
    return try history(number, in: raw).1
  }
}
