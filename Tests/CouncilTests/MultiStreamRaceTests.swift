import Council
import CouncilSamples
import EventLog
import EventLogLMDB
import EventLogTestSupport
import Synchronization
import Testing

/// A council store that can hold appends at a barrier until a number of them arrived (so that
/// concurrent commands have all read before any appends), or run a hook once before the next
/// append (another writer between a command's reads and its append), and that counts the
/// appends refused with a conflict.
final class RacingStore: ForwardingStore, StateStore {
  private struct Gate {
    var parties = 0
    var waiting: [CheckedContinuation<Void, Never>] = []
  }

  let states: any EventStore & StateStore
  var inner: any EventStore { states }
  private let gate = Mutex(Gate())
  private let hook = Mutex<(@Sendable () async throws -> Void)?>(nil)
  /// The appends refused with ``EventStoreError/Code/wrongExpectedVersion``.
  let conflicts = Mutex<[EventStoreError]>([])

  init(_ inner: any EventStore & StateStore) { self.states = inner }

  /// Holds the next `parties` appends until all of them arrived, then lets them go together.
  func arm(parties: Int) { gate.withLock { $0 = Gate(parties: parties) } }

  /// Runs `body` once, before the next append goes on.
  func beforeNextAppend(_ body: @escaping @Sendable () async throws -> Void) {
    hook.withLock { $0 = body }
  }

  func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
    if let body = hook.withLock({ hook in
      defer { hook = nil }
      return hook
    }) {
      try await body()
    }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let released = gate.withLock { gate -> [CheckedContinuation<Void, Never>] in
        guard gate.parties > 0 else { return [continuation] }
        gate.waiting.append(continuation)
        guard gate.waiting.count == gate.parties else { return [] }
        defer { gate = Gate() }
        return gate.waiting
      }
      for waiting in released { waiting.resume() }
    }
    do {
      return try await inner.append(appends)
    } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
      conflicts.withLock { $0.append(error) }
      throw error
    }
  }

  func loadState(_ key: String) async throws -> StoredState? { try await states.loadState(key) }

  func saveState(_ state: StoredState, for key: String) async throws {
    try await states.saveState(state, for: key)
  }

  func deleteState(_ key: String) async throws { try await states.deleteState(key) }
}

/// Where a race runs: in memory, or in an LMDB log in a directory of the test's own.
enum RaceStore: String, CaseIterable, Sendable {
  case memory, lmdb

  func withCouncil(_ label: String = #function, _ body: (Council, RacingStore) async throws -> Void)
    async throws
  {
    let directory = TemporaryDirectory(label)
    let inner: any EventStore & StateStore
    var lmdb: LMDBEventStore?
    switch self {
    case .memory:
      inner = InMemoryEventStore()
    case .lmdb:
      let store = try LMDBEventStore(
        path: directory.appending("log"), options: .init(durability: .noSync))
      lmdb = store
      inner = store
    }
    let store = RacingStore(inner)
    let clock = EventClock.fixed(Day(2018, 9, 1).start)
    // The racing wrapper keeps no keys: the inner store's keep them.
    let council = Council(
      store: store, clock: clock, ids: .timeOrdered(clock: clock),
      protector: Council.defaultProtector(for: inner))
    try await CouncilSetup.recordSeedCouncil(in: council)
    try await council.apply("42", profile: profile, on: Day(2018, 1, 10), by: .office)
    try await council.approve(
      "42", administrator: .init(account: "a-42", name: "FCJ", email: "office@fcj.example"),
      on: Day(2018, 2, 1), by: .office)
    try await body(council, store)
    lmdb?.close()
  }
}

@Suite("Races between commands over several streams")
struct MultiStreamRaceTests {
  /// Runs `first` and `second` concurrently; each one's error, or `nil` when it succeeded.
  func race(
    _ first: @escaping @Sendable () async throws -> Void,
    _ second: @escaping @Sendable () async throws -> Void
  ) async -> [(any Error)?] {
    await withTaskGroup(of: (Int, (any Error)?).self) { group in
      for (index, command) in [first, second].enumerated() {
        group.addTask {
          do {
            try await command()
            return (index, nil)
          } catch {
            return (index, error)
          }
        }
      }
      var outcomes: [(any Error)?] = [nil, nil]
      for await (index, error) in group { outcomes[index] = error }
      return outcomes
    }
  }

