import Council
import EventLog
import EventLogLMDB
import EventLogTestSupport
import Foundation
import Testing

@Suite("council queries from read models kept in the log")
struct KeptReadModelTests {
  /// Each query, its projection, and the words that open its JSON answer.
  static let queries: [(arguments: [String], projection: String)] = [
    (["directory", "log", "--json"], MemberDirectoryProjection().stateKey),
    (["registrations", "log", "--json"], GatheringReportsProjection().stateKey),
    (["evaluations", "log", "--json"], GatheringReportsProjection().stateKey),
    (["fund", "log", "--json"], FundLedgerProjection().stateKey),
    (["resolutions", "log", "--json"], ResolutionRegisterProjection().stateKey),
    (["members", "log", "--json"], MembershipHistoryProjection().stateKey),
  ]

  /// A `council` working in `directory`, in which it has generated the log `log`, and what
  /// the generation printed.
  func generatedLog(in directory: borrowing TemporaryDirectory, events: Int, seed: Int)
    async throws -> (CouncilBinary, CouncilRun)
  {
    let council = try CouncilBinary(workingIn: directory.path)
    let generated = try await council.run(
      ["generate", "log", "--events", String(events), "--seed", String(seed)])
    #expect(generated.status == 0, "\(generated.errors)")
    return (council, generated)
  }

  /// The checkpoint of the state kept under `key` in the log at `path`, if any.
  func keptCheckpoint(_ path: String, _ key: String) async throws -> UInt64? {
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    return try await store.loadState(key)?.position
  }

