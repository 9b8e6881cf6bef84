import EventLog

/// A store that hands every call to another one: a test wraps a store in it to watch or hold up
/// its appends, and writes only `append`.
public protocol ForwardingStore: EventStore {
  /// The store the calls go to.
  var inner: any EventStore { get }
}

extension ForwardingStore {
  /// Forwards the append.
  public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
    try await inner.append(appends)
  }

  /// Forwards the read.
  public func readStream(
    _ stream: StreamName, from version: StreamVersion?, direction: ReadDirection, limit: Int
  ) async throws -> [RecordedEvent] {
    try await inner.readStream(stream, from: version, direction: direction, limit: limit)
  }

  /// Forwards the read.
  public func readLog(from position: LogPosition, limit: Int, filter: LogFilter) async throws
    -> LogPage
  {
    try await inner.readLog(from: position, limit: limit, filter: filter)
  }

  /// Forwards the scan.
  public func scanLog(
    from position: LogPosition, limit: Int, filter: LogFilter, _ body: (RecordView) throws -> Void
  ) async throws -> LogPosition {
    try await inner.scanLog(from: position, limit: limit, filter: filter, body)
  }

  /// Forwards the question.
  public func currentVersion(of stream: StreamName) async throws -> StreamVersion? {
    try await inner.currentVersion(of: stream)
  }

  /// Forwards the question.
  public func headPosition() async throws -> LogPosition { try await inner.headPosition() }

  /// Forwards the wait.
  public func waitForAppends(after position: LogPosition) async {
    await inner.waitForAppends(after: position)
  }
}
