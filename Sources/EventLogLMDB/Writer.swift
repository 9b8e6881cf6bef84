import CLMDB
import CLMDBGuard
import Dispatch
import EventLog
import Foundation
import Synchronization

/// The single writer of an environment: a dedicated thread that commits appends in groups.
///
/// Appends from any number of tasks queue here. The thread takes every append waiting, runs
/// them in one write transaction, and commits once: one `fsync` for the whole group (group
/// commit). When one is refused, the group runs again with each append in its own nested
/// transaction, so that one append's conflict does not undo another's.
/// The write transaction begins and commits inside one synchronous call on this thread, never
/// across an `await`.
final class Writer: @unchecked Sendable {
  /// What one request asks the writer to do.
  enum Operation {
    /// Append, with the shared semantics of ``AppendTransaction/perform(_:now:repeats:)``; the
    /// appends are validated already, and `repeats` is what their validation returned.
    case append([StreamAppend], repeats: Bool)
    /// Save (or, with `nil`, delete) a derived state.
    case state(key: String, StoredState?)
    case storeKeys([WrappedDataKey])
    case destroyKeys(DataSubject)
  }

  typealias Outcome = Result<[AppendResult], EventStoreError>

  private struct Request {
    var operation: Operation
    var continuation: CheckedContinuation<Outcome, Never>
  }

  private struct Queue {
    var requests: [Request] = []
    var closed = false
    /// How many queued requests wake the writer: 0 while it is not waiting (a submit then
    /// does not signal), 1 while it waits for work, more while it gathers a group. Signalling
    /// only then spares the writer a wake-up (a context switch) for every submit of a group.
    var wakeAt = 0
  }

  private let environment: Environment
  private let queue = Mutex(Queue())
  private let wake = DispatchSemaphore(value: 0)
  private let finished = DispatchSemaphore(value: 0)
  private let published: @Sendable (LogPosition) -> Void
  /// The inline projections folded into every append.
  private let inlines = Mutex<[any InlineUpdater]>([])
  /// The most appends committed in one group.
  private let maximumGroup = 1024

  /// Stamps each commit's recorded time.
  private let clock: EventClock

  init(
    environment: Environment, clock: EventClock,
    published: @escaping @Sendable (LogPosition) -> Void
  ) {
    self.environment = environment
    self.clock = clock
    self.published = published
    let thread = Thread { [self] in run() }
    thread.name = "CouncilLog LMDB writer"
    thread.start()
  }

  /// Queues an operation and waits for its group to commit.
  func submit(_ operation: Operation) async -> Outcome {
    await withCheckedContinuation { continuation in
      let (accepted, wakes) = queue.withLock { queue -> (Bool, Bool) in
        guard !queue.closed else { return (false, false) }
        queue.requests.append(Request(operation: operation, continuation: continuation))
        guard queue.wakeAt > 0, queue.requests.count >= queue.wakeAt else { return (true, false) }
        queue.wakeAt = 0
        return (true, true)
      }
      if wakes { wake.signal() }
      if !accepted {
        continuation.resume(
          returning: .failure(
            EventStoreError(.closed, "the store is closed", path: environment.path)))
      }
    }
  }

  /// Adds an inline projection to the write path.
  func addInline(_ inline: any InlineUpdater) {
    inlines.withLock { $0.append(inline) }
  }

  /// Stops accepting appends, commits those already queued, and ends the thread.
  func close() {
    let first = queue.withLock { queue -> Bool in
      defer { queue.closed = true }
      return !queue.closed
    }
    guard first else { return }
    wake.signal()
    finished.wait()
  }

  private func run() {
    // How many callers the last commit released, and how long that commit took: the callers
    // of a busy service append again as soon as they are released, so the writer waits a
    // little (at most half a commit) for them to come back before it commits what is queued.
    // Without this, each commit carried whoever happened to be queued (often one append) while
    // the others were still on their way, and concurrent callers gained little from sharing
    // a sync.
    var released = 0
    var lastCommit: UInt64 = 0
    while true {
      if released > 1 { waitUntil(queued: released, atMost: min(lastCommit / 2, 1_000_000)) }
      let (group, closed) = queue.withLock { queue -> ([Request], Bool) in
        let count = min(queue.requests.count, maximumGroup)
        let group = Array(queue.requests.prefix(count))
        queue.requests.removeFirst(count)
        return (group, queue.closed)
      }
      if group.isEmpty {
        if closed {
          finished.signal()
          return
        }
        waitUntil(queued: 1, atMost: nil)
        continue
      }
      let started = DispatchTime.now().uptimeNanoseconds
      process(group)
      lastCommit = DispatchTime.now().uptimeNanoseconds - started
      released = group.count
    }
  }

