import CouncilSamples
import EventLog
import EventLogLMDB
import EventLogTestSupport
import Testing

@testable import Council

@Suite("The kept membership histories, read in part")
struct KeptMembershipTests {
  /// A generated log of `events` events, and the histories folded from its first event.
  func generatedLog(at path: String, events: Int, seed: UInt64) async throws
    -> (LMDBEventStore, MembershipHistories)
  {
    let store = try LMDBEventStore(path: path)
    _ = try await CouncilSimulation.generate(events: events, seed: seed, into: store)
    let now = try await MembershipHistoryProjection().state(in: store, asOf: .now).value
    return (store, now)
  }

  @Test func theHistoriesReadBackWholeAsTheyWereWritten() async throws {
    let temporary = TemporaryDirectory()
    let (store, now) = try await generatedLog(
      at: temporary.appending("log"), events: 3000, seed: 3)
    defer { store.close() }
    #expect(now.members.count > 50 && now.years.count > 2)
    var writer = BinaryWriter()
    now.encode(to: &writer)
    let read = try writer.bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      let read = try MembershipHistories(from: &reader)
      #expect(reader.isAtEnd)
      return read
    }
    #expect(read == now)
    // Inside the read models of `council replay`, between other models, as well.
    var models = CouncilReadModels()
    models.membership = now
    var both = BinaryWriter()
    models.encode(to: &both)
    let readModels = try both.bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      return try CouncilReadModels(from: &reader)
    }
    #expect(readModels == models)
    // And empty.
    var empty = BinaryWriter()
    MembershipHistories().encode(to: &empty)
    let none = try empty.bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      return try MembershipHistories(from: &reader)
    }
    #expect(none == MembershipHistories())
  }

  @Test func keptAtOrBehindTheHeadItAnswersAsTheHistoriesAtTheHead() async throws {
    let temporary = TemporaryDirectory()
    let (store, now) = try await generatedLog(
      at: temporary.appending("log"), events: 4000, seed: 17)
    defer { store.close() }
    let head = try await store.headPosition()
    #expect(try await KeptMembership.years(in: store) == nil, "nothing kept yet")
    let members = now.members.keys.sorted()
    var changedYears = 0
    var changedHistories = 0
    var folded: Set<UInt64> = []
    for target in [0, 1, 40, 700, 2500, Int(head.rawValue) - 1] {
      // Kept at or after `target` behind the head (a runner that loads nothing folds from the
      // start and saves where it stops: at the first member event from there).
      try await store.deleteState(MembershipHistoryProjection().stateKey)
      let runner = ProjectionRunner(
        MembershipHistoryProjection(), store: store, options: .init(pageSize: 1))
      let kept = try await runner.catchUp(until: LogPosition(head.rawValue - UInt64(target)))
      let behind = Int(head.rawValue - kept.rawValue)
      folded.insert(UInt64(behind))
      let then = runner.read { histories, _ in histories }
      let years = try #require(try await KeptMembership.years(in: store), "\(behind) behind")
      #expect(years.position == head)
      #expect(years.years == now.years, "\(behind) behind")
      if then.years != now.years { changedYears += 1 }
      for member in members + [MemberID("no-such-member")] {
        let answer = try #require(
          try await KeptMembership.history(of: member, in: store), "\(behind) behind: \(member)")
        #expect(answer.position == head)
        #expect(answer.history == now.members[member], "\(behind) behind: \(member)")
        if then.members[member] != now.members[member] { changedHistories += 1 }
      }
      // Beyond the limit it folds, no answer: the histories are to be caught up whole.
      if behind > 0 {
        #expect(try await KeptMembership.years(in: store, foldingAtMost: behind - 1) == nil)
        #expect(
          try await KeptMembership.history(
            of: members[0], in: store, foldingAtMost: behind - 1) == nil)
      }
    }
    #expect(folded.contains(0) && folded.filter { $0 > 30 }.count >= 3, "\(folded.sorted())")
    #expect(changedYears >= 3, "the new events changed the year table")
    #expect(changedHistories > 100, "the new events changed the histories")
  }

  @Test func damagedBytesAreRefusedWholeAndRefusedOrAnsweredRightlyInPart() async throws {
    let temporary = TemporaryDirectory()
    let (store, now) = try await generatedLog(
      at: temporary.appending("log"), events: 2000, seed: 23)
    defer { store.close() }
    let head = try await store.headPosition()
    let runner = ProjectionRunner(
      MembershipHistoryProjection(), store: store, options: .init(pageSize: 1))
    let kept = try await runner.catchUp(until: LogPosition(head.rawValue - 1200))
    let state = try #require(try await store.loadState(MembershipHistoryProjection().stateKey))
    #expect(state.position == kept.rawValue)
    let events = try await KeptState.newEvents(
      of: MembershipHistoryProjection(), in: store, after: kept, upTo: head)
    #expect(events.count > 50, "\(events.count) member events since")
    let then = runner.read { histories, _ in histories }
    // A member kept then whose history the new events change.
    let member = try #require(
      events.map { MemberID($0.stream.id ?? "") }.first { then.members[$0] != nil })
    /// The years and one member's history with the new events folded over `bytes`.
    func answer(_ bytes: [UInt8]) throws -> ([Int: MembershipYear], MemberHistory?) {
      try bytes.withUnsafeBytes { raw in
        let layout = try MembershipLayout(raw)
        let changed = try KeptMembership.fold(events, over: layout, in: raw)
        return (changed.years, changed.members[member])
      }
    }
    func whole(_ bytes: [UInt8]) throws -> MembershipHistories {
      try bytes.withUnsafeBytes { raw in
        var reader = BinaryReader(raw)
        return try MembershipHistories(from: &reader)
      }
    }
    let right = try answer(state.bytes)
    #expect(right.0 == now.years && right.1 == now.members[member])
    #expect(try whole(state.bytes) == then)
    #expect(then.members[member] != now.members[member])
    var generator = SplitMix64(seed: 5)
    var refused = 0
    for _ in 0..<300 {
      var flipped = state.bytes
      let index = Int.random(in: 0..<flipped.count, using: &generator)
      flipped[index] ^= UInt8.random(in: 1...255, using: &generator)
      // Every byte is under a checksum: read whole, any change is refused.
      #expect(throws: (any Error).self, "byte \(index) changed, read whole") {
        _ = try whole(flipped)
      }
      do {
        let answered = try answer(flipped)
        #expect(answered.0 == right.0 && answered.1 == right.1, "byte \(index): answered wrongly")
      } catch {
        refused += 1
      }
    }
    #expect(refused > 20, "\(refused) of 300 changed bytes refused in part")
  }

  @Test func aDamagedStateInTheLogIsACorruptRecordNamingIt() async throws {
    let temporary = TemporaryDirectory()
    let (store, _) = try await generatedLog(at: temporary.appending("log"), events: 1000, seed: 2)
    defer { store.close() }
    let head = try await store.headPosition()
    let key = MembershipHistoryProjection().stateKey
    try await store.saveState(StoredState(position: head.rawValue, bytes: [0xFF, 1, 2]), for: key)
    let error = try await #require(throws: EventStoreError.self) {
      _ = try await KeptMembership.years(in: store)
    }
    #expect(error.code == .corruptRecord)
    #expect("\(error)".contains(key))
  }
}
