import CLMDB
import EventLog
import EventLogTestSupport
import Foundation
import Synchronization
import Testing

@testable import EventLogLMDB

/// One write transaction on a closed log's LMDB file, made directly through the C API: to
/// damage its indexes on purpose. It records its own commit as the store does, so that a
/// verification reports only the damage made.
struct RawEdit {
  let txn: OpaquePointer?

  static func run(_ path: String, _ body: (RawEdit) throws -> Void) throws {
    var env: OpaquePointer?
    try #require(mdb_env_create(&env) == 0)
    defer { mdb_env_close(env) }
    mdb_env_set_maxdbs(env, 16)
    try #require(mdb_env_open(env, path, 0, 0o644) == 0)
    var txn: OpaquePointer?
    try #require(mdb_txn_begin(env, nil, 0, &txn) == 0)
    let edit = RawEdit(txn: txn)
    do {
      try body(edit)
      try edit.recordCommit()
    } catch {
      mdb_txn_abort(txn)
      throw error
    }
    try #require(mdb_txn_commit(txn) == 0)
  }

  /// Records this transaction as the log's last commit, where the log's storage format keeps
  /// the marker: the main database from format 3, `meta` before.
  func recordCommit() throws {
    let marker = littleEndian(UInt64(mdb_txn_id(txn)))
    let format = try get("meta", StoreFormat.key).map { Array($0.suffix(4)) }
    if let format, format.reversed().reduce(UInt32(0), { $0 << 8 | UInt32($1) }) >= 3 {
      var main: MDB_dbi = 0
      try #require(mdb_dbi_open(txn, nil, 0, &main) == 0)
      try put(main, CommitMarker.key, marker)
    } else {
      try put("meta", CommitMarker.key, marker)
    }
  }

  func database(_ name: String) throws -> MDB_dbi {
    var dbi: MDB_dbi = 0
    try #require(mdb_dbi_open(txn, name, 0, &dbi) == 0, "no \(name) database")
    return dbi
  }

  func get(_ name: String, _ key: [UInt8]) throws -> [UInt8]? {
    let dbi = try database(name)
    var keyBytes = key
    return keyBytes.withUnsafeMutableBytes { k in
      var keyValue = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
      var value = MDB_val()
      guard mdb_get(txn, dbi, &keyValue, &value) == 0 else { return nil }
      return Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }
  }

  func put(_ name: String, _ key: [UInt8], _ value: [UInt8]) throws {
    try put(try database(name), key, value)
  }

  func put(_ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8]) throws {
    var keyBytes = key
    var valueBytes = value
    let rc = keyBytes.withUnsafeMutableBytes { k in
      valueBytes.withUnsafeMutableBytes { v in
        var keyValue = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
        var value = MDB_val(mv_size: v.count, mv_data: v.baseAddress)
        return mdb_put(txn, dbi, &keyValue, &value, 0)
      }
    }
    try #require(rc == 0)
  }

  func delete(_ name: String, _ key: [UInt8]) throws {
    let dbi = try database(name)
    var keyBytes = key
    let rc = keyBytes.withUnsafeMutableBytes { k in
      var keyValue = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
      return mdb_del(txn, dbi, &keyValue, nil)
    }
    try #require(rc == 0)
  }
}

