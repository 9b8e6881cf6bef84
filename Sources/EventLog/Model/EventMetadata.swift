/// What the log records about an event besides its payload: when, who, and why.
public struct EventMetadata: Hashable, Sendable, Codable {
  /// When the program says the event happened: given by the caller (``CommandHandler`` takes it
  /// from its ``EventClock``). The store's own commit time is ``RecordedEvent/recordedTime``.
  public var time: Timestamp
  /// The ID shared by every event that one request or workflow caused.
  public var correlationID: EventID?
  /// The ID of the event or command that directly caused this one.
  public var causationID: EventID?
  /// Who caused the event: an account, a process, a person; free text chosen by the caller.
  public var actor: String?
  /// Free key/value pairs, recorded in ascending key order.
  public var custom: [String: String]

  /// Creates the metadata of an event that happened at `time`; the rest is optional.
  public init(
    time: Timestamp, correlationID: EventID? = nil, causationID: EventID? = nil,
    actor: String? = nil, custom: [String: String] = [:]
  ) {
    self.time = time
    self.correlationID = correlationID
    self.causationID = causationID
    self.actor = actor
    self.custom = custom
  }
}
