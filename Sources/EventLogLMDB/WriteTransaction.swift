import CLMDB
import CLMDBGuard
import EventLog

/// An LMDB write transaction seen through the shared append logic.
struct WriteTransaction: AppendTransaction {
  let txn: OpaquePointer?
  let dbs: Databases
  var names: Names
  /// Reused for index keys, so that a write allocates nothing.
  var scratch: [UInt8] = []
  /// The last record written in this write transaction, its position and recorded time: the
  /// next append of a group starts after it without reading the log's end again.
  var tail: (position: LogPosition, recordedTime: Timestamp)?
  /// The stream entry looked up last (`nil` for a stream not yet recorded), so that the
  /// write after a version check does not look the stream up again.
  var lookedUp: (stream: StreamName, record: StreamRecord?)?

  /// Calls `body` with the log's last record (position and bytes), or returns `nil` when the
  /// log is empty.
  private func withLastRecord<T>(
    _ body: (LogPosition, UnsafeRawBufferPointer) throws(EventStoreError) -> T
  ) throws(EventStoreError) -> T? {
    var cursor: OpaquePointer?
    try check(mdb_cursor_open(txn, dbs.events, &cursor), "opening a cursor on the events")
    defer { mdb_cursor_close(cursor) }
    var key = MDB_val()
    var value = MDB_val()
    let rc = clmdb_cursor_get(cursor, &key, &value, MDB_LAST)
    if rc == LMDBCode.notFound { return nil }
    try check(rc, "reading the last event")
    guard let position = key.bigEndianUInt64 else {
      throw EventStoreError(.corruptRecord, "an event key has \(key.mv_size) bytes, not 8")
    }
    // Once per append: probe the bytes (a damaged size must not make the writer fault).
    let bytes = try value.probedBuffer("the last record", position: LogPosition(position))
    return try body(LogPosition(position), bytes)
  }

  func head() throws(EventStoreError) -> LogPosition {
    if let tail { return tail.position }
    return try withLastRecord { position, _ throws(EventStoreError) in position } ?? .start
  }

  func lastRecordedTime() throws(EventStoreError) -> Timestamp? {
    if let tail { return tail.recordedTime }
    return try withLastRecord { position, bytes throws(EventStoreError) in
      try RecordView(position: position, bytes: bytes, types: names.types).recordedTime
    }
  }

  mutating func currentVersion(of stream: StreamName) throws(EventStoreError) -> StreamVersion? {
    try streamRecord(of: stream).map { StreamVersion($0.version) }
  }

  /// The stream's entry in the `streams` database, as this transaction has left it.
  private mutating func streamRecord(of stream: StreamName) throws(EventStoreError)
    -> StreamRecord?
  {
    if let lookedUp, lookedUp.stream == stream { return lookedUp.record }
    let record = try storedStream(txn, dbs, stream)
    lookedUp = (stream, record)
    return record
  }

  func position(of id: EventID) throws(EventStoreError) -> LogPosition? {
    var bytes = BinaryWriter(capacity: 16)
    bytes.write(id)
    return try withValue(bytes.bytes) { key throws(EventStoreError) in
      var value = MDB_val()
      let rc = clmdb_get(txn, dbs.ids, &key, &value)
      if rc == LMDBCode.notFound { return nil }
      try check(rc, "looking up event \(id)")
      guard let position = value.bigEndianUInt64 else {
        throw EventStoreError(.corruptRecord, "the ID index entry is not 8 bytes", eventID: id)
      }
      return LogPosition(position)
    }
  }

  func streamAndVersion(at position: LogPosition) throws(EventStoreError) -> (
    StreamName, StreamVersion
  ) {
    try withKey(position.rawValue) { key throws(EventStoreError) in
      var value = MDB_val()
      try check(
        clmdb_get(txn, dbs.events, &key, &value), "reading the event at position \(position)")
      let bytes = try value.probedBuffer("the record", position: position)
      let view = try RecordView(position: position, bytes: bytes, types: names.types)
      return (try view.stream(), view.version)
    }
  }

  mutating func internNames(eventType: String, category: String) throws(EventStoreError)
    -> (type: UInt32, category: UInt32)
  {
    let type = names.types.intern(eventType)
    if type.added { try putName(eventType, number: type.number, dbs.types) }
    let interned = names.categories.intern(category)
    if interned.added { try putName(category, number: interned.number, dbs.categories) }
    return (type.number, interned.number)
  }

