import CouncilSamples
import EventLog
import EventLogLMDB
import EventLogTestSupport
import Foundation
import Testing

@testable import Council

/// The directory's search as the issue describes it, written plainly here: every active entry
/// in name order, filtered on folded text, counted, paged, e-mails blanked for the public.
func plainDirectorySearch(_ directory: MemberDirectory, _ query: DirectoryQuery, as viewer: Issuer)
  -> PlainPage
{
  func fold(_ text: String) -> String {
    text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
      .trimmingCharacters(in: .whitespaces)
  }
  func has(_ values: [String], _ wanted: String?) -> Bool {
    wanted.map { wanted in values.contains { fold($0) == fold(wanted) } } ?? true
  }
  let words = query.text.map { fold($0).split(separator: " ").map(String.init) } ?? []
  let matching = directory.activeEntries
    .sorted { ($0.profile.nameEnglish, $0.member) < ($1.profile.nameEnglish, $1.member) }
    .filter { entry in
      let profile = entry.profile
      guard query.region.map({ fold($0) == fold(profile.region) }) ?? true,
        has(profile.services, query.service), has(profile.clientGroups, query.clientGroup),
        has(profile.languages, query.language)
      else { return false }
      let haystack = fold(profile.nameEnglish + " " + profile.nameFrench + " " + profile.city)
      return words.allSatisfy { haystack.contains($0) }
    }
  var byRegion: [String: Int] = [:]
  var byService: [String: Int] = [:]
  for entry in matching {
    byRegion[entry.profile.region, default: 0] += 1
    for service in Set(entry.profile.services) { byService[service, default: 0] += 1 }
  }
  let start = query.page.multipliedReportingOverflow(by: query.pageSize)
  let first = start.overflow ? matching.count : min(matching.count, start.partialValue)
  var page = Array(
    matching[first..<min(matching.count, first + min(query.pageSize, matching.count))])
  if !viewer.isOffice {
    for index in page.indices {
      for account in page[index].accounts.indices { page[index].accounts[account].email = nil }
    }
  }
  return PlainPage(
    entries: page, total: matching.count, countsByRegion: byRegion, countsByService: byService)
}

/// A page of ``plainDirectorySearch(_:_:as:)``, compared field by field with a ``DirectoryPage``.
struct PlainPage: Equatable {
  var entries: [DirectoryEntry]
  var total: Int
  var countsByRegion: [String: Int]
  var countsByService: [String: Int]
}

extension PlainPage {
  init(_ page: DirectoryPage) {
    self.init(
      entries: page.entries, total: page.total, countsByRegion: page.countsByRegion,
      countsByService: page.countsByService)
  }
}

@Suite("The kept directory, read in place")
struct KeptDirectoryTests {
  /// A generated log with its directory kept, and the directory itself.
  func keptLog(at path: String, events: Int = 4000, seed: UInt64 = 11)
    async throws -> (LMDBEventStore, MemberDirectory)
  {
    let store = try LMDBEventStore(path: path)
    _ = try await CouncilSimulation.generate(events: events, seed: seed, into: store)
    let runner = ProjectionRunner(MemberDirectoryProjection(), store: store)
    try await runner.rebuild()
    return (store, runner.read { directory, _ in directory })
  }

  /// The directory's kept state in a generated log of 2 000 events (closed after), and the
  /// directory itself.
  func keptState(at path: String, seed: UInt64) async throws -> (StoredState, MemberDirectory) {
    let (store, directory) = try await keptLog(at: path, events: 2000, seed: seed)
    defer { store.close() }
    let state = try #require(try await store.loadState(MemberDirectoryProjection().stateKey))
    return (state, directory)
  }

