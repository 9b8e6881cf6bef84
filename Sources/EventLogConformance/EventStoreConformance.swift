import EventLog

/// The checks every ``EventStore`` must pass, shipped as a library so that any store (LMDB,
/// memory, or one written elsewhere) runs the same suite — the way FluentKit ships
/// FluentBenchmark for its drivers.
///
/// The suite needs no test framework: each check throws ``ConformanceFailure`` when the store
/// misbehaves. Run it from a test, one check per test case:
///
/// ```swift
/// import EventLogConformance
/// import Testing
///
/// @Test(arguments: EventStoreConformance.Check.allCases)
/// func conformance(_ check: EventStoreConformance.Check) async throws {
///   let suite = EventStoreConformance { body in
///     try await body(InMemoryEventStore())
///   }
///   try await suite.run(check)
/// }
/// ```
public struct EventStoreConformance: Sendable {
  /// Gives a check a fresh, empty store and tears it down afterwards.
  public typealias StoreProvider =
    @Sendable (_ body: @Sendable (any EventStore) async throws -> Void) async throws -> Void

  /// One guarantee of ``EventStore``.
  public enum Check: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Positions start at 1, increase by one per event and have no gaps; the head follows.
    case gaplessPositions
    /// `.any` appends whatever the version.
    case expectedVersionAny
    /// `.noStream` appends only to a stream that does not exist.
    case expectedVersionNoStream
    /// `.streamExists` appends only to a stream that exists.
    case expectedVersionStreamExists
    /// `.exactly(n)` appends only at version n, and a conflict carries stream, expected and
    /// actual version, and writes nothing.
    case expectedVersionExactly
    /// Appending the same event IDs again at the same place returns the first result and
    /// writes nothing.
    case idempotentRetry
    /// Event IDs recorded elsewhere, or partly recorded, are refused and nothing is written.
    case duplicateEventIDsRefused
    /// An append to several streams is all or nothing: one failing stream leaves every other
    /// untouched.
    case multiStreamAtomicity
    /// A stream written by more than one append of a batch (A, B, A): each of its appends is
    /// checked against the version the ones before it in the batch leave, its events follow
    /// theirs, a wrong expectation refuses the whole batch, and the batch appended again
    /// returns the same results.
    case streamWrittenTwiceInABatch
    /// Reading a stream forwards and backwards, in pages, from any version.
    case streamPaging
    /// Reading the whole log in pages, filtered by category and by event type.
    case logPagingAndFilters
    /// Scanning borrowed records gives the same events as reading them.
    case scanMatchesRead
    /// Every field of an event and its metadata comes back as it was appended.
    case roundTrip
    /// Bad arguments are refused with ``EventStoreError/Code/invalidArgument``.
    case invalidArguments
    /// Following catches up, then delivers new events live, in order, with no gap or
    /// duplicate; with a filter, only matching events.
    case followLive
    /// 100 concurrent appenders to one stream with exact expected versions: exactly one
    /// winner per version, no duplicates, no gaps.
    case concurrentAppenders
    /// Recorded times never run backwards along the log, with many concurrent appenders and
    /// whatever times the events carry in their metadata; a copied event whose recorded time
    /// is earlier than the log's last is refused with ``EventStoreError/Code/timeOrder`` and
    /// writes nothing.
    case recordedTimeOrder
    /// A condition (an append with no events) is checked with the rest of its batch: met, the
    /// other appends happen and its result is the empty range after the stream's version;
    /// broken (`.exactly`, `.noStream`, `.streamExists`), the batch throws
    /// ``EventStoreError/Code/wrongExpectedVersion`` naming the condition's stream and writes
    /// nothing; a condition on a stream the batch also writes is refused with
    /// ``EventStoreError/Code/invalidArgument``.
    case appendConditions
    /// A batch of conditions only checks them all and appends nothing.
    case conditionOnlyBatch
    /// Concurrent appends conditioned on a stream that other tasks keep writing: each one
    /// that succeeds was committed while the stream was at the version it required.
    case concurrentConditions

    /// The check's name.
    public var description: String { rawValue }
  }

  let provider: StoreProvider

  /// Creates the suite for the stores that `provider` makes.
  public init(_ provider: @escaping StoreProvider) {
    self.provider = provider
  }

  /// Runs one check on a fresh store.
  ///
  /// - Throws: ``ConformanceFailure`` when the store does not behave, or whatever the store
  ///   throws unexpectedly.
  public func run(_ check: Check) async throws {
    try await provider { store in
      try await Checks(store: store, check: check).run()
    }
  }

  /// Runs every check, each on a fresh store.
  public func runAll() async throws {
    for check in Check.allCases { try await run(check) }
  }
}

/// A store that broke a guarantee: which check, what was expected, and where in the suite.
public struct ConformanceFailure: Error, CustomStringConvertible {
  /// The check that failed.
  public var check: EventStoreConformance.Check
  /// What went wrong.
  public var message: String
  /// The suite's source line that found it.
  public var line: UInt

  /// The failure as one line.
  public var description: String { "\(check) (line \(line)): \(message)" }
}
