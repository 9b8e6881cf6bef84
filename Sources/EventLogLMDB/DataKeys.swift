import CLMDB
import CLMDBGuard
import EventLog

/// The layout of the `keys` database (see ``Databases/keys``).
enum DataKeyLayout {
  /// The subject's prefix: `kind:id` and a 0 byte.
  static func prefix(_ subject: DataSubject) -> [UInt8] {
    Array(subject.description.utf8) + [0]
  }

  static func key(_ subject: DataSubject, id: UInt64) -> [UInt8] {
    var bytes = prefix(subject)
    withUnsafeBytes(of: id.bigEndian) { bytes.append(contentsOf: $0) }
    return bytes
  }

  static func tombstone(_ subject: DataSubject) -> [UInt8] { key(subject, id: 0) }

  /// Whether a stored key is a tombstone (key number 0); `false` for a key that is not of this
  /// layout, which ``parse(_:)`` refuses.
  static func isTombstone(_ key: UnsafeRawBufferPointer) -> Bool {
    guard key.count > 9, key[key.count - 9] == 0 else { return false }
    return key.loadUnaligned(fromByteOffset: key.count - 8, as: UInt64.self) == 0
  }

  /// The subject and key number of a stored key, `nil` when the key is not of this layout.
  static func parse(_ key: UnsafeRawBufferPointer) -> (DataSubject, UInt64)? {
    guard key.count > 9, key[key.count - 9] == 0 else { return nil }
    let id = UInt64(bigEndian: key.loadUnaligned(fromByteOffset: key.count - 8, as: UInt64.self))
    guard let text = String(validating: key[..<(key.count - 9)], as: UTF8.self),
      let subject = DataSubject(text)
    else { return nil }
    return (subject, id)
  }

  /// The code of the error a write refused for a forgotten subject throws, turned into a
  /// ``PersonalDataError`` by ``LMDBEventStore/storeDataKeys(_:)``.
  static let subjectErased = EventStoreError.Code("subjectErased")
}

extension WriteTransaction {
  private func keysDatabase() throws(EventStoreError) -> MDB_dbi {
    guard let keys = dbs.keys else {
      throw EventStoreError(.readOnly, "the log has no keys database")
    }
    return keys
  }

  /// Stores wrapped keys, refusing all of them when one's subject has a tombstone.
  func putDataKeys(_ keys: [WrappedDataKey]) throws(EventStoreError) {
    let dbi = try keysDatabase()
    for subject in Set(keys.map(\.subject)) {
      try withValue(DataKeyLayout.tombstone(subject)) { key throws(EventStoreError) in
        var value = MDB_val()
        let rc = clmdb_get(txn, dbi, &key, &value)
        if rc == LMDBCode.success {
          throw EventStoreError(DataKeyLayout.subjectErased, subject.description)
        }
        if rc != LMDBCode.notFound { try check(rc, "reading the keys of \(subject)") }
      }
    }
    for key in keys {
      try withValue(DataKeyLayout.key(key.subject, id: key.id)) { k throws(EventStoreError) in
        try withValue(key.wrapped) { v throws(EventStoreError) in
          try check(clmdb_put(txn, dbi, &k, &v, 0), "storing a key of \(key.subject)")
        }
      }
    }
  }

  /// Deletes every key of `subject` and writes its tombstone.
  func destroyDataKeys(of subject: DataSubject) throws(EventStoreError) {
    let dbi = try keysDatabase()
    var ids: [UInt64] = []
    try forEachDataKey(txn, dbi, prefix: DataKeyLayout.prefix(subject)) { _, id in
      if id != 0 { ids.append(id) }
    }
    for id in ids {
      try withValue(DataKeyLayout.key(subject, id: id)) { k throws(EventStoreError) in
        try check(clmdb_del(txn, dbi, &k, nil), "destroying a key of \(subject)")
      }
    }
    try withValue(DataKeyLayout.tombstone(subject)) { k throws(EventStoreError) in
      var empty = MDB_val(mv_size: 0, mv_data: nil)
      try check(clmdb_put(txn, dbi, &k, &empty, 0), "writing the tombstone of \(subject)")
    }
  }
}