  /// Questions over every region, service, client group and language the directory holds,
  /// in other cases and accents, with words of names and cities, and pages of every kind.
  func questions(about directory: MemberDirectory) -> [DirectoryQuery] {
    let entries = directory.activeEntries
    let regions = Set(entries.map(\.profile.region)).sorted()
    let services = Set(entries.flatMap(\.profile.services)).sorted()
    let groups = Set(entries.flatMap(\.profile.clientGroups)).sorted()
    let languages = Set(entries.flatMap(\.profile.languages)).sorted()
    var queries: [DirectoryQuery] = [DirectoryQuery(), DirectoryQuery(pageSize: 1_000_000)]
    for region in regions {
      queries.append(DirectoryQuery(region: region, pageSize: 1_000_000))
      queries.append(DirectoryQuery(region: region.uppercased(), page: 1, pageSize: 3))
    }
    queries.append(DirectoryQuery(region: "quebec"))
    queries.append(DirectoryQuery(region: " Québec "))
    for service in services { queries.append(DirectoryQuery(service: service, pageSize: 40)) }
    for group in groups { queries.append(DirectoryQuery(clientGroup: group, page: 2, pageSize: 5)) }
    for language in languages { queries.append(DirectoryQuery(language: language.lowercased())) }
    if let region = regions.first, let service = services.first, let group = groups.last {
      queries.append(DirectoryQuery(region: region, service: service, clientGroup: group))
    }
    for entry in entries.prefix(5) {
      let word = entry.profile.nameEnglish.split(separator: " ").last.map(String.init) ?? ""
      queries.append(DirectoryQuery(text: word))
      queries.append(DirectoryQuery(text: entry.profile.city.uppercased() + " " + word))
    }
    queries.append(DirectoryQuery(text: "montreal"))
    queries.append(DirectoryQuery(region: "Atlantis"))
    queries.append(DirectoryQuery(page: 10_000, pageSize: 50))
    queries.append(DirectoryQuery(page: Int.max, pageSize: Int.max))
    queries.append(DirectoryQuery(page: 3, pageSize: Int.max))
    return queries
  }

