#if Postgres
  import EventLog
  import PostgresNIO

  extension PostgresEventStore {
    /// The schema that holds this store's tables.
    public var schema: String { tables.schema }

    /// Moves every event, name, saved state and data key of `staging` — a log in another schema of the
    /// same database — into this log, which must be empty, in one transaction: afterwards this
    /// log holds exactly what `staging` held, or (on any failure) still nothing. `staging` is
    /// left as it was; drop it with ``dropSchema()``.
    ///
    /// This is how a log is built all or nothing: fill a store on a fresh schema (an import,
    /// whose many appends cannot be one transaction), then adopt it here in one step. The
    /// records are copied on the server, byte for byte, with their positions.
    ///
    /// The configuration's timeout bounds reaching the server, not the copy.
    ///
    /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/invalidArgument`` when
    ///   this log is not empty or `staging` is this log, ``EventStoreError/Code/serverUnavailable``
    ///   when the server cannot be reached.
    /// - Returns: the log's head afterwards.
    @discardableResult
    public func adopt(_ staging: PostgresEventStore) async throws -> LogPosition {
      guard staging.tables.schema != tables.schema else {
        throw EventStoreError(.invalidArgument, "a log cannot adopt itself")
      }
      // Reach the server within the timeout first: the copy itself is not bounded by it.
      _ = try await headPosition()
      let target = tables
      let source = staging.tables
      let channel = self.channel
      let head: Int64
      do {
        head = try await client.withConnection { connection in
          do {
            try await connection.query("BEGIN", logger: logger)
            // The target's head row first, as every writer of it takes it: no append of the
            // target can come between the check and the copy.
            var targetHead: Int64 = 0
            for try await position in try await connection.query(
              "SELECT position FROM \(unescaped: target.head) WHERE id = 1 FOR UPDATE",
              logger: logger
            ).decode(Int64.self) {
              targetHead = position
            }
            var occupied = false
            for try await value in try await connection.query(
              """
              SELECT EXISTS (SELECT 1 FROM \(unescaped: target.events))
                OR EXISTS (SELECT 1 FROM \(unescaped: target.names))
              """, logger: logger
            ).decode(Bool.self) {
              occupied = value
            }
            guard targetHead == 0, !occupied else {
              throw EventStoreError(
                .invalidArgument,
                "schema \(target.schema) already holds a log of \(targetHead) events: adopt into an empty log"
              )
            }
            // The staging log's head row too, so that it does not move while it is copied.
            var sourceHead: Int64 = 0
            var sourceTime: Int64?
            for try await (position, time) in try await connection.query(
              "SELECT position, recorded_time FROM \(unescaped: source.head) WHERE id = 1 FOR UPDATE",
              logger: logger
            ).decode((Int64, Int64?).self) {
              sourceHead = position
              sourceTime = time
            }
            let statements = [
              "INSERT INTO \(target.names) (kind, number, name) SELECT kind, number, name FROM \(source.names)",
              """
              INSERT INTO \(target.events) (position, stream, version, id, type_no, category_no, record)
              SELECT position, stream, version, id, type_no, category_no, record
              FROM \(source.events) WHERE position <= \(sourceHead)
              """,
              """
              INSERT INTO \(target.states) (key, position, bytes)
              SELECT key, position, bytes FROM \(source.states)
              ON CONFLICT (key) DO UPDATE SET position = EXCLUDED.position, bytes = EXCLUDED.bytes
              """,
              // The wrapped data keys (and tombstones) of the people the log holds data of.
              """
              INSERT INTO \(target.keys) (subject, id, wrapped)
              SELECT subject, id, wrapped FROM \(source.keys)
              ON CONFLICT (subject, id) DO NOTHING
              """,
            ]
            for statement in statements {
              try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
              """
              UPDATE \(unescaped: target.head) SET position = \(sourceHead),
              recorded_time = \(sourceTime) WHERE id = 1
              """, logger: logger)
            try await connection.query(
              "SELECT pg_notify(\(channel), \(String(sourceHead)))", logger: logger)
            try await connection.query("COMMIT", logger: logger)
            return sourceHead
          } catch {
            // Even when cancelled: a pooled connection must not stay inside this transaction.
            await Task.detached { _ = try? await connection.query("ROLLBACK", logger: logger) }
              .value
            throw error
          }
        }
      } catch {
        throw storeError(error, "adopting the log of schema \(source.schema)")
      }
      let position = LogPosition(UInt64(column: head))
      signal.publish(head: position)
      return position
    }

    /// Drops the schema that holds this log, and the log with it; the store cannot be used
    /// afterwards. For a staging log (see ``adopt(_:)``) that is no longer wanted.
    ///
    /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/foreignFile`` when the
    ///   schema holds tables other than the store's (nothing is dropped then),
    ///   ``EventStoreError/Code/serverUnavailable`` when the server cannot be reached.
    public func dropSchema() async throws {
      let tables = self.tables
      try await withConnection("dropping schema \(tables.schema)") { connection in
        do {
          try await connection.query("BEGIN", logger: logger)
          var others: [String] = []
          for try await name in try await connection.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = \(tables.schema)",
            logger: logger
          ).decode(String.self) where !Tables.allNames.contains(name) {
            others.append(name)
          }
          guard others.isEmpty else {
            throw EventStoreError(
              .foreignFile,
              "schema \(tables.schema) holds tables this library did not create (\(others.sorted().joined(separator: ", "))): not dropped"
            )
          }
          try await connection.query(
            "DROP SCHEMA IF EXISTS \(unescaped: tables.quotedSchema) CASCADE", logger: logger)
          try await connection.query("COMMIT", logger: logger)
        } catch {
          await Task.detached { _ = try? await connection.query("ROLLBACK", logger: logger) }
            .value
          throw error
        }
      }
      close()
    }
  }