  private func putName(_ name: String, number: UInt32, _ dbi: MDB_dbi) throws(EventStoreError) {
    var big = number.bigEndian
    try withUnsafeMutableBytes(of: &big) { raw throws(EventStoreError) in
      var key = MDB_val(mv_size: 4, mv_data: raw.baseAddress)
      try withValue(Array(name.utf8)) { value throws(EventStoreError) in
        try check(clmdb_put(txn, dbi, &key, &value, UInt32(MDB_NOOVERWRITE)), "interning \(name)")
      }
    }
  }

  mutating func write(
    record: [UInt8], at position: LogPosition, stream: StreamName, version: StreamVersion,
    id: EventID
  ) throws(EventStoreError) {
    try withKey(position.rawValue) { key throws(EventStoreError) in
      try withValue(record) { value throws(EventStoreError) in
        try check(
          clmdb_put(txn, dbs.events, &key, &value, UInt32(MDB_APPEND)),
          "writing the event at position \(position)")
      }
    }
    var positionBig = position.rawValue.bigEndian
    try withUnsafeMutableBytes(of: &positionBig) { raw throws(EventStoreError) in
      var positionValue = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
      var idBytes = (id.high.bigEndian, id.low.bigEndian)
      try withUnsafeMutableBytes(of: &idBytes) { raw throws(EventStoreError) in
        var key = MDB_val(mv_size: 16, mv_data: raw.baseAddress)
        // Time-ordered IDs mostly arrive in increasing order: appending at the end of the
        // index skips the search from the root. An ID that is not greater than the last one
        // is refused by MDB_APPEND with MDB_KEYEXIST, and then put in its place.
        var rc = clmdb_put(txn, dbs.ids, &key, &positionValue, UInt32(MDB_APPEND))
        if rc == MDB_KEYEXIST {
          rc = clmdb_put(txn, dbs.ids, &key, &positionValue, UInt32(MDB_NOOVERWRITE))
        }
        if rc == MDB_KEYEXIST {
          throw EventStoreError(
            .duplicateEventID, "the event is recorded already, in another batch", stream: stream,
            eventID: id)
        }
        try check(rc, "indexing event \(id)")
      }
    }
    if let recordedTime = RecordFormat.recordedTime(ofEncoded: record) {
      tail = (position, recordedTime)
    } else {
      tail = nil
    }
  }

  mutating func recordBatch(
    of stream: StreamName, first: StreamVersion, last: StreamVersion, at firstPosition: LogPosition
  ) throws(EventStoreError) {
    // One stream-index entry per batch, not per event: the batch's versions sit at
    // consecutive positions, so its first version, first position and count locate them all.
    let keys = dbs.streamKeys
    var number: UInt32?
    var isNew = false
    if keys == .numbers {
      if let known = try streamRecord(of: stream)?.number {
        number = known
      } else {
        // Streams are never removed, so the next number is one more than their count.
        var stat = MDB_stat()
        try check(clmdb_stat(txn, dbs.streams, &stat), "counting the streams")
        guard stat.ms_entries < Int(UInt32.max) else {
          throw EventStoreError(.storageFull, "the log has as many streams as it can number")
        }
        number = UInt32(stat.ms_entries + 1)
        isNew = true
      }
    }
    scratch.removeAll(keepingCapacity: true)
    keys.appendPrefix(of: stream, number: number, to: &scratch)
    withUnsafeBytes(of: first.rawValue.bigEndian) { scratch.append(contentsOf: $0) }
    let entry = StreamIndexEntry(
      firstVersion: first.rawValue, firstPosition: firstPosition.rawValue,
      count: last.rawValue - first.rawValue + 1)
    try entry.withValue(short: keys == .numbers) { value throws(EventStoreError) in
      try withValue(scratch) { key throws(EventStoreError) in
        // A new stream has the highest number: its entry goes at the end of the index.
        var rc = clmdb_put(
          txn, dbs.streamIndex, &key, &value, UInt32(isNew ? MDB_APPEND : MDB_NOOVERWRITE))
        if rc == MDB_KEYEXIST && isNew {
          rc = clmdb_put(txn, dbs.streamIndex, &key, &value, UInt32(MDB_NOOVERWRITE))
        }
        if rc == MDB_KEYEXIST {
          throw EventStoreError(
            .corruptRecord,
            "the stream index has an entry at version \(first) already, which the stream's version (\(first.rawValue - 1)) says is not there",
            stream: stream, version: first)
        }
        try check(rc, "indexing \(stream) at versions \(first) to \(last)")
      }
    }
    let record = StreamRecord(version: last.rawValue, number: number)
    try record.withValue { value throws(EventStoreError) in
      try withValue(Array(stream.rawValue.utf8)) { key throws(EventStoreError) in
        try check(
          clmdb_put(txn, dbs.streams, &key, &value, 0), "recording the version of \(stream)")
      }
    }
    lookedUp = (stream, record)
  }
}