  @Test func itAnswersEveryQuestionAsTheDirectoryAndThePlainSearchDo() async throws {
    let temporary = TemporaryDirectory()
    let (store, directory) = try await keptLog(at: temporary.appending("log"))
    defer { store.close() }
    let kept = try #require(try await KeptDirectory.current(in: store))
    #expect(kept.position == (try await store.headPosition()))
    let queries = questions(about: directory)
    #expect(queries.count > 30)
    var answered = 0
    for query in queries {
      for viewer in [Issuer.office, .publicPerson(name: "reader")] {
        let plain = plainDirectorySearch(directory, query, as: viewer)
        #expect(PlainPage(directory.search(query, as: viewer)) == plain, "\(query)")
        #expect(PlainPage(try kept.search(query, as: viewer)) == plain, "\(query)")
        #expect(
          PlainPage(try kept.search(query, as: viewer, decodingInParallelFrom: 2)) == plain,
          "\(query), its page decoded on several threads")
        let lent = try #require(try await KeptDirectory.search(query, as: viewer, in: store))
        #expect(PlainPage(lent.page) == plain, "\(query), read where LMDB keeps it")
        #expect(lent.position == kept.position)
        answered += plain.entries.count
      }
    }
    #expect(answered > 1000, "the questions found members")
    // E-mail addresses: kept for the office, blanked for the public.
    let office = try kept.search(DirectoryQuery(pageSize: 1_000_000), as: .office)
    let publicPage = try kept.search(
      DirectoryQuery(pageSize: 1_000_000), as: .publicPerson(name: "r"))
    #expect(office.entries.contains { $0.accounts.contains { $0.email != nil } })
    #expect(!publicPage.entries.contains { $0.accounts.contains { $0.email != nil } })
  }

  @Test func aCopyIsGivenOnlyWhileTheLogHasNotMovedAndASearchAnswersForTheHead() async throws {
    let temporary = TemporaryDirectory()
    let store = try LMDBEventStore(path: temporary.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 1500, seed: 3, into: store)
    let query = DirectoryQuery(region: "Quebec")
    #expect(try await KeptDirectory.current(in: store) == nil, "nothing kept yet")
    #expect(try await KeptDirectory.search(query, as: .office, in: store) == nil)
    let runner = ProjectionRunner(
      MemberDirectoryProjection(), store: store, options: .init(pageSize: 100))
    #expect(try await runner.catchUp(until: LogPosition(700)) < store.headPosition())
    #expect(try await KeptDirectory.current(in: store) == nil, "kept at an earlier position")
    let head = try await store.headPosition()
    let now = try await MemberDirectoryProjection().state(in: store, asOf: .now).value
    let behind = try #require(try await KeptDirectory.search(query, as: .office, in: store))
    #expect(behind.position == head, "answered for the head")
    #expect(PlainPage(behind.page) == plainDirectorySearch(now, query, as: .office))
    try await runner.catchUp()
    let kept = try #require(try await KeptDirectory.current(in: store))
    #expect(kept.position == head)
    _ = try await store.append(
      [
        StreamAppend(
          stream: StreamName(category: "note", id: "1"), expectedVersion: .any,
          events: [
            try EventData(
              CouncilEstablished(name: "x", termMonths: 12, graceDays: 0), id: .random(),
              metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
          ])
      ])
    #expect(try await KeptDirectory.current(in: store) == nil, "an event appended since")
    let after = try #require(try await KeptDirectory.search(query, as: .office, in: store))
    #expect(after.position == head.next, "an event the directory does not read: the same answer")
    #expect(PlainPage(after.page) == plainDirectorySearch(now, query, as: .office))
  }

  @Test func keptBehindTheHeadItAnswersEveryQuestionAsTheDirectoryAtTheHead() async throws {
    let temporary = TemporaryDirectory()
    let store = try LMDBEventStore(path: temporary.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 4000, seed: 17, into: store)
    let head = try await store.headPosition()
    let now = try await MemberDirectoryProjection().state(in: store, asOf: .now).value
    let queries = questions(about: now)
    var changedAnswers = 0
    var folded: Set<UInt64> = []
    for target in [1, 40, 700, 2500, Int(head.rawValue) - 1] {
      // Kept at or after `target` behind the head (a runner that loads nothing folds from the
      // start and saves where it stops: at the first event of the directory's from there).
      let runner = ProjectionRunner(
        MemberDirectoryProjection(), store: store, options: .init(pageSize: 1))
      let kept = try await runner.catchUp(until: LogPosition(head.rawValue - UInt64(target)))
      let behind = Int(head.rawValue - kept.rawValue)
      folded.insert(UInt64(behind))
      let then = runner.read { directory, _ in directory }
      for query in queries {
        for viewer in [Issuer.office, .publicPerson(name: "reader")] {
          let plain = plainDirectorySearch(now, query, as: viewer)
          let answer = try #require(
            try await KeptDirectory.search(query, as: viewer, in: store),
            "\(behind) behind: \(query)")
          #expect(answer.position == head)
          #expect(PlainPage(answer.page) == plain, "\(behind) behind: \(query)")
          if plainDirectorySearch(then, query, as: viewer) != plain { changedAnswers += 1 }
        }
      }
      // Beyond the limit it folds, no answer: the directory is to be caught up whole.
      if behind > 0 {
        #expect(
          try await KeptDirectory.search(
            queries[0], as: .office, in: store, foldingAtMost: behind - 1) == nil)
      }
    }
    #expect(folded.filter { $0 > 30 }.count >= 3, "kept behind by \(folded.sorted())")
    #expect(changedAnswers > 100, "the new events changed the answers")
  }

  @Test func anAccountDeactivatedSinceItWasKeptLeavesTheAnswerToAWholeCatchUp() async throws {
    let temporary = TemporaryDirectory()
    let (store, directory) = try await keptLog(at: temporary.appending("log"), events: 1500)
    defer { store.close() }
    let account = try #require(directory.activeEntries.first?.accounts.last?.account)
    _ = try await store.append(
      [
        StreamAppend(
          stream: StreamName(category: "account", id: account.rawValue), expectedVersion: .any,
          events: [
            try EventData(
              AccountDeactivated(on: Day(2030, 1, 1), reason: "left"), id: .random(),
              metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
          ])
      ])
    #expect(try await KeptDirectory.search(DirectoryQuery(), as: .office, in: store) == nil)
    // The runner the queries fall back on folds it.
    let runner = ProjectionRunner(MemberDirectoryProjection(), store: store)
    try await runner.load()
    try await runner.catchUp()
    let caughtUp = runner.read { directory, _ in directory }
    #expect(!caughtUp.activeEntries.flatMap(\.accounts).contains { $0.account == account })
    let answer = try #require(
      try await KeptDirectory.search(DirectoryQuery(pageSize: 1_000_000), as: .office, in: store))
    #expect(!answer.page.entries.flatMap(\.accounts).contains { $0.account == account })
  }

  @Test func damagedBytesWithEventsFoldedOverThemAreRefusedOrAnsweredRightly() async throws {
    let temporary = TemporaryDirectory()
    let store = try LMDBEventStore(path: temporary.appending("log"))
    defer { store.close() }
    _ = try await CouncilSimulation.generate(events: 2000, seed: 23, into: store)
    let head = try await store.headPosition()
    let runner = ProjectionRunner(
      MemberDirectoryProjection(), store: store, options: .init(pageSize: 1))
    let kept = try await runner.catchUp(until: LogPosition(head.rawValue - 1200))
    let state = try #require(try await store.loadState(MemberDirectoryProjection().stateKey))
    #expect(state.position == kept.rawValue)
    let events = try await KeptDirectory.newEvents(in: store, after: kept, upTo: head)
    #expect(events.count > 100, "\(events.count) events of the directory's since")
    let now = try await MemberDirectoryProjection().state(in: store, asOf: .now).value
    let query = DirectoryQuery(pageSize: 1_000_000)
    let expected = plainDirectorySearch(now, query, as: .office)
    func answer(_ bytes: [UInt8]) -> Result<DirectoryPage?, EventStoreError> {
      bytes.withUnsafeBytes { raw in
        Result { () throws(EventStoreError) in
          try KeptDirectory.answer(query, as: .office, in: raw, folding: events)
        }
      }
    }
    #expect(try answer(state.bytes).get().map(PlainPage.init) == expected)
    var generator = SplitMix64(seed: 5)
    var refused = 0
    for _ in 0..<200 {
      var flipped = state.bytes
      let index = Int.random(in: 0..<flipped.count, using: &generator)
      flipped[index] ^= UInt8.random(in: 1...255, using: &generator)
      switch answer(flipped) {
      case .failure(let error):
        #expect(error.code == .corruptRecord, "byte \(index)")
        refused += 1
      case .success(let page):
        #expect(page.map(PlainPage.init) == expected, "byte \(index) changed: answered wrongly")
      }
    }
    #expect(refused > 100, "\(refused) of 200 changed bytes refused")
  }

  @Test func aDamagedDirectoryInTheLogIsACorruptRecordNamingItsState() async throws {
    let temporary = TemporaryDirectory()
    let (store, _) = try await keptLog(at: temporary.appending("log"), events: 1500, seed: 9)
    defer { store.close() }
    let key = MemberDirectoryProjection().stateKey
    var state = try #require(try await store.loadState(key))
    // A byte of the records' length, which every question reads to find the order.
    state.bytes[4] ^= 0x20
    try await store.saveState(state, for: key)
    do {
      _ = try await KeptDirectory.search(DirectoryQuery(), as: .office, in: store)
      Issue.record("a damaged directory answered")
    } catch let error as EventStoreError {
      #expect(error.code == .corruptRecord)
      #expect(error.message.contains(key))
    }
  }

  @Test func theDirectoryReadsBackWholeAsItWasKept() async throws {
    let temporary = TemporaryDirectory()
    let (store, directory) = try await keptLog(
      at: temporary.appending("log"), events: 2500, seed: 5)
    defer { store.close() }
    let state = try #require(try await store.loadState(MemberDirectoryProjection().stateKey))
    let decoded = try state.bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      return try MemberDirectory(from: &reader)
    }
    #expect(decoded == directory)
    var writer = BinaryWriter()
    decoded.encode(to: &writer)
    #expect(writer.bytes == state.bytes, "equal directories, equal bytes")
  }

  @Test func damagedBytesGiveATypedErrorNeverACrashOrAWrongAnswer() async throws {
    let temporary = TemporaryDirectory()
    let (state, directory) = try await keptState(at: temporary.appending("log"), seed: 8)
    let query = DirectoryQuery(pageSize: 1_000_000)
    let expected = PlainPage(directory.search(query, as: .office))
    func answer(_ bytes: [UInt8]) -> Result<DirectoryPage, EventStoreError> {
      Result { () throws(EventStoreError) in
        try KeptDirectory(StoredState(position: state.position, bytes: bytes))
          .search(query, as: .office)
      }
    }
    #expect(PlainPage(try answer(state.bytes).get()) == expected)
    func expectWholeDecodeRefuses(_ bytes: [UInt8], _ what: String) {
      #expect(throws: (any Error).self, "\(what): the whole decode refuses it") {
        try bytes.withUnsafeBytes { raw in
          var reader = BinaryReader(raw)
          _ = try MemberDirectory(from: &reader)
        }
      }
    }
    /// Refused with the state named, or (when the change lies in bytes the question does not
    /// read: an inactive member's record, the whole's checksum) answered
    /// exactly as before. Whether it was refused.
    func expectRefusedOrRight(_ bytes: [UInt8], _ what: String) -> Bool {
      expectWholeDecodeRefuses(bytes, what)
      switch answer(bytes) {
      case .failure(let error):
        #expect(error.code == .corruptRecord, "\(what)")
        #expect(error.message.contains(MemberDirectoryProjection().stateKey), "\(what)")
        return true
      case .success(let page):
        #expect(PlainPage(page) == expected, "\(what): answered, and wrongly")
        return false
      }
    }
    // Cut short anywhere: refused.
    for length in stride(from: 0, to: state.bytes.count, by: max(1, state.bytes.count / 97)) {
      #expect(
        expectRefusedOrRight(Array(state.bytes.prefix(length)), "cut at \(length)"),
        "cut at \(length) of \(state.bytes.count): answered")
    }
    #expect(expectRefusedOrRight(Array(state.bytes.dropLast()), "its last byte cut"))
    // Any byte changed: refused, or the right answer when the question does not read it.
    var generator = SplitMix64(seed: 21)
    var refused = 0
    for _ in 0..<200 {
      var flipped = state.bytes
      let index = Int.random(in: 0..<flipped.count, using: &generator)
      flipped[index] ^= UInt8.random(in: 1...255, using: &generator)
      if expectRefusedOrRight(flipped, "byte \(index) changed") { refused += 1 }
    }
    // The question reads the order and every active member's record: most changes land there.
    #expect(refused > 100, "\(refused) of 200 changed bytes refused")
  }

  @Test func aChangedByteInARecordTheQuestionReadsIsRefusedThoughTheOrderIsIntact() async throws {
    let temporary = TemporaryDirectory()
    let (state, directory) = try await keptState(at: temporary.appending("log"), seed: 4)
    // An active member other than the first whose English name is written twice, in its
    // record and then in the order (which keys its entry by it): change a byte of the first.
    func places(of text: String) -> [Int] {
      let name = Array(text.utf8)
      return (0...(state.bytes.count - name.count)).filter {
        state.bytes[$0..<($0 + name.count)].elementsEqual(name)
      }
    }
    let at = try #require(
      directory.activeEntries.dropFirst().reversed().lazy
        .map { places(of: $0.profile.nameEnglish) }.first { $0.count == 2 }?.first)
    var changed = state.bytes
    changed[at] ^= 0x01
    let kept = try KeptDirectory(StoredState(position: state.position, bytes: changed))
    // A question that does not reach the record still answers, and rightly.
    let other = DirectoryQuery(pageSize: 1)
    #expect(
      PlainPage(try kept.search(other, as: .office))
        == PlainPage(directory.search(other, as: .office)))
    // One that returns it is refused, its page decoded on one thread or on several.
    for parallelFrom in [KeptDirectory.decodeInParallel, 2] {
      do {
        _ = try kept.search(
          DirectoryQuery(pageSize: 1_000_000), as: .office, decodingInParallelFrom: parallelFrom)
        Issue.record("a changed record answered")
      } catch {
        #expect(error.code == .corruptRecord)
        #expect(error.message.contains("record does not match"), "\(error.message)")
      }
    }
  }

  @Test func aQuestionOnTermsReadsOnlyTheEntriesListedUnderThemAndAnswersAsThePlainSearch()
    throws
  {
    // Spellings that fold to one text, terms listed twice by one member, members that are
    // not active: each list of the postings must still give every entry that can match, once.
    var directory = MemberDirectory()
    let regions = ["Québec", "Quebec", "QUEBEC", "Ontario", "Yukon"]
    let services = ["housing", "Housing", "legal information", "employment"]
    let groups = ["youth", "Youth ", "women", "seniors"]
    let languages = ["French", "français", "English"]
    var random = SplitMix64(seed: 41)
    for number in 0..<300 {
      func some(_ terms: [String]) -> [String] {
        (0..<Int.random(in: 0...4, using: &random)).map { _ in
          terms.randomElement(using: &random) ?? ""
        }
      }
      let profile = MemberProfile(
        nameEnglish: "Centre \(number % 37)", nameFrench: "Centre \(number)",
        region: regions.randomElement(using: &random) ?? "", city: "Montréal",
        services: some(services), clientGroups: some(groups), languages: some(languages))
      directory.records[MemberID("m\(number)")] = MemberDirectory.Record(
        profile: profile, active: number % 5 != 0,
        accounts: [
          DirectoryAccount(
            account: AccountID("a\(number)"),
            name: Personal(
              subject: DataSubject("account", "a\(number)"), content: .sealed([1, 2, 3])),
            role: nil, email: nil)
        ])
    }
    // Every fifth member is not active: 240 of the 300 are, counted without building entries.
    #expect(directory.activeCount == 240)
    #expect(directory.activeCount == directory.activeEntries.count)
    var writer = BinaryWriter()
    directory.encode(to: &writer)
    #expect(writer.failure == nil)
    let kept = try KeptDirectory(StoredState(position: 1, bytes: writer.bytes))
    var queries: [DirectoryQuery] = []
    for region in regions + ["quebec", "Atlantis"] {
      queries.append(DirectoryQuery(region: region, pageSize: 1_000))
      queries.append(DirectoryQuery(region: region, page: 1, pageSize: 7))
      for service in services {
        queries.append(DirectoryQuery(region: region, service: service, pageSize: 1_000))
      }
    }
    for service in services { queries.append(DirectoryQuery(service: service, pageSize: 1_000)) }
    for group in groups + ["YOUTH"] {
      queries.append(DirectoryQuery(clientGroup: group, pageSize: 1_000))
      for language in languages {
        queries.append(DirectoryQuery(clientGroup: group, language: language, pageSize: 1_000))
      }
    }
    queries.append(DirectoryQuery(region: "quebec", text: "centre 3", pageSize: 1_000))
    var found = 0
    for query in queries {
      let plain = plainDirectorySearch(directory, query, as: .office)
      #expect(PlainPage(try kept.search(query, as: .office)) == plain, "\(query)")
      found += plain.total
    }
    #expect(found > 2_000, "the questions found members")
    // A question on Quebec reads the entries of its three spellings alone.
    let quebec = directory.activeEntries.filter {
      MemberDirectory.fold($0.profile.region) == "quebec"
    }
    #expect(quebec.count > 50 && quebec.count < directory.activeEntries.count - 50)
    let read = try writer.bytes.withUnsafeBytes { raw in
      var reader = BinaryReader(raw)
      let layout = try DirectoryLayout(&reader, checkingWhole: true)
      var search = DirectorySearch(DirectoryQuery(region: "Quebec"))
      return try search.termFilter(layout.terms).candidates(in: layout, raw: raw)?.count
    }
    #expect(read == quebec.count)
  }
}
