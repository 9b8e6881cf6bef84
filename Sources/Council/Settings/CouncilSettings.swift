import EventLog
import EventLogMacros

/// The council recorded its name and membership policy (stream `council-settings`).
@BinaryEvent
public struct CouncilEstablished: CouncilEvent {
  /// The council's name.
  public var name: String
  /// Months in a membership term.
  public var termMonths: Int
  /// Days after a term's end during which a renewal still extends it.
  public var graceDays: Int

  /// The membership policy it sets.
  public var policy: MembershipPolicy {
    MembershipPolicy(termMonths: termMonths, graceDays: graceDays)
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
  /// The decider keeps nothing between calls: one value serves every stream.
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

  /// Replaces the state with the event: the settings are the one ``CouncilEstablished``, appended once.
  public func evolve(_ state: CouncilEstablished?, _ event: CouncilEstablished)
    -> CouncilEstablished?
  {
    event
  }
}