  /// Waits until `count` requests are queued or the store closes, or, given a limit, until
  /// `nanoseconds` pass.
  ///
  /// The submit that makes the queue `count` long signals `wake` once; the others do not. A
  /// signal left over from a wait that timed out only ends a later wait early: every wait
  /// checks the queue again before it returns.
  private func waitUntil(queued count: Int, atMost nanoseconds: UInt64?) {
    let deadline = nanoseconds.map { DispatchTime.now() + .nanoseconds(Int($0)) }
    while true {
      let ready = queue.withLock { queue -> Bool in
        if queue.requests.count >= count || queue.closed {
          queue.wakeAt = 0
          return true
        }
        queue.wakeAt = count
        return false
      }
      if ready { return }
      if let deadline {
        if wake.wait(timeout: deadline) == .timedOut {
          queue.withLock { $0.wakeAt = 0 }
          return
        }
      } else {
        wake.wait()
      }
    }
  }

  private func process(_ group: [Request]) {
    while true {
      do throws(EventStoreError) {
        let (outcomes, head) = try commit(group.map(\.operation))
        for (request, outcome) in zip(group, outcomes) {
          request.continuation.resume(returning: outcome)
        }
        if let head { published(head) }
        return
      } catch let error where error.code == .mapFull {
        do {
          try environment.growMap()
        } catch {
          fail(group, error)
          return
        }
      } catch let error where error.code == .mapResized {
        do {
          try environment.adoptMapSize()
        } catch {
          fail(group, error)
          return
        }
      } catch {
        fail(group, error)
        return
      }
    }
  }

  /// Folds the transaction's new records into each inline projection and saves each model
  /// with its checkpoint in the same transaction.
  private func stage(
    _ inlines: [any InlineUpdater], after previous: [ObjectIdentifier: StagedInline],
    in transaction: WriteTransaction
  ) throws(EventStoreError) -> [ObjectIdentifier: StagedInline] {
    var models: [ObjectIdentifier: StagedInline] = [:]
    for inline in inlines {
      let model: StagedInline
      do {
        model = try inline.stage(after: previous[ObjectIdentifier(inline)]) { from, body in
          try forEachRecord(
            transaction.txn, transaction.dbs.events, bounds: environment.bounds, from: from
          ) {
            position, bytes in
            try body(RecordView(position: position, bytes: bytes, types: transaction.names.types))
            return true
          }
        }
      } catch let error as EventStoreError {
        throw error
      } catch {
        throw EventStoreError(
          .corruptRecord, "inline projection \(inline.stateKey) failed: \(error)")
      }
      try transaction.putState(
        StoredState(position: model.checkpoint.rawValue, bytes: model.bytes), for: inline.stateKey)
      models[ObjectIdentifier(inline)] = model
    }
    return models
  }

  private func fail(_ group: [Request], _ error: EventStoreError) {
    var error = error
    // LMDB reports a write cut short by a full disk as an I/O error.
    if error.code == .storageFailure, diskIsFull(at: environment.path) {
      error.code = .storageFull
      error.message += " (the disk is full)"
    }
    for request in group { request.continuation.resume(returning: .failure(error)) }
  }

  /// Runs the requests in one write transaction and commits it.
  ///
  /// Most groups have no refusal in them: they run straight in the write transaction. When a
  /// request is refused (a version conflict, an event ID given twice, …), that transaction is
  /// dropped and the group runs again with each request in a nested transaction of its own, so
  /// that the refusal undoes only its own request. (A nested transaction costs LMDB a list of
  /// dirty pages of its own, allocated and merged for each request.)
  ///
  /// Throws only what must undo the whole group (map full, map resized, a failed commit);
  /// a request's own refusal is its outcome.
  private func commit(_ requests: [Operation]) throws(EventStoreError)
    -> ([Outcome], LogPosition?)
  {
    let refusal: EventStoreError
    switch try commit(requests, nested: false) {
    case .committed(let outcomes, let head): return (outcomes, head)
    case .refused(let error): refusal = error
    }
    guard environment.writeMap else {
      guard case .committed(let outcomes, let head) = try commit(requests, nested: true) else {
        throw EventStoreError(.storageFailure, "a group of appends was refused as a whole")
      }
      return (outcomes, head)
    }
    // LMDB has no nested transactions in a map written in place: each request then runs in
    // a write transaction of its own.
    if requests.count == 1 { return ([.failure(refusal)], nil) }
    var outcomes: [Outcome] = []
    var head: LogPosition?
    for request in requests {
      switch try commit([request], nested: false) {
      case .committed(let done, let newHead):
        outcomes += done
        head = newHead ?? head
      case .refused(let error):
        outcomes.append(.failure(error))
      }
    }
    return (outcomes, head)
  }

