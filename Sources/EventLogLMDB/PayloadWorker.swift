import EventLog
import Foundation

/// A record whose payload is still to be checked: where it is, and its bytes in the snapshot.
struct PendingPayload {
  var position: UInt64
  var stream: Int32
  var bytes: UnsafeRawBufferPointer
}

/// A payload that did not pass: its position, stream number and what was wrong.
struct PayloadProblem {
  var position: UInt64
  var stream: Int32
  var message: String
}

/// Checks payloads on a thread of its own while the verifier goes on with the other checks:
/// the verifier hands it records in batches, in log order, and collects what it found at the
/// end (``finish()``), before its read transaction ends.
///
/// The bytes it is given are borrowed from the verifier's snapshot; the verifier keeps that
/// snapshot open until ``finish()`` has returned, so they stay valid for the whole check.
/// Everything the two threads share goes through `condition`.
final class PayloadWorker: @unchecked Sendable {
  /// Batches handed over and not yet taken; at most `maximumQueued`, so that a slow check
  /// holds back the verifier rather than a growing queue.
  private var queued: [[PendingPayload]] = []
  private var closed = false
  private var done = false
  private var found: [PayloadProblem] = []
  private let condition = NSCondition()
  private let check: @Sendable (RecordView) throws -> Void
  private let types: NameTable
  private let maximumQueued = 8

  /// How many records a batch holds.
  static let batchSize = 2048

  /// Starts the thread that runs `check` on each record handed to ``submit(_:)``.
  init(types: NameTable, check: @escaping @Sendable (RecordView) throws -> Void) {
    // A table of its own, not a copy sharing storage: each record view retains its table, and
    // two threads retaining one object would contend for its reference count on every record.
    var own = NameTable()
    for name in types.names { own.intern(name) }
    self.types = own
    self.check = check
    let thread = Thread { [self] in run() }
    thread.name = "CouncilLog verify payloads"
    thread.start()
  }

  /// Hands over a batch of records, in log order; waits while the queue is full.
  func submit(_ batch: [PendingPayload]) {
    condition.lock()
    while queued.count >= maximumQueued { condition.wait() }
    queued.append(batch)
    condition.broadcast()
    condition.unlock()
  }

  /// Waits until every batch handed over is checked; returns the payloads that did not pass,
  /// in log order. Call it once, before the records' snapshot ends.
  func finish() -> [PayloadProblem] {
    condition.lock()
    closed = true
    condition.broadcast()
    while !done { condition.wait() }
    let found = self.found
    condition.unlock()
    return found
  }

  private func run() {
    var problems: [PayloadProblem] = []
    while true {
      condition.lock()
      while queued.isEmpty && !closed { condition.wait() }
      if queued.isEmpty {
        found = problems
        done = true
        condition.broadcast()
        condition.unlock()
        return
      }
      let batch = queued.removeFirst()
      condition.broadcast()
      condition.unlock()
      for record in batch {
        if let problem = checked(record) { problems.append(problem) }
      }
    }
  }

  /// How a verification reports a payload check's error: the event type, then the error's
  /// message.
  static func describe(_ error: any Error, of view: RecordView) -> String {
    let message = (error as? EventStoreError)?.message ?? "\(error)"
    return "\(view.eventType): \(message)"
  }

  /// Runs the check on one record; `nil` when it passes.
  private func checked(_ record: PendingPayload) -> PayloadProblem? {
    let message: String
    do {
      // Its header and checksum passed the verifier's checks already.
      let view = try RecordView(
        position: LogPosition(record.position), bytes: record.bytes, types: types,
        checksum: false)
      do {
        try check(view)
        return nil
      } catch {
        message = Self.describe(error, of: view)
      }
    } catch {
      message = error.message
    }
    return PayloadProblem(position: record.position, stream: record.stream, message: message)
  }
}
