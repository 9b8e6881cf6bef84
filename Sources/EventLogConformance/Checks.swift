import EventLog
import Synchronization

struct Checks {
  let store: any EventStore
  let check: EventStoreConformance.Check
  private let clock = EventClock.stepping(from: Timestamp(year: 2018, month: 6, day: 7))

  init(store: any EventStore, check: EventStoreConformance.Check) {
    self.store = store
    self.check = check
  }

  func run() async throws {
    switch check {
    case .gaplessPositions: try await gaplessPositions()
    case .expectedVersionAny: try await expectedVersionAny()
    case .expectedVersionNoStream: try await expectedVersionNoStream()
    case .expectedVersionStreamExists: try await expectedVersionStreamExists()
    case .expectedVersionExactly: try await expectedVersionExactly()
    case .idempotentRetry: try await idempotentRetry()
    case .duplicateEventIDsRefused: try await duplicateEventIDsRefused()
    case .multiStreamAtomicity: try await multiStreamAtomicity()
    case .streamWrittenTwiceInABatch: try await streamWrittenTwiceInABatch()
    case .streamPaging: try await streamPaging()
    case .logPagingAndFilters: try await logPagingAndFilters()
    case .scanMatchesRead: try await scanMatchesRead()
    case .roundTrip: try await roundTrip()
    case .invalidArguments: try await invalidArguments()
    case .followLive: try await followLive()
    case .concurrentAppenders: try await concurrentAppenders()
    case .recordedTimeOrder: try await recordedTimeOrder()
    case .appendConditions: try await appendConditions()
    case .conditionOnlyBatch: try await conditionOnlyBatch()
    case .concurrentConditions: try await concurrentConditions()
    }
  }

  // MARK: - Helpers

  func fail(_ message: String, line: UInt = #line) -> ConformanceFailure {
    ConformanceFailure(check: check, message: message, line: line)
  }