  /// What running a group in one write transaction came to.
  private enum GroupRun {
    /// Committed, with each request's outcome and the log's head after its appends (`nil`
    /// when it appended nothing).
    case committed([Outcome], LogPosition?)
    /// Not nested, a request was refused (this error) and nothing was committed.
    case refused(EventStoreError)
  }

  /// Runs the requests in one write transaction, each in a nested transaction if `nested`,
  /// and commits it. Not nested, it stops (committing nothing) at the first request refused.
  private func commit(_ requests: [Operation], nested: Bool) throws(EventStoreError) -> GroupRun {
    try environment.lock.withReadLock { () throws(EventStoreError) in
      guard let env = environment.env else {
        throw EventStoreError(.closed, "the store is closed", path: environment.path)
      }
      var txn: OpaquePointer?
      try check(mdb_txn_begin(env, nil, 0, &txn), "beginning a write transaction")
      var committed = false
      defer { if !committed { mdb_txn_abort(txn) } }

      var names = environment.names.withLock { $0 }
      // Where the group's last append left the log: the next one starts there.
      var tail: (position: LogPosition, recordedTime: Timestamp)?
      try environment.loadNames(txn, into: &names)
      // One time for the whole group: the time of its commit.
      let now = clock.now()
      let inlines = self.inlines.withLock { $0 }
      var staged: [ObjectIdentifier: StagedInline] = [:]
      var outcomes: [Outcome] = []
      outcomes.reserveCapacity(requests.count)
      var head: LogPosition?
      for operation in requests {
        var child = txn
        if nested {
          try check(mdb_txn_begin(env, txn, 0, &child), "beginning a nested transaction")
        }
        var transaction = WriteTransaction(
          txn: child, dbs: environment.dbs, names: names, tail: tail)
        do throws(EventStoreError) {
          var results: [AppendResult] = []
          switch operation {
          case .append(let appends, let repeats):
            let (appended, newHead) = try transaction.perform(appends, now: now, repeats: repeats)
            results = appended
            let models = try stage(inlines, after: staged, in: transaction)
            head = newHead
            staged.merge(models) { $1 }
          case .state(let key, let state):
            try transaction.putState(state, for: key)
          case .storeKeys(let keys):
            try transaction.putDataKeys(keys)
          case .destroyKeys(let subject):
            try transaction.destroyDataKeys(of: subject)
          }
          if nested {
            let rc = clmdb_txn_commit(child)  // frees `child` whatever it returns
            try check(rc, "committing a nested transaction")
          }
          names = transaction.names
          tail = transaction.tail
          outcomes.append(.success(results))
        } catch let error
          where error.code == .mapFull || error.code == .storageFailure
          || error.code == .storageFull || error.code == .corruptRecord
        {
          // The nested commit may already have freed `child`; aborting the parent frees the rest.
          // A damaged page (or an LMDB call interrupted by the fault guard) undoes the whole
          // group: nothing of a transaction that met damage is committed.
          throw error
        } catch {
          // Not nested, the refusal may have left part of its request written: drop it all.
          guard nested else { return .refused(error) }
          mdb_txn_abort(child)
          outcomes.append(.failure(error))
        }
      }
      try CommitMarker.write(txn, environment.dbs)
      committed = true
      try check(clmdb_txn_commit(txn), "committing appends")
      for inline in inlines {
        if let model = staged[ObjectIdentifier(inline)] { inline.publish(model) }
      }
      environment.names.withLock { shared in
        if names.types.names.count >= shared.types.names.count
          && names.categories.names.count >= shared.categories.names.count
        {
          shared = names
        }
      }
      return .committed(outcomes, head)
    }
  }
}
