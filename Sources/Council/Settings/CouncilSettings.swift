import EventLog

/// The council recorded its name and membership policy (stream `council-settings`).
public struct CouncilEstablished: CouncilEvent {
  /// `CouncilEstablished`.
  public static let eventType = "CouncilEstablished"
  /// The council's name.
  public var name: String
  /// Months in a membership term.
  public var termMonths: Int
  /// Days after a term's end during which a renewal still extends it.
  public var graceDays: Int

  /// Creates the event.
  public init(name: String, termMonths: Int, graceDays: Int) {
    self.name = name
    self.termMonths = termMonths
    self.graceDays = graceDays
  }

  /// The membership policy it sets.
  public var policy: MembershipPolicy {
    MembershipPolicy(termMonths: termMonths, graceDays: graceDays)
  }

  /// Writes the fields.
  public func encode(to writer: inout BinaryWriter) {
    writer.write(name)
    writer.write(termMonths)
    writer.write(graceDays)
  }

  /// Reads the fields.
  public init(from reader: inout BinaryReader) throws {
    self.init(
      name: try reader.read(String.self), termMonths: try reader.read(Int.self),
      graceDays: try reader.read(Int.self))
  }
}

/// Why the council's settings were refused.
public enum SettingsError: Error, Hashable, Sendable {
  /// The issuer may not issue this command.
  case notPermitted(NotPermitted)
  /// The council was established already.
  case alreadyEstablished
  /// A term must last at least a month, and the grace period cannot be negative.
  case invalidPolicy
}

/// The council's settings: established once, by the office.
public struct SettingsDecider: Decider {
  /// Creates the decider.
  public init() {}

  /// No settings yet.
  public var initialState: CouncilEstablished? { nil }

  /// Decides: establish the council.
  public func decide(_ command: (CouncilEstablished, by: Issuer), state: CouncilEstablished?)
    throws(SettingsError) -> [CouncilEstablished]
  {
    guard command.by.isOffice else {
      throw .notPermitted(NotPermitted(command.by, "establish the council", allowed: "the office"))
    }
    guard state == nil else { throw .alreadyEstablished }
    guard command.0.termMonths >= 1, command.0.graceDays >= 0 else { throw .invalidPolicy }
    return [command.0]
  }

  /// The settings.
  public func evolve(_ state: CouncilEstablished?, _ event: CouncilEstablished)
    -> CouncilEstablished?
  {
    event
  }
}
