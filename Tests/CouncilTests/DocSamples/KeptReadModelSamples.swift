import Council
import CouncilSamples
import EventLog
import EventLogLMDB
import EventLogTestSupport
import Testing

// The README's and the DecidersAndProjections article's samples of a kept read model, run on a
// generated log: the answer from the kept model is the fold's, rebuilt or caught up.
@Suite("Doc samples: a read model kept in the log")
struct KeptReadModelSamples {
  @Test func theKeptRegistrationCountsAreTheFoldsRebuiltOrCaughtUp() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 3000, seed: 2, into: store)
    let key = GatheringReportsProjection().stateKey
    for round in 0..<2 {
      if round == 0 {
        // Nothing kept: the sample rebuilds.
        try await store.deleteState(key)
      } else {
        // Kept as the log stood at an earlier position: the sample catches up.
        try await store.deleteState(key)
        let early = ProjectionRunner(GatheringReportsProjection(), store: store)
        #expect(try await early.catchUp(until: LogPosition(1000)) < store.headPosition())
      }
      // sample: readme-kept-read-model
      let runner = ProjectionRunner(GatheringReportsProjection(), store: store)
      if try await runner.load() { try await runner.catchUp() } else { try await runner.rebuild() }
      let counts = runner.read { reports, position in reports.registrationCounts("spring-2016") }
      // end sample
      let folded = try await GatheringReportsProjection().state(in: store, asOf: .now)
      #expect(counts == folded.value.registrationCounts("spring-2016"), "round \(round)")
      #expect(counts != nil && counts?.registered ?? 0 > 0)
      #expect(runner.checkpoint == folded.position)
      #expect(try await store.loadState(key)?.position == folded.position.rawValue)
    }
  }

  @Test func theKeptDirectoryAnswersAsTheFold() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 1500, seed: 4, into: store)
    // sample: docc-kept-read-model
    let runner = ProjectionRunner(MemberDirectoryProjection(), store: store)
    if try await runner.load() {
      try await runner.catchUp()  // only the events after the saved checkpoint; saves when it moved
    } else {
      try await runner.rebuild()  // no saved model for this version yet: built once, and saved
    }
    let answer = runner.read { directory, position in
      (directory.search(DirectoryQuery(region: "Quebec"), as: .office), position)
    }
    // end sample
    let folded = try await MemberDirectoryProjection().state(in: store, asOf: .now)
    #expect(answer.0 == folded.value.search(DirectoryQuery(region: "Quebec"), as: .office))
    // Kept and nothing new, then one event more: read in place, the new event folded over it
    // (the kept directory is not written then).
    for round in 0..<2 {
      if round == 1 {
        try await store.append(
          [
            try EventData(
              CouncilEstablished(name: "x", termMonths: 12, graceDays: 0), id: .random(),
              metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
          ], to: "note-1", expectedVersion: .any)
      }
      let keptBefore = try await KeptDirectory.current(in: store)
      #expect((keptBefore != nil) == (round == 0), "round \(round)")
      // sample: docc-kept-directory
      let query = DirectoryQuery(region: "Quebec")
      let page: DirectoryPage
      if let kept = try await KeptDirectory.search(query, as: .office, in: store) {
        page = kept.page  // read where the log keeps it, any new events folded over it
      } else {
        let runner = ProjectionRunner(MemberDirectoryProjection(), store: store)
        if try await runner.load() {
          try await runner.catchUp()
        } else {
          try await runner.rebuild()
        }
        page = runner.read { directory, _ in directory.search(query, as: .office) }
      }
      // end sample
      let now = try await MemberDirectoryProjection().state(in: store, asOf: .now)
      #expect(page == now.value.search(query, as: .office), "round \(round)")
      #expect(
        (try await KeptDirectory.current(in: store) != nil) == (round == 0),
        "round \(round): kept again only by a runner")
    }
    #expect(answer.1 == folded.position)
    #expect(answer.0.total > 0)
  }

  @Test func theKeptYearTableAnswersAsTheFold() async throws {
    let directory = TemporaryDirectory()
    let store = try LMDBEventStore(path: directory.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 1500, seed: 6, into: store)
    let key = MembershipHistoryProjection().stateKey
    // Nothing kept (the sample builds and keeps it), kept at the head, then a member event
    // appended after it was kept (folded over it, not kept again).
    for round in 0..<3 {
      if round == 2 {
        let member = try #require(
          try await MembershipHistoryProjection().state(in: store, asOf: .now).value.members.keys
            .first)
        _ = try await store.append(
          [
            try EventData(
              MembershipLapsed(on: Day(2031, 1, 1)), id: .random(),
              metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
          ], to: StreamName(category: "member", id: member.rawValue), expectedVersion: .any)
      }
      let keptBefore = try await store.loadState(key)?.position
      // sample: docc-kept-membership
      let answer: (years: [Int: MembershipYear], position: LogPosition)
      if let kept = try await KeptMembership.years(in: store) {
        answer = kept  // the year table read in place, any new member events folded over it
      } else {
        let runner = ProjectionRunner(MembershipHistoryProjection(), store: store)
        if try await runner.load() {
          try await runner.catchUp()
        } else {
          try await runner.rebuild()
        }
        answer = runner.read { histories, position in (histories.years, position) }
      }
      // end sample
      let now = try await MembershipHistoryProjection().state(in: store, asOf: .now)
      #expect(answer.years == now.value.years, "round \(round)")
      #expect(answer.position == now.position, "round \(round)")
      #expect(
        try await store.loadState(key)?.position
          == (round == 0 ? now.position.rawValue : keptBefore),
        "round \(round): kept by the runner only")
    }
  }
}