  func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) throws {
    if !condition { throw fail(message(), line: line) }
  }

  func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String, line: UInt = #line)
    throws
  {
    if actual != expected { throw fail("\(what): got \(actual), expected \(expected)", line: line) }
  }

  /// Runs `body` and returns the ``EventStoreError`` it throws, failing if it throws nothing.
  func expectError(
    _ code: EventStoreError.Code, line: UInt = #line, _ body: () async throws -> Void
  ) async throws -> EventStoreError {
    do {
      try await body()
    } catch let error as EventStoreError {
      if error.code == code { return error }
      throw fail("expected \(code), got \(error)", line: line)
    }
    throw fail("expected \(code), but nothing was thrown", line: line)
  }

  func event(_ type: String = "Tested", _ payload: [UInt8] = [1, 2, 3]) -> EventData {
    EventData(
      id: .random(), eventType: type, encoding: .binary, payload: payload,
      metadata: EventMetadata(time: clock.now()))
  }

  func events(_ count: Int, type: String = "Tested") -> [EventData] {
    (0..<count).map { event(type, [UInt8(truncatingIfNeeded: $0)]) }
  }

  func readAll(filter: LogFilter = .all, pageSize: Int = 1000) async throws -> [RecordedEvent] {
    var all: [RecordedEvent] = []
    var next = LogPosition.first
    while true {
      let page = try await store.readLog(from: next, limit: pageSize, filter: filter)
      all += page.events
      try expect(page.nextPosition >= next, "a page went backwards")
      if page.events.isEmpty { return all }
      next = page.nextPosition
    }
  }

  /// The log is 1…head without gaps, and each stream's versions are 1…n without gaps.
  func expectConsistentLog() async throws {
    let all = try await readAll()
    let head = try await store.headPosition()
    try expectEqual(UInt64(all.count), head.rawValue, "events in the log vs head")
    var versions: [StreamName: UInt64] = [:]
    var ids = Set<EventID>()
    for (index, event) in all.enumerated() {
      try expectEqual(event.position.rawValue, UInt64(index + 1), "position of event \(index + 1)")
      let expected = (versions[event.stream] ?? 0) + 1
      try expectEqual(event.version.rawValue, expected, "version in \(event.stream)")
      versions[event.stream] = expected
      try expect(ids.insert(event.id).inserted, "event \(event.id) appears twice")
    }
    for (stream, version) in versions {
      let current = try await store.currentVersion(of: stream)
      try expectEqual(current, StreamVersion(version), "current version of \(stream)")
    }
  }

  // MARK: - Checks

  func gaplessPositions() async throws {
    try expectEqual(try await store.headPosition(), .start, "head of an empty log")
    try expectEqual(try await store.currentVersion(of: "a-1"), nil, "version of a missing stream")
    let first = try await store.append(events(3), to: "a-1", expectedVersion: .noStream)
    try expectEqual(first.firstPosition, 1, "first position")
    try expectEqual(first.lastPosition, 3, "last position")
    try expectEqual(first.firstVersion, 1, "first version")
    try expectEqual(first.lastVersion, 3, "last version")
    let second = try await store.append(events(2), to: "b-1", expectedVersion: .any)
    try expectEqual(second.firstPosition, 4, "positions continue across streams")
    let third = try await store.append(events(1), to: "a-1", expectedVersion: .exactly(3))
    try expectEqual(third.firstPosition, 6, "position after two streams")
    try expectEqual(third.firstVersion, 4, "the stream's version continues")
    try expectEqual(try await store.headPosition(), 6, "head")
    try await expectConsistentLog()
  }

  func expectedVersionAny() async throws {
    try await store.append(events(1), to: "a-1", expectedVersion: .any)
    let result = try await store.append(events(2), to: "a-1", expectedVersion: .any)
    try expectEqual(result.lastVersion, 3, "version after two appends with .any")
  }

  func expectedVersionNoStream() async throws {
    try await store.append(events(1), to: "a-1", expectedVersion: .noStream)
    let error = try await expectError(.wrongExpectedVersion) {
      try await store.append(events(1), to: "a-1", expectedVersion: .noStream)
    }
    try expectEqual(error.stream, "a-1", "the conflict's stream")
    try expectEqual(error.expectedVersion, .noStream, "the conflict's expected version")
    try expectEqual(error.actualVersion, 1, "the conflict's actual version")
    try expectEqual(try await store.headPosition(), 1, "head after a refused append")
  }

  func expectedVersionStreamExists() async throws {
    let error = try await expectError(.wrongExpectedVersion) {
      try await store.append(events(1), to: "a-1", expectedVersion: .streamExists)
    }
    try expectEqual(error.actualVersion, nil, "a missing stream's actual version")
    try expectEqual(try await store.headPosition(), .start, "head after a refused append")
    try await store.append(events(1), to: "a-1", expectedVersion: .any)
    let result = try await store.append(events(1), to: "a-1", expectedVersion: .streamExists)
    try expectEqual(result.lastVersion, 2, "version after appending to an existing stream")
  }

  func expectedVersionExactly() async throws {
    try await store.append(events(2), to: "a-1", expectedVersion: .noStream)
    for wrong: UInt64 in [0, 1, 3, 100] {
      let error = try await expectError(.wrongExpectedVersion) {
        try await store.append(
          events(1), to: "a-1", expectedVersion: .exactly(StreamVersion(wrong)))
      }
      try expectEqual(error.expectedVersion, .exactly(StreamVersion(wrong)), "expected version")
      try expectEqual(error.actualVersion, 2, "actual version")
      try expect(error.description.contains("a-1"), "the message names the stream: \(error)")
    }
    let missing = try await expectError(.wrongExpectedVersion) {
      try await store.append(events(1), to: "b-1", expectedVersion: .exactly(1))
    }
    try expectEqual(missing.actualVersion, nil, "actual version of a missing stream")
    try await store.append(events(1), to: "a-1", expectedVersion: .exactly(2))
    try expectEqual(try await store.headPosition(), 3, "head: only the right appends wrote")
    try await expectConsistentLog()
  }

  func idempotentRetry() async throws {
    try await store.append(events(1), to: "a-1", expectedVersion: .noStream)
    let batch = events(3)
    let first = try await store.append(batch, to: "a-1", expectedVersion: .exactly(1))
    try await store.append(events(1), to: "b-1", expectedVersion: .any)
    for expected in [ExpectedVersion.exactly(1), .any, .streamExists] {
      let again = try await store.append(batch, to: "a-1", expectedVersion: expected)
      try expectEqual(again, first, "the retried append's result with \(expected)")
    }
    let lone = events(1)
    let loneFirst = try await store.append(lone, to: "c-1", expectedVersion: .noStream)
    let loneAgain = try await store.append(lone, to: "c-1", expectedVersion: .noStream)
    try expectEqual(loneAgain, loneFirst, "a retried first append with .noStream")
    try expectEqual(try await store.headPosition(), 6, "head after retries")
    try expectEqual(try await store.currentVersion(of: "a-1"), 4, "version after retries")
    let moved = try await expectError(.wrongExpectedVersion) {
      try await store.append(batch, to: "a-1", expectedVersion: .exactly(2))
    }
    try expectEqual(moved.stream, "a-1", "stream of a retry at another place")
    try await expectConsistentLog()
  }

  func duplicateEventIDsRefused() async throws {
    let batch = events(3)
    try await store.append(batch, to: "a-1", expectedVersion: .any)
    let elsewhere = try await expectError(.duplicateEventID) {
      try await store.append(batch, to: "b-1", expectedVersion: .any)
    }
    try expectEqual(elsewhere.eventID, batch[0].id, "the duplicate's ID")
    let partly = try await expectError(.duplicateEventID) {
      try await store.append([batch[0], event()], to: "a-1", expectedVersion: .any)
    }
    try expect(partly.eventID != nil, "the error names the event")
    _ = try await expectError(.duplicateEventID) {
      try await store.append([event(), batch[1]], to: "a-1", expectedVersion: .any)
    }
    let same = event()
    _ = try await expectError(.duplicateEventID) {
      try await store.append([same, same], to: "c-1", expectedVersion: .any)
    }
    try expectEqual(try await store.headPosition(), 3, "head after refused duplicates")
    try await expectConsistentLog()
  }

  func multiStreamAtomicity() async throws {
    try await store.append(events(1), to: "b-1", expectedVersion: .noStream)
    let refused = try await expectError(.wrongExpectedVersion) {
      _ = try await store.append([
        StreamAppend(stream: "a-1", expectedVersion: .noStream, events: events(2)),
        StreamAppend(stream: "b-1", expectedVersion: .noStream, events: events(1)),
        StreamAppend(stream: "c-1", expectedVersion: .any, events: events(1)),
      ])
    }
    try expectEqual(refused.stream, "b-1", "the failing stream")
    try expectEqual(try await store.currentVersion(of: "a-1"), nil, "a-1 after a failed group")
    try expectEqual(try await store.currentVersion(of: "c-1"), nil, "c-1 after a failed group")
    try expectEqual(try await store.headPosition(), 1, "head after a failed group")
    let results = try await store.append([
      StreamAppend(stream: "a-1", expectedVersion: .noStream, events: events(2)),
      StreamAppend(stream: "b-1", expectedVersion: .exactly(1), events: events(1)),
      StreamAppend(stream: "c-1", expectedVersion: .any, events: events(1)),
    ])
    try expectEqual(results.map(\.firstPosition), [2, 4, 5], "positions follow the order")
    try expectEqual(results.map(\.lastVersion), [2, 2, 1], "versions of each stream")
    try await expectConsistentLog()
  }

  func streamWrittenTwiceInABatch() async throws {
    try await store.append(events(1), to: "b-1", expectedVersion: .noStream)
    let batch = [
      StreamAppend(stream: "a-1", expectedVersion: .noStream, events: events(2)),
      StreamAppend(stream: "b-1", expectedVersion: .exactly(1), events: events(1)),
      StreamAppend(stream: "a-1", expectedVersion: .exactly(2), events: events(3)),
      StreamAppend(stream: "b-1", expectedVersion: .any, events: events(1)),
    ]
    let results = try await store.append(batch)
    try expectEqual(results.map(\.firstPosition), [2, 4, 5, 8], "positions follow the order")
    try expectEqual(results.map(\.firstVersion), [1, 2, 3, 3], "each append's first version")
    try expectEqual(results.map(\.lastVersion), [2, 2, 5, 3], "each append's last version")
    let a = try await store.readStream("a-1")
    try expectEqual(a.map(\.version.rawValue), [1, 2, 3, 4, 5], "a-1's versions")
    try expectEqual(a.map(\.position.rawValue), [2, 3, 5, 6, 7], "a-1's positions")
    try expectEqual(
      a.map(\.id), (batch[0].events + batch[2].events).map(\.id), "a-1's events, in order")
    try expectEqual(try await store.currentVersion(of: "b-1"), 3, "b-1 after the batch")

    // Appended again with the same IDs: the same results, nothing written.
    let again = try await store.append(batch)
    try expectEqual(again, results, "the batch appended again")
    try expectEqual(try await store.headPosition(), 8, "head after the retry")

    // The second append of a stream expecting the version from before the batch: refused,
    // and nothing of the batch is written.
    let stale = try await expectError(.wrongExpectedVersion) {
      _ = try await store.append([
        StreamAppend(stream: "a-1", expectedVersion: .exactly(5), events: events(1)),
        StreamAppend(stream: "c-1", expectedVersion: .noStream, events: events(1)),
        StreamAppend(stream: "a-1", expectedVersion: .exactly(5), events: events(1)),
      ])
    }
    try expectEqual(stale.stream, "a-1", "the stream refused")
    try expectEqual(stale.expectedVersion, .exactly(5), "what its second append expected")
    try expectEqual(stale.actualVersion, 6, "what the first append left")
    try expectEqual(try await store.currentVersion(of: "c-1"), nil, "c-1 after the refusal")
    try expectEqual(try await store.currentVersion(of: "a-1"), 5, "a-1 after the refusal")
    // A stream the batch makes exists for the appends after it.
    _ = try await expectError(.wrongExpectedVersion) {
      _ = try await store.append([
        StreamAppend(stream: "d-1", expectedVersion: .noStream, events: events(1)),
        StreamAppend(stream: "d-1", expectedVersion: .noStream, events: events(1)),
      ])
    }
    let made = try await store.append([
      StreamAppend(stream: "d-1", expectedVersion: .noStream, events: events(1)),
      StreamAppend(stream: "e-1", expectedVersion: .any, events: events(1)),
      StreamAppend(stream: "d-1", expectedVersion: .streamExists, events: events(2)),
    ])
    try expectEqual(made.map(\.lastVersion), [1, 1, 3], "a stream made and written again")
    try expectEqual(try await store.headPosition(), 12, "head at the end")
    try await expectConsistentLog()
  }

  func streamPaging() async throws {
    for round in 0..<5 {
      try await store.append(events(4), to: "a-1", expectedVersion: .any)
      try await store.append(events(1), to: "b-\(round)", expectedVersion: .any)
    }
    let all = try await store.readStream("a-1", pageSize: 3)
    try expectEqual(all.map(\.version.rawValue), Array(1...20), "versions read forwards in pages")
    let middle = try await store.readStream("a-1", from: 5, direction: .forwards, limit: 4)
    try expectEqual(middle.map(\.version.rawValue), [5, 6, 7, 8], "a forward page from 5")
    let last = try await store.readStream("a-1", from: nil, direction: .backwards, limit: 3)
    try expectEqual(last.map(\.version.rawValue), [20, 19, 18], "the last page backwards")
    let back = try await store.readStream("a-1", from: 6, direction: .backwards, limit: 10)
    try expectEqual(back.map(\.version.rawValue), [6, 5, 4, 3, 2, 1], "backwards from 6")
    let beyond = try await store.readStream("a-1", from: 21, direction: .forwards, limit: 10)
    try expectEqual(beyond.count, 0, "reading past the end")
    let beyondBack = try await store.readStream("a-1", from: 50, direction: .backwards, limit: 2)
    try expectEqual(beyondBack.map(\.version.rawValue), [20, 19], "backwards from past the end")
    let missing = try await store.readStream("zzz-1", from: nil, direction: .backwards, limit: 2)
    try expectEqual(missing.count, 0, "a missing stream")
    // A stream whose name is a prefix of another's must not see the other's events.
    try await store.append(events(2), to: "a-10", expectedVersion: .any)
    let prefix = try await store.readStream("a-1", from: nil, direction: .backwards, limit: 100)
    try expectEqual(prefix.count, 20, "a-1 does not include a-10")
    try expect(prefix.allSatisfy { $0.stream == "a-1" }, "every event is in a-1")

    // Batches of every size, some in multi-stream appends: every start, direction and page
    // size gives the stream's events as the log has them.
    for (round, size) in [1, 3, 2, 5, 1, 4].enumerated() {
      if round.isMultiple(of: 2) {
        try await store.append(events(size), to: "c-1", expectedVersion: .any)
      } else {
        _ = try await store.append([
          StreamAppend(stream: "d-\(round)", expectedVersion: .any, events: events(1)),
          StreamAppend(stream: "c-1", expectedVersion: .any, events: events(size)),
        ])
      }
    }
    let positions = try await readAll().filter { $0.stream == "c-1" }.map(\.position)
    try expectEqual(positions.count, 16, "events in c-1")
    for from in 0...18 {
      for limit in 1...4 {
        let forwards = try await store.readStream(
          "c-1", from: StreamVersion(UInt64(from)), direction: .forwards, limit: limit)
        let firstIndex = max(from, 1) - 1
        try expectEqual(
          forwards.map(\.position), Array(positions.dropFirst(firstIndex).prefix(limit)),
          "c-1 forwards from \(from), \(limit) at most")
        let backwards = try await store.readStream(
          "c-1", from: StreamVersion(UInt64(from)), direction: .backwards, limit: limit)
        try expectEqual(
          backwards.map(\.position), Array(positions.prefix(from).reversed().prefix(limit)),
          "c-1 backwards from \(from), \(limit) at most")
      }
    }
  }

  func logPagingAndFilters() async throws {
    for round in 0..<10 {
      try await store.append(
        events(2, type: "Applied"), to: "member-\(round)", expectedVersion: .any)
      try await store.append(
        events(1, type: "Registered"), to: "registration-\(round)", expectedVersion: .any)
      try await store.append(
        events(1, type: "Approved"), to: "member-\(round)", expectedVersion: .any)
    }
    let all = try await readAll(pageSize: 7)
    try expectEqual(all.count, 40, "events read in pages of 7")
    try expectEqual(all.map(\.position.rawValue), Array(1...40), "positions in pages")
    let from = try await store.readLog(from: 39, limit: 10)
    try expectEqual(from.events.map(\.position.rawValue), [39, 40], "a page from 39")
    try expectEqual(from.nextPosition, 41, "next position after the end")
    let members = try await readAll(filter: LogFilter(categories: ["member"]), pageSize: 5)
    try expectEqual(members.count, 30, "member events")
    try expect(members.allSatisfy { $0.stream.category == "member" }, "only members")
    let approved = try await readAll(filter: LogFilter(eventTypes: ["Approved"]), pageSize: 3)
    try expectEqual(approved.count, 10, "Approved events")
    try expect(approved.allSatisfy { $0.eventType == "Approved" }, "only Approved")
    let both = try await readAll(
      filter: LogFilter(categories: ["registration"], eventTypes: ["Registered", "Approved"]))
    try expectEqual(both.count, 10, "registration events of either type")
    let none = try await readAll(filter: LogFilter(eventTypes: ["NeverRecorded"]))
    try expectEqual(none.count, 0, "a type never recorded")
    let page = try await store.readLog(
      from: 1, limit: 2, filter: LogFilter(eventTypes: ["Approved"]))
    try expectEqual(page.events.map(\.position.rawValue), [4, 8], "filtered page positions")
    try expectEqual(page.nextPosition, 9, "a filtered page resumes after its last event")
  }

  func scanMatchesRead() async throws {
    for round in 0..<6 {
      try await store.append(
        events(3, type: round % 2 == 0 ? "Even" : "Odd"), to: "s-\(round % 2)",
        expectedVersion: .any)
    }
    let read = try await readAll(filter: LogFilter(eventTypes: ["Odd"]))
    var scanned: [RecordedEvent] = []
    var next = LogPosition.first
    while true {
      let before = scanned.count
      next = try await store.scanLog(from: next, limit: 2, filter: LogFilter(eventTypes: ["Odd"])) {
        scanned.append(try $0.recordedEvent())
      }
      if scanned.count == before { break }
    }
    try expectEqual(scanned, read, "scanned vs read events")
    try expectEqual(next, 19, "the scan's next position at the end")
  }

  func roundTrip() async throws {
    let correlation = EventID.random()
    let metadata = EventMetadata(
      time: Timestamp(year: 2018, month: 5, day: 18, hour: 9, nanosecond: 123_456_789),
      correlationID: correlation, causationID: .random(), actor: "office",
      custom: ["b": "2", "a": "1", "é": "ü"])
    let original = EventData(
      id: .random(), eventType: "Round", schemaVersion: 3, encoding: .json,
      payload: Array("{\"x\":1}".utf8), metadata: metadata)
    let bare = EventData(
      id: .random(), eventType: "Bare", encoding: .binary, payload: [],
      metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: -5)))
    try await store.append([original, bare], to: "round-trip", expectedVersion: .any)
    let read = try await store.readStream("round-trip")
    try expectEqual(read.map(\.data.asAppended), [original, bare], "events read back")
    try expectEqual(read[0].stream, "round-trip", "the stream")
    try expectEqual(read[1].position, 2, "the position")
  }

  func invalidArguments() async throws {
    _ = try await expectError(.invalidArgument) {
      try await store.append([], to: "a-1", expectedVersion: .any)
    }
    _ = try await expectError(.invalidArgument) {
      _ = try await store.append([])
    }
    _ = try await expectError(.invalidArgument) {
      _ = try await store.readLog(from: .first, limit: 0)
    }
    _ = try await expectError(.invalidArgument) {
      _ = try await store.readStream("a-1", from: nil, direction: .forwards, limit: 0)
    }
    try expectEqual(try await store.headPosition(), .start, "head after refused calls")
  }

  func followLive() async throws {
    try await store.append(events(5), to: "a-1", expectedVersion: .any)
    let store = self.store
    let everything = Task { () throws -> [RecordedEvent] in
      var seen: [RecordedEvent] = []
      for try await event in store.follow(from: .first, pageSize: 2) {
        seen.append(event)
        if seen.count == 12 { break }
      }
      return seen
    }
    let filtered = Task { () throws -> [RecordedEvent] in
      var seen: [RecordedEvent] = []
      for try await event in store.follow(from: 3, filter: LogFilter(categories: ["b"])) {
        seen.append(event)
        if seen.count == 4 { break }
      }
      return seen
    }
    try await Task.sleep(for: .milliseconds(50))
    for round in 0..<4 {
      try await store.append(events(1), to: round % 2 == 0 ? "a-1" : "b-1", expectedVersion: .any)
      try await store.append(events(1), to: "b-1", expectedVersion: .any)
      try await Task.sleep(for: .milliseconds(5))
    }
    let timeout = Task {
      try await Task.sleep(for: .seconds(20))
      everything.cancel()
      filtered.cancel()
    }
    defer { timeout.cancel() }
    let seen = try await everything.value
    try expectEqual(seen.map(\.position.rawValue), Array(1...12), "followed positions")
    let seenB = try await filtered.value
    try expectEqual(seenB.count, 4, "followed b events (a timeout cancels the follower)")
    try expect(seenB.allSatisfy { $0.stream == "b-1" }, "only b events")
    try expectEqual(seenB.map(\.version.rawValue), [1, 2, 3, 4], "b events in order")
  }

  func concurrentAppenders() async throws {
    let store = self.store
    let appenders = 100
    let rounds = 5
    for round in 0..<rounds {
      let expected: ExpectedVersion =
        round == 0 ? .noStream : .exactly(StreamVersion(UInt64(round)))
      let batches = (0..<appenders).map { _ in events(1) }
      let outcomes = try await withThrowingTaskGroup(of: (Int, AppendResult?).self) { group in
        for (index, batch) in batches.enumerated() {
          group.addTask {
            do {
              return (index, try await store.append(batch, to: "race-1", expectedVersion: expected))
            } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
              return (index, nil)
            }
          }
        }
        var outcomes: [(Int, AppendResult?)] = []
        for try await outcome in group { outcomes.append(outcome) }
        return outcomes
      }
      let winners = outcomes.filter { $0.1 != nil }
      try expectEqual(winners.count, 1, "winners of round \(round)")
      try expectEqual(
        winners[0].1?.lastVersion, StreamVersion(UInt64(round + 1)), "the winner's version")
      let stored = try await store.readStream(
        "race-1", from: StreamVersion(UInt64(round + 1)), direction: .forwards, limit: 1)
      try expectEqual(
        stored.first?.id, batches[winners[0].0][0].id, "the stored event is the winner's")
    }
    // Now every appender retries until it has appended three events: no loss, no duplicate.
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<appenders {
        group.addTask {
          var appended = 0
          while appended < 3 {
            let version = try await store.currentVersion(of: "race-2")
            do {
              try await store.append(events(1), to: "race-2", expectedVersion: .at(version))
              appended += 1
            } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
              continue
            }
          }
        }
      }
      try await group.waitForAll()
    }
    try expectEqual(
      try await store.currentVersion(of: "race-2"), StreamVersion(UInt64(appenders * 3)),
      "race-2 version")
    try await expectConsistentLog()
  }

  func recordedTimeOrder() async throws {
    let store = self.store
    try await withThrowingTaskGroup(of: Void.self) { group in
      for appender in 0..<40 {
        group.addTask {
          for round in 0..<5 {
            // Metadata times that run backwards: the store's recorded times must not.
            var batch = events(1 + (appender + round) % 3)
            for index in batch.indices {
              batch[index].metadata.time = Timestamp(
                nanosecondsSince1970: Int64(1_000_000 - appender * 1000 - round))
            }
            try await store.append(
              batch, to: StreamName("time-\(appender % 7)"), expectedVersion: .any)
          }
        }
      }
      try await group.waitForAll()
    }
    let all = try await readAll(filter: LogFilter(categories: ["time"]))
    try expect(all.count >= 200, "the appends are there")
    for (before, after) in zip(all, all.dropFirst()) {
      try expect(
        after.recordedTime >= before.recordedTime,
        "recorded time runs backwards at position \(after.position): \(after.recordedTime) after \(before.recordedTime)"
      )
    }
    guard let last = all.last else { return }
    let head = try await store.headPosition()
    var copied = events(2)
    copied[0].recordedTime = last.recordedTime
    copied[1].recordedTime = Timestamp(
      nanosecondsSince1970: last.recordedTime.nanosecondsSince1970 - 1)
    let error = try await expectError(.timeOrder) {
      try await store.append(copied, to: "time-copy", expectedVersion: .noStream)
    }
    try expectEqual(error.position, head.next.next, "the refused event's position")
    try expectEqual(try await store.headPosition(), head, "the head after a refused copy")
    try expectEqual(try await store.currentVersion(of: "time-copy"), nil, "the refused stream")
  }

  // MARK: - Conditions

  func appendConditions() async throws {
    try await store.append(events(2), to: "read-1", expectedVersion: .noStream)
    // Met: the other append happens; the condition's result is the empty range after it.
    let met = try await store.append([
      StreamAppend(stream: "write-1", expectedVersion: .noStream, events: events(2)),
      .condition("read-1", expectedVersion: .exactly(2)),
    ])
    try expectEqual(met.count, 2, "results of a batch with a condition")
    try expectEqual(met[0].lastPosition, 4, "the written append's last position")
    try expectEqual(met[1].stream, "read-1", "the condition's stream")
    try expectEqual(met[1].lastVersion, 2, "the condition's version")
    try expectEqual(met[1].firstVersion, 3, "the condition's empty range of versions")
    try expectEqual(met[1].lastPosition, 4, "the condition's position: after what came before")
    try expectEqual(met[1].firstPosition, 5, "the condition's empty range of positions")
    try expectEqual(met[1].eventCount, 0, "events written by a condition")
    try expectEqual(met[0].eventCount, 2, "events written by the append")
    try expectEqual(try await store.currentVersion(of: "read-1"), 2, "the condition's stream")
    try expectEqual(try await store.headPosition(), 4, "head after a condition met")

    // Broken: named in the error, and nothing of the batch is written.
    let broken = try await expectError(.wrongExpectedVersion) {
      _ = try await store.append([
        StreamAppend(stream: "write-2", expectedVersion: .noStream, events: events(1)),
        .condition("read-1", expectedVersion: .exactly(1)),
      ])
    }
    try expectEqual(broken.stream, "read-1", "the broken condition's stream")
    try expectEqual(broken.expectedVersion, .exactly(1), "the broken condition's expectation")
    try expectEqual(broken.actualVersion, 2, "the broken condition's actual version")
    try expectEqual(try await store.currentVersion(of: "write-2"), nil, "write-2 after refusal")
    try expectEqual(try await store.headPosition(), 4, "head after a broken condition")

    // `.noStream`: met while the stream does not exist (version 0), broken once it does.
    let absent = try await store.append([
      .condition("unique-1", expectedVersion: .noStream),
      StreamAppend(stream: "write-3", expectedVersion: .noStream, events: events(1)),
    ])
    try expectEqual(absent[0].lastVersion, 0, "a condition on a missing stream: version 0")
    try expectEqual(absent[0].firstVersion, 1, "the empty range before the first version")
    try expectEqual(absent[0].lastPosition, 4, "a first condition: the head before the batch")
    try expectEqual(absent[1].firstPosition, 5, "the append after the condition")
    try await store.append(events(1), to: "unique-1", expectedVersion: .noStream)
    let taken = try await expectError(.wrongExpectedVersion) {
      _ = try await store.append([
        .condition("unique-1", expectedVersion: .noStream),
        StreamAppend(stream: "write-4", expectedVersion: .noStream, events: events(1)),
      ])
    }
    try expectEqual(taken.stream, "unique-1", "the broken .noStream condition's stream")
    try expectEqual(taken.actualVersion, 1, "the broken .noStream condition's actual version")
    let missing = try await expectError(.wrongExpectedVersion) {
      _ = try await store.append([
        StreamAppend(stream: "write-4", expectedVersion: .noStream, events: events(1)),
        .condition("absent-1", expectedVersion: .streamExists),
      ])
    }
    try expectEqual(missing.stream, "absent-1", "the broken .streamExists condition's stream")
    try expectEqual(try await store.currentVersion(of: "write-4"), nil, "write-4 after refusal")

    // A stream both written and required in one batch is refused: its append's expected
    // version is its condition.
    let twice = try await expectError(.invalidArgument) {
      _ = try await store.append([
        StreamAppend(stream: "read-1", expectedVersion: .exactly(2), events: events(1)),
        .condition("read-1", expectedVersion: .exactly(2)),
      ])
    }
    try expectEqual(twice.stream, "read-1", "the stream named twice")
    // The one-stream form appends events; an empty batch there is still refused.
    _ = try await expectError(.invalidArgument) {
      try await store.append([], to: "read-1", expectedVersion: .exactly(2))
    }
    try expectEqual(try await store.headPosition(), 6, "head after the conditions")
    try await expectConsistentLog()
  }

  func conditionOnlyBatch() async throws {
    try await store.append(events(3), to: "read-1", expectedVersion: .noStream)
    let results = try await store.append([
      .condition("read-1", expectedVersion: .exactly(3)),
      .condition("read-2", expectedVersion: .noStream),
    ])
    try expectEqual(results.map(\.lastVersion), [3, 0], "versions the conditions checked")
    try expectEqual(results.map(\.eventCount), [0, 0], "events written by conditions")
    try expectEqual(results.map(\.lastPosition), [3, 3], "positions: the head, unchanged")
    try expectEqual(try await store.headPosition(), 3, "head after a batch of conditions")
    let broken = try await expectError(.wrongExpectedVersion) {
      _ = try await store.append([
        .condition("read-1", expectedVersion: .exactly(3)),
        .condition("read-2", expectedVersion: .streamExists),
      ])
    }
    try expectEqual(broken.stream, "read-2", "the broken condition's stream")
    try expectEqual(try await store.currentVersion(of: "read-2"), nil, "a condition writes nothing")
    try await expectConsistentLog()
  }

  func concurrentConditions() async throws {
    let store = self.store
    let writers = 20
    let readers = 40
    try await store.append(events(1), to: "counter-1", expectedVersion: .noStream)
    // Readers append to streams of their own, each conditioned on the version of counter-1 it
    // read; writers keep appending to counter-1.
    let accepted = try await withThrowingTaskGroup(of: (StreamVersion, AppendResult)?.self) {
      group in
      for _ in 0..<writers {
        group.addTask {
          try await store.append(events(1), to: "counter-1", expectedVersion: .any)
          return nil
        }
      }
      for reader in 0..<readers {
        group.addTask {
          while true {
            guard let version = try await store.currentVersion(of: "counter-1") else {
              throw fail("counter-1 vanished")
            }
            do {
              let results = try await store.append([
                StreamAppend(
                  stream: StreamName(category: "reader", id: String(reader)),
                  expectedVersion: .noStream, events: events(1)),
                .condition("counter-1", expectedVersion: .exactly(version)),
              ])
              return (version, results[0])
            } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
              guard error.stream == "counter-1" else { throw error }
            }
          }
        }
      }
      var accepted: [(StreamVersion, AppendResult)] = []
      for try await outcome in group { if let outcome { accepted.append(outcome) } }
      return accepted
    }
    try expectEqual(accepted.count, readers, "every reader appended, retrying conflicts")
    // Each accepted append sits where counter-1 had exactly the version it required.
    let counter = try await store.readStream("counter-1")
    try expectEqual(counter.count, writers + 1, "counter-1's events")
    for (version, result) in accepted {
      let before = counter.filter { $0.position < result.firstPosition }.count
      try expectEqual(
        UInt64(before), version.rawValue,
        "counter-1's version where \(result.stream) was appended")
    }
    try await expectConsistentLog()
  }
}
