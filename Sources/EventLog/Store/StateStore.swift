/// A value kept beside the log together with the log position (or stream version) it was
/// computed at: a projection's read model with its checkpoint, or a stream's snapshot.
public struct StoredState: Sendable, Hashable {
  /// For a projection, the position of the last event folded in; for a snapshot, the stream
  /// version it reflects.
  public var position: UInt64
  /// The encoded state.
  public var bytes: [UInt8]

  /// `position` is a log position for a projection's state, a stream version for a snapshot.
  public init(position: UInt64, bytes: [UInt8]) {
    self.position = position
    self.bytes = bytes
  }
}

/// Storage for values derived from the log: projection states with their checkpoints, and
/// snapshots of long streams.
///
/// A state and its position are saved in one atomic write, so a reader never sees a state
/// with another state's checkpoint, and a crash leaves either the old pair or the new one.
public protocol StateStore: Sendable {
  /// The state saved under `key`, if any.
  func loadState(_ key: String) async throws -> StoredState?

  /// Saves `state` under `key`, replacing what was there, atomically.
  func saveState(_ state: StoredState, for key: String) async throws

  /// Removes the state saved under `key`, if any.
  func deleteState(_ key: String) async throws

  /// Calls `body` with the position and the bytes of the state saved under `key`, lent for the
  /// call only; `nil` when there is none.
  ///
  /// A store that maps its file (LMDB) lends the bytes where they lie, so that a reader that
  /// needs part of a large state does not copy all of it (see `KeptDirectory` in `Council`).
  /// The default loads the state (``loadState(_:)``) and lends its copy. `body` runs
  /// synchronously, inside the store's read: it must not keep the buffer.
  ///
  /// - Throws: the store's errors, and whatever `body` throws, unchanged.
  func withState<Result>(
    _ key: String, _ body: (_ position: UInt64, _ bytes: UnsafeRawBufferPointer) throws -> Result
  ) async throws -> Result?
}

extension StateStore {
  /// Lends a copy: ``loadState(_:)``'s bytes; see ``StateStore/withState(_:_:)-(String,_)``.
  public func withState<Result>(
    _ key: String, _ body: (_ position: UInt64, _ bytes: UnsafeRawBufferPointer) throws -> Result
  ) async throws -> Result? {
    guard let state = try await loadState(key) else { return nil }
    return try state.bytes.withUnsafeBytes { try body(state.position, $0) }
  }
}