#endif

#if Postgres
  extension PostgresEventStore.Configuration {
    /// Connects to the server once, outside any pool, and closes the connection: the first
    /// failure is reported as it is, at once, where a store's connection pool would go on
    /// retrying until its timeout. For a program that wants to tell a refused connection, a
    /// refused password or a missing database apart before it opens a store.
    ///
    /// Waits at most the configuration's timeout (and at most 10 seconds) for the connection.
    ///
    /// - Returns: whether the configuration's schema holds a log (the store's format table);
    ///   a store opened on a schema without one creates an empty log there.
    /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/serverUnavailable`` when
    ///   the server cannot be reached (refused, no answer), ``EventStoreError/Code/storageFailure``
    ///   with the server's message when it refuses the login or the database,
    ///   ``EventStoreError/Code/invalidArgument`` for a schema name the store does not take.
    @discardableResult
    public func checkConnection() async throws -> Bool {
      guard PostgresEventStore.isPlainIdentifier(schema) else {
        throw EventStoreError(
          .invalidArgument, "schema name \(schema.debugDescription) is not a plain identifier")
      }
      var configuration = PostgresConnection.Configuration(
        host: host, port: port, username: username, password: password, database: database,
        tls: .disable)
      let wait = Swift.min(timeout, .seconds(10)).components
      configuration.options.connectTimeout = .nanoseconds(
        wait.seconds * 1_000_000_000 + wait.attoseconds / 1_000_000_000)
      let place = "\(host):\(port)"
      let connection: PostgresConnection
      do {
        connection = try await PostgresConnection.connect(
          configuration: configuration, id: 0, logger: logger)
      } catch let error as PSQLError where error.code == .connectionError {
        throw EventStoreError(
          .serverUnavailable,
          "the server at \(place) cannot be reached: \(Self.reason(error.underlying))")
      } catch {
        throw storeError(error, "connecting to \(place)")
      }
      do {
        let format = Tables(schema: schema).format
        var exists = false
        for try await value in try await connection.query(
          "SELECT to_regclass(\(format)) IS NOT NULL", logger: logger
        ).decode(Bool.self) {
          exists = value
        }
        try? await connection.close()
        return exists
      } catch {
        try? await connection.close()
        throw storeError(error, "looking for the log in schema \(schema)")
      }
    }

    /// The system's words for why a connection failed, without NIO's type names.
    private static func reason(_ error: (any Error)?) -> String {
      guard let error else { return "no connection" }
      if let error = error as? NIOConnectionError {
        if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty {
          return "its name does not resolve"
        }
        if let first = error.connectionErrors.first {
          return reason(first.error)
        }
      }
      if let error = error as? IOError {
        return String(cString: strerror(error.errnoCode)).lowercased()
      }
      if error is ChannelError { return "no answer in time" }
      return "\(error)"
    }
  }
#endif