extension LMDBEventStore: DataKeyStore {
  /// Stores wrapped keys in the log's `keys` database, durably; see
  /// ``DataKeyStore/storeDataKeys(_:)``.
  public func storeDataKeys(_ keys: [WrappedDataKey]) async throws {
    guard !keys.isEmpty else { return }
    try checkWritable()
    do {
      _ = try await writer.submit(.storeKeys(keys)).get()
    } catch let error where error.code == DataKeyLayout.subjectErased {
      throw PersonalDataError(
        .subjectErased, "the subject was forgotten: no new data is kept for it",
        subject: DataSubject(error.message))
    }
  }

  /// The key `id` of `subject`; see ``DataKeyStore/dataKey(of:id:)``.
  public func dataKey(of subject: DataSubject, id: UInt64) async throws -> DataKeyLookup {
    try environment.read { txn throws(EventStoreError) -> DataKeyLookup in
      guard let dbi = environment.dbs.keys else { return .missing }
      func lookup(_ bytes: [UInt8]) throws(EventStoreError) -> [UInt8]? {
        try withValue(bytes) { key throws(EventStoreError) in
          var value = MDB_val()
          let rc = clmdb_get(txn, dbi, &key, &value)
          if rc == LMDBCode.notFound { return nil }
          try check(rc, "reading a key of \(subject)")
          return Array(try value.probedBuffer("a key of \(subject)"))
        }
      }
      if try lookup(DataKeyLayout.tombstone(subject)) != nil { return .destroyed }
      return try lookup(DataKeyLayout.key(subject, id: id)).map { .found($0) } ?? .missing
    }
  }

  /// Destroys every key of `subject` in one durable write and leaves its tombstone; see
  /// ``DataKeyStore/destroyDataKeys(of:)``.
  ///
  /// The keys' bytes are gone from the database, but may linger in LMDB's free pages until
  /// they are reused: ``compact(at:)`` rewrites the file without them.
  public func destroyDataKeys(of subject: DataSubject) async throws -> Int {
    try checkWritable()
    let count = try await dataSubjectKeyCount(subject)
    _ = try await writer.submit(.destroyKeys(subject)).get()
    return count
  }

  /// Every subject with keys or a tombstone; see ``DataKeyStore/dataSubjects()``.
  public func dataSubjects() async throws -> [DataSubject: DataSubjectStatus] {
    try environment.read { txn throws(EventStoreError) in
      var subjects: [DataSubject: DataSubjectStatus] = [:]
      guard let dbi = environment.dbs.keys else { return subjects }
      try forEachDataKey(txn, dbi) { subject, id in
        if id == 0 {
          subjects[subject] = .erased
        } else if subjects[subject] == nil {
          subjects[subject] = .held
        }
      }
      return subjects
    }
  }

  /// Whether any subject has keys or a tombstone, and the forgotten ones; see
  /// ``DataKeyStore/erasedDataSubjects()``. Only a tombstone's subject is read: a held key is
  /// checked for the layout and passed over.
  public func erasedDataSubjects() async throws -> ErasedDataSubjects {
    try environment.read { txn throws(EventStoreError) in
      var answer = ErasedDataSubjects(anySubject: false, erased: [])
      guard let dbi = environment.dbs.keys else { return answer }
      try forEachDataKeyBytes(txn, dbi) { bytes, _ throws(EventStoreError) in
        answer.anySubject = true
        guard DataKeyLayout.isTombstone(bytes) else { return }
        guard let (subject, _) = DataKeyLayout.parse(bytes) else {
          throw EventStoreError(
            .corruptRecord, "a key of the keys database is not a subject's key")
        }
        answer.erased.insert(subject)
      }
      return answer
    }
  }

  /// The keys of `subject`; see ``DataKeyStore/dataKeys(of:)``. One cursor walk over the
  /// subject's prefix reads each key's number and wrapped bytes where they lie.
  public func dataKeys(of subject: DataSubject) async throws -> [WrappedDataKey] {
    try environment.read { txn throws(EventStoreError) in
      guard let dbi = environment.dbs.keys else { return [] }
      return try Self.dataKeys(of: subject, txn, dbi)
    }
  }

