import EventLog
import EventLogTestSupport
import Testing

// The Deciders and Projections article's decider and its test, as written there (the article
// leaves out the other commands and `evolve`: its `…`). The test domain's own decider
// (Support/Workshop.swift) snapshots; this one is the plain decider the article shows.
enum DeciderSample {
  // sample: decider
  struct WorkshopDecider: Decider {
    var initialState: WorkshopState { WorkshopState() }

    func decide(_ command: WorkshopCommand, state: WorkshopState) throws(WorkshopFailure)
      -> [WorkshopEvent]
    {
      switch command {
      case .register(let name):
        guard let capacity = state.capacity else { throw .notOpen }
        guard state.participants.count < capacity else { throw .full(capacity: capacity) }
        return [.registered(participant: name)]
      // …
      case .open(let capacity):
        guard state.capacity == nil else { throw .alreadyOpen }
        return [.opened(capacity: capacity)]
      case .cancel(let name):
        guard state.participants.contains(name) else { throw .notRegistered(name) }
        return [.cancelled(participant: name)]
      }
    }

    func evolve(_ state: WorkshopState, _ event: WorkshopEvent) -> WorkshopState {
      var state = state
      switch event {
      case .opened(let capacity): state.capacity = capacity
      case .registered(let name): state.participants.append(name)
      case .cancelled(let name): state.participants.removeAll { $0 == name }
      }
      return state
    }
  }
  // end sample
}

@Test("the Deciders and Projections article's decider refuses a full workshop, as it says")
func deciderSample() {
  typealias WorkshopDecider = DeciderSample.WorkshopDecider
  // sample: decider-test
  #expect(
    WorkshopDecider().given([.opened(capacity: 1), .registered(participant: "ana")])
      .when(.register("ben")) == .failure(.full(capacity: 1)))
  // end sample
  #expect(
    WorkshopDecider().given([.opened(capacity: 2)]).when(.register("ben"))
      == .success([.registered(participant: "ben")]))
}