  @Test func aQueryKeepsItsModelAndAnswersAsAFoldFromTheStartDoes() async throws {
    let directory = TemporaryDirectory()
    let (council, generated) = try await generatedLog(in: directory, events: 3000, seed: 5)
    let head = try #require(
      generated.output.split(separator: " ").dropFirst().first.flatMap { UInt64($0) })
    for (arguments, key) in Self.queries {
      // The fold from the first event, which keeps nothing.
      let folded = try await council.run(arguments + ["--as-of", String(head)])
      #expect(folded.status == 0, "\(arguments): \(folded.errors)")
      let first = try await council.run(arguments)
      #expect(first.status == 0, "\(arguments): \(first.errors)")
      expectSameText(first.output, folded.output, "\(arguments), first answer")
      #expect(try await keptCheckpoint(directory.appending("log"), key) == head, "\(arguments)")
      // Asked again, from the kept model, and rebuilt on demand: the same answer.
      let again = try await council.run(arguments)
      expectSameText(again.output, folded.output, "\(arguments), asked again")
      let rebuilt = try await council.run(arguments + ["--rebuild"])
      expectSameText(rebuilt.output, folded.output, "\(arguments), rebuilt")
    }
  }

  @Test func aModelKeptAtAnEarlierCheckpointIsCaughtUpWithTheNewEvents() async throws {
    let directory = TemporaryDirectory()
    let (council, _) = try await generatedLog(in: directory, events: 3000, seed: 6)
    let path = directory.appending("log")
    let now = try await council.run(["directory", "log", "--json", "--rebuild"])
    #expect(now.status == 0)
    // The model as it stood at position 1 200, kept, as if the log had grown since.
    let store = try LMDBEventStore(path: path)
    let head = try await store.headPosition()
    try await store.deleteState(MemberDirectoryProjection().stateKey)
    let runner = ProjectionRunner(
      MemberDirectoryProjection(), store: store, options: .init(pageSize: 100))
    let early = try await runner.catchUp(until: LogPosition(1200))
    store.close()
    #expect(early < head)
    let earlyAnswer = try await council.run(
      ["directory", "log", "--json", "--as-of", String(early.rawValue)])
    #expect(earlyAnswer.output != now.output, "the log moved after the early checkpoint")
    let caughtUp = try await council.run(["directory", "log", "--json"])
    #expect(caughtUp.status == 0, "\(caughtUp.errors)")
    expectSameText(caughtUp.output, now.output, "caught up from \(early)")
    // The directory answered with the new events folded over the kept one, which is not
    // written again (fewer than KeptDirectory.foldLimit positions behind).
    #expect(
      try await keptCheckpoint(path, MemberDirectoryProjection().stateKey) == early.rawValue)
    // So do the membership histories, both questions.
    let store2 = try LMDBEventStore(path: path)
    try await store2.deleteState(MembershipHistoryProjection().stateKey)
    let historyRunner = ProjectionRunner(
      MembershipHistoryProjection(), store: store2, options: .init(pageSize: 100))
    let earlyHistory = try await historyRunner.catchUp(until: LogPosition(1200))
    let member = try #require(
      try await MembershipHistoryProjection().state(in: store2, asOf: .now).value.members.keys
        .max())
    store2.close()
    #expect(earlyHistory < head)
    for arguments in [["members", "log", "--json"], ["members", "log", member.rawValue]] {
      let folded = try await council.run(arguments + ["--as-of", String(head.rawValue)])
      let members = try await council.run(arguments)
      #expect(members.status == 0, "\(members.errors)")
      expectSameText(members.output, folded.output, "\(arguments) caught up from \(earlyHistory)")
    }
    #expect(
      try await keptCheckpoint(path, MembershipHistoryProjection().stateKey)
        == earlyHistory.rawValue)
    // The other models are caught up and kept again.
    let store3 = try LMDBEventStore(path: path)
    try await store3.deleteState(GatheringReportsProjection().stateKey)
    let gatheringRunner = ProjectionRunner(
      GatheringReportsProjection(), store: store3, options: .init(pageSize: 100))
    let earlyGatherings = try await gatheringRunner.catchUp(until: LogPosition(1200))
    store3.close()
    #expect(earlyGatherings < head)
    let registrations = try await council.run(["registrations", "log", "--json"])
    #expect(registrations.status == 0, "\(registrations.errors)")
    #expect(
      try await keptCheckpoint(path, GatheringReportsProjection().stateKey) == head.rawValue)
  }

  @Test func aNewVersionIsBuiltOnceAndTheEarlierVersionsStatesAreRemoved() async throws {
    let directory = TemporaryDirectory()
    let (council, _) = try await generatedLog(in: directory, events: 1500, seed: 8)
    let path = directory.appending("log")
    let projection = MemberDirectoryProjection()
    #expect(projection.version > 1)
    let earlier = (1..<projection.version).map { "projection/\(projection.name)@\($0)" }
    let other = "projection/not-the-directory@1"
    var store = try LMDBEventStore(path: path)
    for key in earlier + [other] {
      try await store.saveState(StoredState(position: 1, bytes: [1, 2, 3]), for: key)
    }
    store.close()
    let answered = try await council.run(["directory", "log", "--json"])
    #expect(answered.status == 0, "\(answered.errors)")
    store = try LMDBEventStore(path: path)
    defer { store.close() }
    #expect(try await store.loadState(projection.stateKey) != nil, "the new version kept")
    for key in earlier {
      #expect(try await store.loadState(key) == nil, "\(key) removed")
    }
    #expect(try await store.loadState(other) != nil, "another projection's state untouched")
  }

  @Test func aDamagedKeptModelIsRebuiltNotAnError() async throws {
    let directory = TemporaryDirectory()
    let (council, _) = try await generatedLog(in: directory, events: 2000, seed: 7)
    let path = directory.appending("log")
    for (query, key) in [
      ("registrations", GatheringReportsProjection().stateKey),
      ("directory", MemberDirectoryProjection().stateKey),
      ("members", MembershipHistoryProjection().stateKey),
    ] {
      let expected = try await council.run([query, "log", "--json"])
      #expect(expected.status == 0)
      let store = try LMDBEventStore(path: path)
      let head = try await store.headPosition()
      let good = try #require(try await store.loadState(key))
      store.close()
      // Bytes that are no state; for the directory and the histories, whose binary forms are
      // checksummed, also the kept state with one byte changed.
      // (The histories' year table, which the question reads, is at their end.)
      var changed = good.bytes
      changed[query == "members" ? changed.count - 12 : changed.count / 3] ^= 0x01
      let damages: [[UInt8]] =
        query == "registrations" ? [[0xFF, 0x01, 0x02]] : [[0xFF, 0x01, 0x02], changed]
      for damaged in damages {
        let store = try LMDBEventStore(path: path)
        try await store.saveState(StoredState(position: head.rawValue, bytes: damaged), for: key)
        store.close()
        let answered = try await council.run([query, "log", "--json"])
        #expect(answered.status == 0, "\(query): \(answered.errors)")
        #expect(answered.errors.isEmpty)
        expectSameText(
          answered.output, expected.output, "\(query) after its kept state was damaged")
        let reopened = try LMDBEventStore(path: path)
        let kept = try await reopened.loadState(key)
        reopened.close()
        #expect(kept?.bytes != damaged, "\(query): the damaged state was replaced")
        #expect(kept?.position == head.rawValue)
      }
    }
  }
}