func bigEndian(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
func littleEndian(_ value: UInt64) -> [UInt8] {
  withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// The stream index's key for `stream`'s batch starting at `version`, in a log of storage
/// format 2 (streams named).
func streamIndexKey(_ stream: String, _ version: UInt64) -> [UInt8] {
  Array(stream.utf8) + [0] + bigEndian(version)
}

/// The stream index's key for stream number `number`'s batch starting at `version`, in a log
/// of storage format 3.
func streamIndexKey(number: UInt32, _ version: UInt64) -> [UInt8] {
  withUnsafeBytes(of: number.bigEndian) { Array($0) } + bigEndian(version)
}

/// A stream's entry in `streams` in a log of storage format 3: its version and number.
func streamRecord(version: UInt64, number: UInt32) -> [UInt8] {
  littleEndian(version) + withUnsafeBytes(of: number.littleEndian) { Array($0) }
}

/// The stream `writeMarkedLog` puts `position` in (batches of 5 over 7 streams).
func markedStream(_ position: Int) -> StreamName {
  let batchStart = (position - 1) / 5 * 5 + 1
  return StreamName("s-\((batchStart / 5) % 7)")
}

/// A problem as the tests compare them: its stream and a part of its message.
struct Finding: CustomStringConvertible, Sendable {
  var stream: String?
  var says: String
  var description: String { "\(stream ?? "-"): …\(says)…" }

  func isIn(_ report: VerificationReport) -> Bool {
    report.problems.contains { $0.stream?.rawValue == stream && $0.message.contains(says) }
  }
}

/// A damage made on purpose to one of a log's indexes, and what `verify` must say of it.
struct IndexDamage: CustomTestStringConvertible, Sendable {
  var name: String
  /// The storage format of the log damaged.
  var format: UInt32 = 2
  var make: @Sendable (RawEdit) throws -> Void
  var findings: [Finding]
  var testDescription: String { "\(name) (format \(format))" }
}

/// Damages to a 60-event marked log: streams s-0 … s-6, each batch of 5 one stream-index
/// entry. s-1 has events 6–10 and 41–45; s-2 11–15 and 46–50; s-3 16–20 and 51–55; s-4
/// 21–25 and 56–60; s-5 26–30, s-6 31–35, s-0 1–5 and 36–40. Format 2 (the index keyed by
/// names) first, then format 3 (keyed by numbers: s-0 is 1, s-1 2, … s-6 7).
let indexDamages: [IndexDamage] = namedIndexDamages + numberedIndexDamages

let numberedIndexDamages: [IndexDamage] = [
  IndexDamage(
    name: "a stream index entry moved by one position", format: 3,
    make: {
      try $0.put("stream-index", streamIndexKey(number: 4, 1), bigEndian(17) + bigEndian(5))
    },
    findings: [Finding(stream: "s-3", says: "puts version 1 at position 17, the log at 16")]),
  IndexDamage(
    name: "a stream's first index entry deleted", format: 3,
    make: { try $0.delete("stream-index", streamIndexKey(number: 3, 1)) },
    findings: [
      Finding(stream: "s-2", says: "starts a batch at version 6 where 1 was expected"),
      Finding(stream: "s-2", says: "lists 6 events, the log 10"),
    ]),
  IndexDamage(
    name: "a stream's last index entry deleted", format: 3,
    make: { try $0.delete("stream-index", streamIndexKey(number: 2, 6)) },
    findings: [Finding(stream: "s-1", says: "the stream index lists 5 events, the log 10")]),
  IndexDamage(
    name: "an index entry counting more events than the stream has", format: 3,
    make: {
      try $0.put("stream-index", streamIndexKey(number: 2, 6), bigEndian(41) + bigEndian(9))
    },
    findings: [Finding(stream: "s-1", says: "lists 9 events from version 6, the log has 5")]),
  IndexDamage(
    name: "an entry of one event where a batch of five was", format: 3,
    make: { try $0.put("stream-index", streamIndexKey(number: 4, 1), bigEndian(16)) },
    findings: [
      Finding(stream: "s-3", says: "starts a batch at version 6 where 2 was expected"),
      Finding(stream: "s-3", says: "lists 6 events, the log 10"),
    ]),
  IndexDamage(
    name: "index entries for numbers no stream has", format: 3,
    make: {
      try $0.put("stream-index", streamIndexKey(number: 8, 1), bigEndian(5) + bigEndian(3))
      try $0.put("stream-index", streamIndexKey(number: 9, 4), bigEndian(5))
    },
    findings: [
      Finding(stream: nil, says: "lists 3 events from version 1 of stream number 8, which no"),
      Finding(stream: nil, says: "lists 1 events from version 4 of stream number 9, which no"),
    ]),
  IndexDamage(
    name: "index entries of the wrong shape", format: 3,
    make: {
      try $0.put("stream-index", [0, 0, 4], bigEndian(16))
      try $0.put("stream-index", streamIndexKey(number: 4, 11), bigEndian(16) + [1, 2, 3, 4])
    },
    findings: [
      Finding(stream: nil, says: "a stream index entry of the wrong shape"),
      Finding(stream: nil, says: "a stream index entry of the wrong shape"),
    ]),
  IndexDamage(
    name: "a recorded version changed", format: 3,
    make: { try $0.put("streams", Array("s-1".utf8), streamRecord(version: 99, number: 2)) },
    findings: [Finding(stream: "s-1", says: "the recorded version 99 is not its last event's (10)")]
  ),
  IndexDamage(
    name: "a recorded version deleted", format: 3,
    make: { try $0.delete("streams", Array("s-4".utf8)) },
    findings: [
      Finding(stream: "s-4", says: "the recorded version none is not its last event's (10)"),
      Finding(stream: nil, says: "records versions for 6 streams, its events name 7"),
      Finding(stream: nil, says: "from version 1 of stream number 5, which no stream has"),
      Finding(stream: nil, says: "from version 6 of stream number 5, which no stream has"),
      Finding(stream: "s-4", says: "the stream index lists 0 events, the log 10"),
    ]),
  IndexDamage(
    name: "a recorded version of 4 bytes", format: 3,
    make: { try $0.put("streams", Array("s-5".utf8), [1, 0, 0, 0]) },
    findings: [
      Finding(stream: "s-5", says: "the stream's version entry is not 12 bytes"),
      Finding(stream: nil, says: "from version 1 of stream number 6, which no stream has"),
      Finding(stream: "s-5", says: "the stream index lists 0 events, the log 5"),
    ]),
  IndexDamage(
    name: "a recorded version for a stream no record names", format: 3,
    make: { try $0.put("streams", Array("ghost-9".utf8), streamRecord(version: 2, number: 8)) },
    findings: [Finding(stream: nil, says: "records versions for 8 streams, its events name 7")]),
  IndexDamage(
    name: "two streams given one number", format: 3,
    make: { try $0.put("streams", Array("s-2".utf8), streamRecord(version: 10, number: 2)) },
    findings: [
      Finding(stream: "s-2", says: "the stream's number 2 is s-1's too"),
      Finding(stream: nil, says: "from version 1 of stream number 3, which no stream has"),
      Finding(stream: nil, says: "from version 6 of stream number 3, which no stream has"),
      Finding(stream: "s-2", says: "the stream index lists 0 events, the log 10"),
    ]),
  IndexDamage(
    name: "a stream numbered past the streams' count", format: 3,
    make: { try $0.put("streams", Array("s-0".utf8), streamRecord(version: 10, number: 99)) },
    findings: [
      Finding(stream: "s-0", says: "the stream's number 99 is not one of 1 to 7"),
      Finding(stream: nil, says: "from version 1 of stream number 1, which no stream has"),
      Finding(stream: nil, says: "from version 6 of stream number 1, which no stream has"),
      Finding(stream: "s-0", says: "the stream index lists 0 events, the log 10"),
    ]),
]

let namedIndexDamages: [IndexDamage] = [
  IndexDamage(
    name: "a stream index entry moved by one position",
    make: { try $0.put("stream-index", streamIndexKey("s-3", 1), bigEndian(17) + bigEndian(5)) },
    findings: [Finding(stream: "s-3", says: "puts version 1 at position 17, the log at 16")]),
  IndexDamage(
    name: "a stream's first index entry deleted",
    make: { try $0.delete("stream-index", streamIndexKey("s-2", 1)) },
    findings: [
      Finding(stream: "s-2", says: "starts a batch at version 6 where 1 was expected"),
      Finding(stream: "s-2", says: "lists 6 events, the log 10"),
    ]),
  IndexDamage(
    name: "a stream's last index entry deleted",
    make: { try $0.delete("stream-index", streamIndexKey("s-1", 6)) },
    findings: [Finding(stream: "s-1", says: "the stream index lists 5 events, the log 10")]),
  IndexDamage(
    name: "an index entry counting more events than the stream has",
    make: { try $0.put("stream-index", streamIndexKey("s-1", 6), bigEndian(41) + bigEndian(9)) },
    findings: [Finding(stream: "s-1", says: "lists 9 events from version 6, the log has 5")]),
  IndexDamage(
    name: "index entries for streams no record names",
    make: {
      try $0.put("stream-index", streamIndexKey("ghost-1", 1), bigEndian(5) + bigEndian(3))
      try $0.put("stream-index", streamIndexKey("ghost-2", 4), bigEndian(5) + bigEndian(3))
    },
    findings: [
      Finding(stream: "ghost-1", says: "lists 3 events from version 1, the log has 0"),
      Finding(stream: "ghost-2", says: "starts a batch at version 4 where 1 was expected"),
    ]),
  IndexDamage(
    name: "an index entry naming an invalid stream",
    make: {
      try $0.put("stream-index", streamIndexKey("s\u{0}3", 1), bigEndian(16) + bigEndian(5))
    },
    findings: [Finding(stream: nil, says: "the stream index names an invalid stream")]),
  IndexDamage(
    name: "an index entry of the wrong shape",
    make: { try $0.put("stream-index", Array("s-3".utf8), bigEndian(16)) },
    findings: [Finding(stream: nil, says: "a stream index entry of the wrong shape")]),
  IndexDamage(
    name: "a recorded version changed",
    make: { try $0.put("streams", Array("s-1".utf8), littleEndian(99)) },
    findings: [Finding(stream: "s-1", says: "the recorded version 99 is not its last event's (10)")]
  ),
  IndexDamage(
    name: "a recorded version deleted",
    make: { try $0.delete("streams", Array("s-4".utf8)) },
    findings: [
      Finding(stream: "s-4", says: "the recorded version none is not its last event's (10)"),
      Finding(stream: nil, says: "records versions for 6 streams, its events name 7"),
    ]),
  IndexDamage(
    name: "a recorded version of 4 bytes",
    make: { try $0.put("streams", Array("s-5".utf8), [1, 0, 0, 0]) },
    findings: [Finding(stream: "s-5", says: "the stream's version entry is not 8 bytes")]),
  IndexDamage(
    name: "a recorded version for a stream no record names",
    make: { try $0.put("streams", Array("ghost-9".utf8), littleEndian(2)) },
    findings: [Finding(stream: nil, says: "records versions for 8 streams, its events name 7")]),
]

@Suite("Verification: each check finds the damage made for it, and only that")
struct VerificationTests {
  @Test(arguments: [2, StoreFormat.version])
  func aHealthyLogIsReportedWithItsShape(_ format: UInt32) async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 60, format: format)
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    for report in [
      try store.verify(), try store.verify(payloads: { _ in }),
      try store.verify(concurrentPayloads: { _ in }),
    ] {
      #expect(report.isHealthy, "\(report.problems)")
      #expect(report.head == 60)
      #expect(report.records == 60)
      #expect(report.streams == 7)
    }
  }

  @Test(arguments: indexDamages)
  func aDamagedIndexIsReportedForItsStream(_ damage: IndexDamage) async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 60, format: damage.format)
    try RawEdit.run(path, damage.make)
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let report = try store.verify()
    for finding in damage.findings {
      #expect(finding.isIn(report), "\(finding) not in \(report.problems)")
    }
    #expect(report.problems.count == damage.findings.count, "\(report.problems)")
    #expect(report.records == 60)
  }

  @Test func theIDIndexIsCheckedEntryByEntry() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 60)
    let store = try LMDBEventStore(path: path)
    let events = try await store.readLog(from: 1, limit: 100).events
    store.close()
    func key(_ id: EventID) -> [UInt8] { bigEndian(id.high) + bigEndian(id.low) }
    let stranger = EventID.random()
    try RawEdit.run(path) { edit in
      try edit.delete("ids", key(events[9].id))
      try edit.put("ids", key(events[19].id), bigEndian(21))
      try edit.put("ids", key(stranger), bigEndian(3))
    }
    let reopened = try LMDBEventStore(path: path)
    defer { reopened.close() }
    let report = try reopened.verify()
    #expect(
      report.problems.contains {
        $0.message == "event \(events[9].id) is missing from the ID index"
      })
    #expect(
      report.problems.contains {
        $0.position == 20 && $0.message == "the ID index puts event \(events[19].id) at position 21"
      })
    #expect(
      report.problems.contains {
        $0.message.contains("lists event \(stranger), which no record has")
      })
  }

  /// A record rewritten with another category's number, its checksum made to match.
  func recategorize(_ edit: RawEdit, position: UInt64, like other: UInt64) throws {
    let record = try #require(try edit.get("events", bigEndian(position)))
    let model = try #require(try edit.get("events", bigEndian(other)))
    var changed = record
    changed.replaceSubrange(8..<12, with: model[8..<12])
    let body = changed.count - RecordFormat.checksumSize
    let checksum = changed[..<body].withUnsafeBytes { RecordChecksum.hash($0) }
    changed.replaceSubrange(body..., with: littleEndian(checksum))
    try edit.put("events", bigEndian(position), changed)
  }

  @Test(arguments: [16, 52])  // s-3's first event, and one after its category was checked
  func aRecordWithAnotherStreamsCategoryIsReported(_ position: Int) async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 60)
    let store = try LMDBEventStore(path: path)
    try await store.append(testEvents(2), to: "other-1", expectedVersion: .noStream)
    store.close()
    try RawEdit.run(path) { try recategorize($0, position: UInt64(position), like: 61) }
    let reopened = try LMDBEventStore(path: path)
    defer { reopened.close() }
    let report = try reopened.verify()
    #expect(report.problems.count == 1, "\(report.problems)")
    let problem = try #require(report.problems.first)
    #expect(problem.position == LogPosition(UInt64(position)))
    #expect(problem.stream == "s-3")
    #expect(problem.message.contains("is not the category of its stream"))
  }

  /// Payloads checked on the verifying thread and beside it: the same report, in log order,
  /// over several of the worker's batches, with a record-level problem among them.
  @Test func payloadsCheckedBesideTheOtherChecksGiveTheSameReport() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let count = 3 * PayloadWorker.batchSize + 17
    try await writeMarkedLog(at: path, count: count)
    var file = try DataFile(log: path)
    for offset in try file.payload(of: 321) { file.bytes[offset + 4] ^= 0x01 }
    try file.save()

    struct Refused: Error, CustomStringConvertible {
      var at: Int
      var description: String { "refused at \(at)" }
    }
    let seen = Mutex<[UInt64]>([])
    @Sendable func check(_ record: RecordView) throws {
      seen.withLock { $0.append(record.position.rawValue) }
      let text = String(decoding: record.payload, as: UTF8.self)
      guard let at = Int(text.dropFirst()) else { throw Refused(at: -1) }
      guard at % 997 != 0 else { throw Refused(at: at) }
      if at % 1499 == 0 {
        throw EventStoreError(.corruptRecord, "not a payload for \(at)")
      }
    }
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let here = try store.verify(payloads: check)
    let hereSeen = seen.withLock { seen in
      defer { seen = [] }
      return seen
    }
    let beside = try store.verify(concurrentPayloads: check)
    let besideSeen = seen.withLock { $0 }

    let refused = (1...count).filter { $0 % 997 == 0 || $0 % 1499 == 0 }
    #expect(here.problems.map(\.position) == ([321] + refused).map { LogPosition(UInt64($0)) })
    #expect(beside.problems == here.problems)
    for problem in here.problems.dropFirst() {
      let at = Int(problem.position?.rawValue ?? 0)
      #expect(problem.stream == markedStream(at))
      #expect(
        problem.message
          == (at % 997 == 0 ? "Marked: refused at \(at)" : "Marked: not a payload for \(at)"))
    }
    // Every record but the damaged one, once each, in log order, on either path.
    let expected = (1...UInt64(count)).filter { $0 != 321 }
    #expect(hereSeen == expected)
    #expect(besideSeen == expected)
  }
}

