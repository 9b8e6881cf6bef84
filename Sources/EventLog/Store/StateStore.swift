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
}
