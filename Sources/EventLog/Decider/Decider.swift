/// A domain written as pure functions: how commands become events, and how events become
/// state.
///
/// - ``initialState`` is the state of a stream with no events;
/// - ``decide(_:state:)`` looks at a command and the current state and returns the events
///   that record what happened, or throws the domain's own error to refuse it;
/// - ``evolve(_:_:)`` folds one event into the state.
///
/// Both functions are pure: no clock, no I/O, no randomness (those come in through the
/// command). A ``CommandHandler`` does the I/O around them.
///
/// ```swift
/// struct Capacity: Decider {
///   struct State: Sendable { var registered = 0; var capacity = 0 }
///   enum Command: Sendable { case open(capacity: Int), register(String) }
///   enum Failure: Error { case full }
///   var initialState: State { State() }
///
///   func decide(_ command: Command, state: State) throws(Failure) -> [CapacityEvent] {
///     switch command {
///     case .open(let capacity): return [.opened(capacity)]
///     case .register(let name):
///       guard state.registered < state.capacity else { throw .full }
///       return [.registered(name)]
///     }
///   }
///
///   func evolve(_ state: State, _ event: CapacityEvent) -> State { … }
/// }
/// ```
public protocol Decider: Sendable {
  /// What the decider knows about one stream.
  associatedtype State: Sendable
  /// What a caller asks for.
  associatedtype Command: Sendable
  /// What is recorded.
  associatedtype Event: RecordableEvent
  /// Why a command is refused: the domain's own error type.
  associatedtype Failure: Error

  /// The state of a stream that has no events.
  var initialState: State { get }

  /// The events that carry out `command` given `state`, or the domain's error refusing it.
  func decide(_ command: Command, state: State) throws(Failure) -> [Event]

  /// The state after `event`.
  func evolve(_ state: State, _ event: Event) -> State
}

extension Decider {
  /// Folds `events` into `state`, oldest first.
  public func fold<Events: Sequence<Event>>(_ events: Events, from state: State) -> State {
    events.reduce(state, evolve)
  }

  /// Folds `events` into the initial state.
  public func fold<Events: Sequence<Event>>(_ events: Events) -> State {
    fold(events, from: initialState)
  }
}

/// A decider whose state can be saved as a snapshot, so that loading a long stream starts
/// from the snapshot instead of the first event.
///
/// Bump ``snapshotVersion`` whenever the state's binary form, or the meaning of a field,
/// changes (for instance when an event gains a field that the state keeps): snapshots of
/// another version are ignored and the stream is folded from its first event.
public protocol SnapshottingDecider: Decider where State: BinaryCodable {
  /// The version of the state's snapshot form.
  var snapshotVersion: UInt32 { get }
}

extension Decider {
  /// The start of a decider test: the stream's history, before a command.
  ///
  /// ```swift
  /// #expect(
  ///   WorkshopDecider().given([.opened(capacity: 1), .registered(participant: "ana")])
  ///     .when(.register("ben")) == .failure(.full(capacity: 1)))
  /// ```
  public func given(_ history: [Event]) -> DeciderScenario<Self> {
    DeciderScenario(decider: self, history: history)
  }
}

/// Given events, when a command, then events or an error: the shape of a decider test.
public struct DeciderScenario<D: Decider> {
  /// The decider under test.
  public let decider: D
  /// The events already in the stream.
  public let history: [D.Event]

  /// The state the history folds to.
  public var state: D.State { decider.fold(history) }

  /// What the decider decides for `command` after the history: the events, or its error.
  public func when(_ command: D.Command) -> Result<[D.Event], D.Failure> {
    let state = self.state
    do {
      return .success(try decider.decide(command, state: state))
    } catch {
      return .failure(error)
    }
  }
}
