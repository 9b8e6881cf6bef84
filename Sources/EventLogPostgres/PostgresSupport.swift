#if Postgres
  import EventLog
  import PostgresNIO

  extension EventStoreError.Code {
    /// The PostgreSQL server cannot be reached (stopped, restarting, or the network is down), or
    /// did not answer in time. An append that fails with this code may or may not have
    /// committed: retry it with the same event IDs, and idempotency makes the retry exact.
    public static let serverUnavailable = EventStoreError.Code("serverUnavailable")
  }

  /// Turns what postgres-nio throws into an ``EventStoreError``.
  func storeError(_ error: any Error, _ what: String) -> any Error {
    if error is EventStoreError || error is CancellationError
      || error is PostgresEventStore.ServerRefusal
    {
      return error
    }
    guard let error = error as? PSQLError else {
      return EventStoreError(.storageFailure, "\(what): \(error)")
    }
    switch error.code {
    case .server:
      let state = error.serverInfo?[.sqlState] ?? ""
      let message = error.serverInfo?[.message] ?? "server error"
      // Class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now).
      if state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" {
        return EventStoreError(.serverUnavailable, "\(what): the server is going away: \(message)")
      }
      return EventStoreError(.storageFailure, "\(what): \(message) (SQLSTATE \(state))")
    case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown,
      .poolClosed:
      return EventStoreError(
        .serverUnavailable, "\(what): the server cannot be reached (\(error.code))")
    default:
      return EventStoreError(.storageFailure, "\(what): \(error.code)")
    }
  }

  extension EventID {
    /// The ID's 16 bytes, as the events table keeps them.
    var buffer: ByteBuffer {
      var buffer = ByteBuffer()
      buffer.writeInteger(high, endianness: .big)
      buffer.writeInteger(low, endianness: .big)
      return buffer
    }

    /// The ID kept as `buffer`, `nil` unless it has 16 bytes.
    init?(buffer: ByteBuffer) {
      guard buffer.readableBytes == 16,
        let high = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt64.self),
        let low = buffer.getInteger(at: buffer.readerIndex + 8, endianness: .big, as: UInt64.self)
      else { return nil }
      self.init(high: high, low: low)
    }
  }

  extension Int64 {
    /// A log position or stream version as a `bigint` column holds it.
    init(column value: UInt64) { self.init(clamping: value) }
  }

  extension UInt64 {
    /// A `bigint` column's value as a log position or stream version (negative values, which
    /// the store never writes, read as 0).
    init(column value: Int64) { self.init(clamping: value) }
  }
#endif