  /// The keys of each of `subjects`, read in one transaction; see
  /// ``EventLog/DataKeyStore/dataKeys(of:)-([DataSubject])``.
  public func dataKeys(of subjects: [DataSubject]) async throws -> [[WrappedDataKey]] {
    try environment.read { txn throws(EventStoreError) in
      guard let dbi = environment.dbs.keys else { return subjects.map { _ in [] } }
      var keys: [[WrappedDataKey]] = []
      keys.reserveCapacity(subjects.count)
      for subject in subjects { keys.append(try Self.dataKeys(of: subject, txn, dbi)) }
      return keys
    }
  }

  /// The keys of `subject`, read in `txn`.
  private static func dataKeys(of subject: DataSubject, _ txn: OpaquePointer?, _ dbi: MDB_dbi)
    throws(EventStoreError) -> [WrappedDataKey]
  {
    let prefix = DataKeyLayout.prefix(subject)
    var keys: [WrappedDataKey] = []
    try forEachDataKeyBytes(txn, dbi, prefix: prefix) { key, value throws(EventStoreError) in
      guard key.count >= prefix.count + 8 else {
        throw EventStoreError(
          .corruptRecord, "a key of \(subject) in the keys database is not a subject's key")
      }
      // A longer key is another subject's, whose identifier begins with this one's and a 0.
      guard key.count == prefix.count + 8 else { return }
      let id = UInt64(bigEndian: key.loadUnaligned(fromByteOffset: prefix.count, as: UInt64.self))
      if id != 0 {
        keys.append(
          WrappedDataKey(
            subject: subject, id: id, wrapped: Array(try value("a key of \(subject)"))))
      }
    }
    return keys
  }

  private func dataSubjectKeyCount(_ subject: DataSubject) async throws -> Int {
    try environment.read { txn throws(EventStoreError) in
      guard let dbi = environment.dbs.keys else { return 0 }
      var count = 0
      try forEachDataKey(txn, dbi, prefix: DataKeyLayout.prefix(subject)) { _, id in
        if id != 0 { count += 1 }
      }
      return count
    }
  }
}

/// Calls `body` with the subject and number of every key that begins with `prefix`, in order.
func forEachDataKey(
  _ txn: OpaquePointer?, _ dbi: MDB_dbi, prefix: [UInt8] = [],
  _ body: (DataSubject, UInt64) throws(EventStoreError) -> Void
) throws(EventStoreError) {
  try forEachDataKeyBytes(txn, dbi, prefix: prefix) { bytes, _ throws(EventStoreError) in
    guard let (subject, id) = DataKeyLayout.parse(bytes) else {
      throw EventStoreError(.corruptRecord, "a key of the keys database is not a subject's key")
    }
    try body(subject, id)
  }
}

/// Calls `body` with the bytes of every key that begins with `prefix`, in order, and a
/// function that gives the key's value, checked against the map and described by its
/// argument in an error (both valid only during the call).
func forEachDataKeyBytes(
  _ txn: OpaquePointer?, _ dbi: MDB_dbi, prefix: [UInt8] = [],
  _ body:
    (
      UnsafeRawBufferPointer,
      _ value: (String) throws(EventStoreError) -> UnsafeRawBufferPointer
    ) throws(EventStoreError) -> Void
) throws(EventStoreError) {
  var cursor: OpaquePointer?
  try check(mdb_cursor_open(txn, dbi, &cursor), "opening a cursor on the keys")
  defer { mdb_cursor_close(cursor) }
  var value = MDB_val()
  var key = MDB_val()
  var rc: Int32
  if prefix.isEmpty {
    rc = clmdb_cursor_get(cursor, &key, &value, MDB_FIRST)
  } else {
    rc = withValue(prefix) { start in
      key = start
      return clmdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
    }
  }
  while rc == LMDBCode.success {
    let bytes = try key.probedBuffer("a key of the keys database")
    guard prefix.isEmpty || bytes.prefix(prefix.count).elementsEqual(prefix) else { return }
    try body(bytes) { what throws(EventStoreError) in try value.probedBuffer(what) }
    rc = clmdb_cursor_get(cursor, &key, &value, MDB_NEXT)
  }
  if rc != LMDBCode.notFound { try check(rc, "reading the keys database") }
}