extension WriteTransaction {
  /// Saves, or with `nil` deletes, a derived state: position (8 bytes, little-endian) then
  /// the state's bytes, in one put.
  func putState(_ state: StoredState?, for key: String) throws(EventStoreError) {
    try withValue(Array(key.utf8)) { keyValue throws(EventStoreError) in
      guard let state else {
        let rc = clmdb_del(txn, dbs.states, &keyValue, nil)
        if rc != LMDBCode.notFound { try check(rc, "deleting state \(key)") }
        return
      }
      var bytes: [UInt8] = []
      bytes.reserveCapacity(8 + state.bytes.count)
      withUnsafeBytes(of: state.position.littleEndian) { bytes.append(contentsOf: $0) }
      bytes.append(contentsOf: state.bytes)
      try withValue(bytes) { value throws(EventStoreError) in
        try check(clmdb_put(txn, dbs.states, &keyValue, &value, 0), "saving state \(key)")
      }
    }
  }
}

/// A derived state as stored in the `states` database.
func storedState(_ txn: OpaquePointer?, _ dbs: Databases, _ bounds: MapBounds, _ key: String)
  throws(EventStoreError) -> StoredState?
{
  guard let (position, bytes) = try storedStateBuffer(txn, dbs, bounds, key) else { return nil }
  return StoredState(position: position, bytes: Array(bytes))
}

/// A derived state's position and bytes where the map holds them: valid until `txn` ends.
///
/// The bytes are checked against the data file's size (`bounds`), not probed page by page: a
/// state of hundreds of megabytes would be faulted in whole before a reader that wants a few
/// pages of it (``StateStore/withState(_:_:)``) read anything.
func storedStateBuffer(
  _ txn: OpaquePointer?, _ dbs: Databases, _ bounds: MapBounds, _ key: String
) throws(EventStoreError) -> (UInt64, UnsafeRawBufferPointer)? {
  try withValue(Array(key.utf8)) { keyValue throws(EventStoreError) in
    var value = MDB_val()
    let rc = clmdb_get(txn, dbs.states, &keyValue, &value)
    if rc == LMDBCode.notFound { return nil }
    try check(rc, "reading state \(key)")
    let buffer = try bounds.currentBuffer(value, "state \(key)")
    guard buffer.count >= 8 else {
      throw EventStoreError(.corruptRecord, "state \(key) is shorter than its position")
    }
    return (
      UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self)),
      UnsafeRawBufferPointer(rebasing: buffer[8...])
    )
  }
}

/// The stream's version as stored in the `streams` database.
func storedVersion(_ txn: OpaquePointer?, _ dbs: Databases, _ stream: StreamName)
  throws(EventStoreError)
  -> StreamVersion?
{
  try storedStream(txn, dbs, stream).map { StreamVersion($0.version) }
}

/// The stream's entry in the `streams` database: its version, and its number in a log whose
/// stream index is keyed by numbers.
func storedStream(_ txn: OpaquePointer?, _ dbs: Databases, _ stream: StreamName)
  throws(EventStoreError)
  -> StreamRecord?
{
  try withValue(Array(stream.rawValue.utf8)) { key throws(EventStoreError) in
    var value = MDB_val()
    let rc = clmdb_get(txn, dbs.streams, &key, &value)
    if rc == LMDBCode.notFound { return nil }
    try check(rc, "reading the version of \(stream)")
    guard let record = StreamRecord(value.buffer, keys: dbs.streamKeys) else {
      throw EventStoreError(
        .corruptRecord,
        "the stream's version entry is \(value.mv_size) bytes, not \(dbs.streamKeys.streamRecordSize)",
        stream: stream)
    }
    return record
  }
}
