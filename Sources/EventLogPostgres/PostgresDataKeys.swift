#if Postgres
  import EventLog
  import PostgresNIO

  // The data keys of personal data, in the table `data_keys` of the log's schema: one row per
  // key (subject `kind:id`, key number, wrapped key), and a forgotten subject's tombstone as
  // key number 0 with no bytes. Every change to one subject's keys takes an advisory lock on
  // the subject, so that a key stored while the subject is forgotten is refused, not left
  // behind the tombstone.

  extension PostgresEventStore: DataKeyStore {
    /// The code of the error a store refused for a forgotten subject throws inside its
    /// transaction, turned into a ``PersonalDataError`` by ``storeDataKeys(_:)``.
    static let subjectErased = EventStoreError.Code("subjectErased")

    /// Stores wrapped keys in one transaction, none of them when a subject was forgotten; see
    /// ``DataKeyStore/storeDataKeys(_:)``.
    public func storeDataKeys(_ keys: [WrappedDataKey]) async throws {
      guard !keys.isEmpty else { return }
      let table = tables.keys
      do {
        try await withConnection("storing data keys") { connection in
          try await Self.transaction(connection) {
            for subject in Set(keys.map(\.subject)).sorted() {
              try await Self.lock(subject, connection)
              let rows = try await connection.query(
                "SELECT count(*) FROM \(unescaped: table) WHERE subject = \(subject.description) AND id = 0",
                logger: logger)
              for try await count in rows.decode(Int64.self) where count > 0 {
                throw EventStoreError(Self.subjectErased, subject.description)
              }
            }
            for key in keys {
              try await connection.query(
                """
                INSERT INTO \(unescaped: table) (subject, id, wrapped)
                VALUES (\(key.subject.description), \(Int64(bitPattern: key.id)), \(ByteBuffer(bytes: key.wrapped)))
                ON CONFLICT (subject, id) DO NOTHING
                """, logger: logger)
            }
          }
        }
      } catch let error as EventStoreError where error.code == Self.subjectErased {
        throw PersonalDataError(
          .subjectErased, "the subject was forgotten: no new data is kept for it",
          subject: DataSubject(error.message))
      }
    }

    /// The key `id` of `subject`; see ``DataKeyStore/dataKey(of:id:)``.
    public func dataKey(of subject: DataSubject, id: UInt64) async throws -> DataKeyLookup {
      let table = tables.keys
      return try await withConnection("reading a data key") { connection in
        let rows = try await connection.query(
          """
          SELECT id, wrapped FROM \(unescaped: table)
          WHERE subject = \(subject.description) AND id IN (0, \(Int64(bitPattern: id)))
          """, logger: logger)
        var lookup = DataKeyLookup.missing
        for try await (number, wrapped) in rows.decode((Int64, ByteBuffer).self) {
          if number == 0 { return .destroyed }
          lookup = .found(Array(buffer: wrapped))
        }
        return lookup
      }
    }

    /// Destroys `subject`'s keys and writes its tombstone in one transaction; see
    /// ``DataKeyStore/destroyDataKeys(of:)``.
    public func destroyDataKeys(of subject: DataSubject) async throws -> Int {
      let table = tables.keys
      return try await withConnection("destroying data keys") { connection in
        var destroyed = 0
        try await Self.transaction(connection) {
          try await Self.lock(subject, connection)
          let rows = try await connection.query(
            """
            WITH gone AS (DELETE FROM \(unescaped: table)
              WHERE subject = \(subject.description) AND id <> 0 RETURNING id)
            SELECT count(*) FROM gone
            """, logger: logger)
          for try await count in rows.decode(Int64.self) { destroyed = Int(count) }
          try await connection.query(
            """
            INSERT INTO \(unescaped: table) (subject, id, wrapped)
            VALUES (\(subject.description), 0, ''::bytea) ON CONFLICT (subject, id) DO NOTHING
            """, logger: logger)
        }
        return destroyed
      }
    }

    /// Every subject with keys or a tombstone; see ``DataKeyStore/dataSubjects()``.
    public func dataSubjects() async throws -> [DataSubject: DataSubjectStatus] {
      let table = tables.keys
      return try await withConnection("listing data subjects") { connection in
        let rows = try await connection.query(
          "SELECT subject, bool_or(id = 0) FROM \(unescaped: table) GROUP BY subject",
          logger: logger)
        var subjects: [DataSubject: DataSubjectStatus] = [:]
        for try await (text, erased) in rows.decode((String, Bool).self) {
          guard let subject = DataSubject(text) else {
            throw EventStoreError(.corruptRecord, "a data key's subject is not kind:id: \(text)")
          }
          subjects[subject] = erased ? .erased : .held
        }
        return subjects
      }
    }

    /// Whether any subject has keys or a tombstone, and the forgotten ones; see
    /// ``DataKeyStore/erasedDataSubjects()``. Only the tombstones are listed: one row for a
    /// store with no subject, and one for each forgotten subject.
    public func erasedDataSubjects() async throws -> ErasedDataSubjects {
      let table = tables.keys
      return try await withConnection("listing forgotten data subjects") { connection in
        let rows = try await connection.query(
          """
          SELECT NULL::text WHERE EXISTS (SELECT 1 FROM \(unescaped: table))
          UNION ALL SELECT subject FROM \(unescaped: table) WHERE id = 0
          """, logger: logger)
        var answer = ErasedDataSubjects(anySubject: false, erased: [])
        for try await text in rows.decode(String?.self) {
          answer.anySubject = true
          guard let text else { continue }
          guard let subject = DataSubject(text) else {
            throw EventStoreError(.corruptRecord, "a data key's subject is not kind:id: \(text)")
          }
          answer.erased.insert(subject)
        }
        return answer
      }
    }

    /// The keys of `subject`; see ``DataKeyStore/dataKeys(of:)``.
    public func dataKeys(of subject: DataSubject) async throws -> [WrappedDataKey] {
      let table = tables.keys
      return try await withConnection("reading data keys") { connection in
        let rows = try await connection.query(
          """
          SELECT id, wrapped FROM \(unescaped: table)
          WHERE subject = \(subject.description) AND id <> 0 ORDER BY id
          """, logger: logger)
        var keys: [WrappedDataKey] = []
        for try await (id, wrapped) in rows.decode((Int64, ByteBuffer).self) {
          keys.append(
            WrappedDataKey(
              subject: subject, id: UInt64(bitPattern: id), wrapped: Array(buffer: wrapped)))
        }
        return keys
      }
    }

    /// The keys of each of `subjects`, read in one query; see
    /// ``EventLog/DataKeyStore/dataKeys(of:)-([DataSubject])``.
    public func dataKeys(of subjects: [DataSubject]) async throws -> [[WrappedDataKey]] {
      guard !subjects.isEmpty else { return [] }
      let table = tables.keys
      let texts = subjects.map(\.description)
      let asked = Dictionary(zip(texts, subjects), uniquingKeysWith: { first, _ in first })
      let found = try await withConnection("reading data keys") { connection in
        var found: [String: [WrappedDataKey]] = [:]
        let rows = try await connection.query(
          """
          SELECT subject, id, wrapped FROM \(unescaped: table)
          WHERE subject = ANY(\(texts)) AND id <> 0 ORDER BY subject, id
          """, logger: logger)
        for try await (text, id, wrapped) in rows.decode((String, Int64, ByteBuffer).self) {
          guard let subject = asked[text] else { continue }
          found[text, default: []].append(
            WrappedDataKey(
              subject: subject, id: UInt64(bitPattern: id), wrapped: Array(buffer: wrapped)))
        }
        return found
      }
      return texts.map { found[$0] ?? [] }
    }

    /// Runs `body` inside a transaction on `connection`, rolled back when it throws.
    static func transaction(
      _ connection: PostgresConnection, _ body: () async throws -> Void
    ) async throws {
      try await connection.query("BEGIN", logger: logger)
      do {
        try await body()
        try await connection.query("COMMIT", logger: logger)
      } catch {
        // Even when cancelled: a pooled connection must not stay inside this transaction.
        await Task.detached { _ = try? await connection.query("ROLLBACK", logger: logger) }.value
        throw error
      }
    }

    /// Takes the transaction's advisory lock on `subject`'s keys.
    static func lock(_ subject: DataSubject, _ connection: PostgresConnection) async throws {
      try await connection.query(
        "SELECT pg_advisory_xact_lock(hashtext(\("councillog-keys:" + subject.description)))",
        logger: logger)
    }
  }
#endif