@Suite("The verifier's tables")
struct VerifierTableTests {
  @Test func streamsAreNumberedInTheOrderTheyAreMetAndFoundByTheirBytes() {
    // Names of every length up to 80 bytes, sharing long prefixes, so that the hash's tail
    // and its words both matter; then enough to make the table grow several times.
    var names: [String] = []
    for length in 1...80 { names.append(String(repeating: "a", count: length)) }
    for index in 0..<20_000 { names.append("member-\(index)") }
    for index in 0..<200 { names.append("registration-0000000000000000000000\(index)") }
    var table = StreamTable()
    for (expected, name) in names.enumerated() {
      let number = Array(name.utf8).withUnsafeBytes { bytes in
        #expect(table.number(of: bytes) == nil)
        return table.insert(bytes)
      }
      #expect(number == expected)
    }
    #expect(table.count == names.count)
    for (expected, name) in names.enumerated() {
      let found = Array(name.utf8).withUnsafeBytes { table.number(of: $0) }
      #expect(found == expected)
      #expect(table.name(of: expected).rawValue == name)
    }
    for stranger in ["", "member-20000", "member-", "b", String(repeating: "a", count: 81)] {
      #expect(Array(stranger.utf8).withUnsafeBytes { table.number(of: $0) } == nil)
    }
  }