  @Test(arguments: RaceStore.allCases)
  func twoApprovalsThatTogetherExceedTheBudget(_ kind: RaceStore) async throws {
    try await kind.withCouncil { council, store in
      try await council.setBudget(
        of: "amina-malko", for: "fall-2018", amount: 200_000, by: .office)
      for id in ["app-1", "app-2"] {
        var application = submission
        application.application = ApplicationID(id)
        try await council.submit(application, by: admin)
      }
      // Both read the fund with 200 000 left before either appends 120 000.
      store.arm(parties: 2)
      let outcomes = await race(
        {
          try await council.approveApplication("app-1", amount: 120_000, reason: "ok", by: .office)
        },
        {
          try await council.approveApplication("app-2", amount: 120_000, reason: "ok", by: .office)
        })
      let winners = outcomes.indices.filter { outcomes[$0] == nil }
      #expect(winners.count == 1, "exactly one approval fits the budget")
      // The other was refused by the store (its fund version was stale), decided again on
      // the fund as the winner left it, and was refused for the budget.
      let conflicts = store.conflicts.withLock { $0 }
      #expect(conflicts.count == 1)
      #expect(conflicts.first?.stream == Streams.fund("amina-malko"))
      for case let failure? in outcomes {
        #expect(failure as? FundError == .exceedsBudget(requested: 120_000, remaining: 80_000))
      }
      guard let winner = winners.first else { return }
      let loser = 1 - winner
      #expect(try await council.application(ApplicationID("app-\(winner + 1)")).status == .approved)
      #expect(try await council.application(ApplicationID("app-\(loser + 1)")).status == .submitted)
      #expect(try await council.fund("amina-malko").remaining(for: "fall-2018") == 80_000)
    }
  }

  @Test(arguments: RaceStore.allCases)
  func twoAccountsReservingOneAddress(_ kind: RaceStore) async throws {
    try await kind.withCouncil { council, store in
      // Both find the address free before either reserves it.
      store.arm(parties: 2)
      let outcomes = await race(
        {
          try await council.createIndividualAccount(
            "i-1", member: "42", name: "Ana", email: "shared@fcj.example", role: .staff,
            by: admin)
        },
        {
          try await council.createIndividualAccount(
            "i-2", member: "42", name: "Ben", email: "Shared@FCJ.example ", role: .staff,
            by: admin)
        })
      let winners = outcomes.indices.filter { outcomes[$0] == nil }
      #expect(winners.count == 1, "exactly one account holds the address")
      let conflicts = store.conflicts.withLock { $0 }
      #expect(conflicts.count == 1)
      #expect(conflicts.first?.stream == Streams.email("shared@fcj.example"))
      for case let failure? in outcomes {
        #expect(failure as? AccountError == .emailInUse("shared@fcj.example"))
      }
      let reservations = try await store.readStream(Streams.email("shared@fcj.example"))
      #expect(reservations.count == 1)
      guard let winner = winners.first else { return }
      #expect(try await council.account(AccountID("i-\(2 - winner)")).account == nil)
    }
  }

  @Test(arguments: RaceStore.allCases)
  func aMemberWithdrawnBetweenTheReadAndTheAppendGetsNoNewAccount(_ kind: RaceStore)
    async throws
  {
    try await kind.withCouncil { council, store in
      // The member's stream is read for its standing but not written: it is a condition.
      store.beforeNextAppend {
        try await council.withdraw("42", reason: "merged", by: .office)
      }
      await #expect(throws: AccountError.memberNotInGoodStanding("42")) {
        try await council.createIndividualAccount(
          "i-1", member: "42", name: "Ana", email: "ana@fcj.example", role: .staff, by: admin)
      }
      let conflicts = store.conflicts.withLock { $0 }
      #expect(conflicts.count == 1)
      #expect(conflicts.first?.stream == Streams.member("42"))
      let account = try await store.currentVersion(of: Streams.account("i-1"))
      let reservation = try await store.currentVersion(of: Streams.email("ana@fcj.example"))
      #expect(account == nil, "no account created")
      #expect(reservation == nil, "no address reserved")
    }
  }
}