  @Test func aTableSizedAheadFindsTheSameNumbers() {
    var sized = StreamTable()
    sized.reserveCapacity(5_000)
    var grown = StreamTable()
    for index in 0..<5_000 {
      let bytes = Array("s-\(index * 7919)".utf8)
      bytes.withUnsafeBytes { raw in
        #expect(sized.insert(raw) == grown.insert(raw))
      }
    }
    for index in 0..<5_000 {
      let bytes = Array("s-\(index * 7919)".utf8)
      bytes.withUnsafeBytes { raw in
        #expect(sized.number(of: raw) == index)
        #expect(grown.number(of: raw) == index)
      }
    }
  }

  @Test func positionsAreGroupedByStreamInVersionOrder() {
    let positions = StreamPositions(
      counts: [2, 0, 3, 1], recordStreams: [0, 2, 2, 0, 3, 2],
      recordPositions: [1, 2, 3, 5, 8, 13])
    #expect(Array(positions.positions(of: 0)) == [1, 5])
    #expect(Array(positions.positions(of: 1)) == [])
    #expect(Array(positions.positions(of: 2)) == [2, 3, 13])
    #expect(Array(positions.positions(of: 3)) == [8])
  }
}

@Suite("A group of appends with a refusal in it")
struct GroupRefusalTests {
  /// Sixteen appends and one that is refused after writing its first event (its second event
  /// carries a recorded time earlier than its first), all at once, five times: the writer
  /// takes them in groups. The refused one leaves nothing; the others are all recorded.
  @Test func aRefusedAppendUndoesOnlyItselfEvenAfterWritingPartOfItself() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    for round in 0..<5 {
      var bad = testEvents(2)
      bad[0].recordedTime = Timestamp(nanosecondsSince1970: 4_000_000_000_000_000_000)
      bad[1].recordedTime = Timestamp(nanosecondsSince1970: 1)
      let refusal = try await withThrowingTaskGroup(of: EventStoreError?.self) { group in
        for index in 0..<16 {
          group.addTask {
            try await store.append(
              testEvents(2), to: StreamName("ok-\(round)x\(index)"), expectedVersion: .noStream)
            return nil
          }
        }
        group.addTask { [bad] in
          do {
            try await store.append(bad, to: StreamName("bad-\(round)"), expectedVersion: .noStream)
            return nil
          } catch let error as EventStoreError {
            return error
          }
        }
        var refusals: [EventStoreError] = []
        for try await outcome in group { if let outcome { refusals.append(outcome) } }
        return refusals
      }
      #expect(refusal.map(\.code) == [.timeOrder])
      #expect(try await store.currentVersion(of: StreamName("bad-\(round)")) == nil)
      for index in 0..<16 {
        #expect(try await store.currentVersion(of: StreamName("ok-\(round)x\(index)")) == 2)
      }
    }
    #expect(try await store.headPosition() == LogPosition(5 * 16 * 2))
    let report = try store.verify()
    #expect(report.isHealthy, "\(report.problems)")
    #expect(report.streams == 5 * 16)
  }
}
