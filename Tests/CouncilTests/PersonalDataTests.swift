import Council
import EventLog
import EventLogLMDB
import EventLogPersonalData
import EventLogTestSupport
import Foundation
import Testing

/// Two people and what the log holds of them: Ingrid holds the administrative account of
/// member 42 (her name and e-mail) and registers for the conference, where she leaves a
/// comment; Bertha registers, attends and comments too.
struct PeopleOnRecord {
  static let ingridName = "Ingrid Vasquez-Oyelaran"
  static let ingridEmail = "ingrid.vo@fcj.example"
  static let ingridComment = "Une remarque singulière, numéro 4471"
  static let berthaName = "Bertha Keepwell-Ansah"
  static let berthaComment = "Keep this comment 9922"

  static let gathering: GatheringID = "irrc-2018"
  static let ingrid = DataSubject.participant(gathering, "r1")
  static let ingridAccount = DataSubject.account("a-42")
  static let bertha = DataSubject.participant(gathering, "r2")

  /// Records both people into `council`.
  static func record(in council: Council) async throws {
    try await council.establish(
      name: "Canadian Council for Refugees",
      policy: MembershipPolicy(termMonths: 12, graceDays: 60), by: .office)
    try await council.apply("42", profile: profile, by: .publicPerson(name: "FCJ"))
    try await council.approve(
      "42",
      administrator: AdministrativeAccountRequest(
        account: "a-42", name: ingridName, email: ingridEmail),
      by: .office)
    var scheduled = conference
    scheduled.capacity = 10
    try await council.schedule(scheduled, by: .office)
    try await council.run(
      .openRegistration(on: Day(2018, 3, 1), by: .office), on: gathering, by: .office)
    try await council.register(
      "r1",
      Participant(
        name: ingridName, organization: "FCJ Refugee Centre", country: "Canada", rate: .member),
      at: gathering, on: Day(2018, 4, 1), by: .office)
    try await council.register(
      "r2",
      Participant(
        name: berthaName, organization: "Keepwell Society", country: "Ghana", rate: .nonMember,
        refugee: true),
      at: gathering, on: Day(2018, 4, 2), by: .office)
    try await council.run(
      .defineEvaluation(["Useful?"], by: .office), on: gathering, by: .office)
    for registration: RegistrationID in ["r1", "r2"] {
      try await council.checkIn(registration, at: gathering, on: Day(2018, 6, 7), by: .office)
    }
    try await council.evaluate(
      "r1", at: gathering, answers: [5], comment: ingridComment, by: .office)
    try await council.evaluate(
      "r2", at: gathering, answers: [4], comment: berthaComment, by: .office)
  }

  /// Ingrid's name, e-mail and comment, and Bertha's, as the byte searches look for them.
  static let ingridTexts = [ingridName, ingridEmail, ingridComment]
  static let berthaTexts = [berthaName, berthaComment]
}

/// Whether `text` appears in `bytes` as UTF-8, UTF-16 little-endian or UTF-16 big-endian.
func occurs(_ text: String, in bytes: [UInt8]) -> Bool {
  let forms: [[UInt8]] = [
    Array(text.utf8),
    text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
    text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] },
  ]
  return forms.contains { form in
    guard form.count <= bytes.count else { return false }
    let first = form[0]
    var index = 0
    while index <= bytes.count - form.count {
      if bytes[index] == first, bytes[index..<(index + form.count)].elementsEqual(form) {
        return true
      }
      index += 1
    }
    return false
  }
}

/// Whether `pattern` appears in `bytes`.
func contains(_ pattern: [UInt8], in bytes: [UInt8]) -> Bool {
  guard !pattern.isEmpty, pattern.count <= bytes.count else { return false }
  var index = 0
  while index <= bytes.count - pattern.count {
    if bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
      return true
    }
    index += 1
  }
  return false
}

/// Every file under `directory`, read whole.
func filesUnder(_ directory: String) throws -> [(String, [UInt8])] {
  var files: [(String, [UInt8])] = []
  let enumerator = FileManager.default.enumerator(atPath: directory)
  while let name = enumerator?.nextObject() as? String {
    let path = directory + "/" + name
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      !isDirectory.boolValue
    else { continue }
    files.append((name, Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
  }
  return files
}

@Suite("Personal data: sealed per person, forgotten for good")
struct PersonalDataTests {
  @Test("nothing personal is in the log's files; after forgetting and compacting, no byte of it")
  func forgettingReachesEveryByte() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    let master = MasterKey.generate()
    var ingridKeys: [[UInt8]] = []
    do {
      let store = try LMDBEventStore(path: path)
      defer { store.close() }
      let vault = PersonalDataVault(keys: store, masterKey: master)
      let council = Council(
        store: store, clock: .fixed(Day(2018, 2, 1).start), protector: vault)
      try await PeopleOnRecord.record(in: council)

      // Encrypted at rest: neither person is in the data file.
      let data = try filesUnder(path).filter { $0.0 == "data.mdb" }
      #expect(data.count == 1)
      for text in PeopleOnRecord.ingridTexts + PeopleOnRecord.berthaTexts {
        #expect(!occurs(text, in: data[0].1), "\(text) is in data.mdb in plaintext")
      }
      // The export opened with the master key holds Ingrid; the default export does not.
      var plain: [String] = []
      try await Interchange.export(store, revealingWith: vault) { plain.append($0) }
      var sealed: [String] = []
      try await Interchange.export(store) { sealed.append($0) }
      for text in PeopleOnRecord.ingridTexts {
        #expect(plain.contains { $0.contains(text) }, "\(text) is not in the opened export")
        #expect(!sealed.contains { $0.contains(text) }, "\(text) is in the sealed export")
      }

      // Her keys, wrapped as the file holds them, to look for after compaction.
      for subject in [
        PeopleOnRecord.ingrid, .respondent(PeopleOnRecord.ingrid), PeopleOnRecord.ingridAccount,
      ] {
        let keys = try await store.dataKeys(of: subject)
        #expect(!keys.isEmpty, "\(subject) has no key")
        ingridKeys += keys.map(\.wrapped)
      }
      let erasure = try await council.forget(
        PeopleOnRecord.ingrid, reason: "she asked", by: .office)
      #expect(erasure.subjects == [PeopleOnRecord.ingrid, .respondent(PeopleOnRecord.ingrid)])
      try await council.forget(PeopleOnRecord.ingridAccount, reason: "she asked", by: .office)

      // After: the opened export holds nothing of Ingrid, and all of Bertha.
      plain = []
      try await Interchange.export(store, revealingWith: vault) { plain.append($0) }
      for text in PeopleOnRecord.ingridTexts {
        #expect(!plain.contains { $0.contains(text) }, "\(text) is still in the export")
      }
      for text in PeopleOnRecord.berthaTexts {
        #expect(plain.contains { $0.contains(text) }, "\(text) is gone from the export")
      }
    }
    try LMDBEventStore.compact(at: path)
    for (name, bytes) in try filesUnder(path) {
      for text in PeopleOnRecord.ingridTexts {
        #expect(!occurs(text, in: bytes), "\(text) is in \(name) after compaction")
      }
      // Nor her destroyed keys: the keys database is in the same file.
      for key in ingridKeys {
        #expect(!contains(key, in: bytes), "a destroyed key of Ingrid is in \(name)")
      }
    }

    // Reopened with the master key: Bertha reads back exactly, Ingrid reads as erased.
    let store = try LMDBEventStore(path: path)
    defer { store.close() }
    let council = Council(
      store: store, protector: PersonalDataVault(keys: store, masterKey: master))
    let reports = try await GatheringReportsProjection().state(in: store, asOf: .now).value
    let summary = try #require(reports.evaluationSummary(PeopleOnRecord.gathering))
    #expect(summary.responses == 2)
    var comments: [String] = []
    for comment in summary.comments {
      comments.append(try await council.reveal(comment, by: .office).description)
    }
    #expect(comments == [Personal<String>.erasedMark, PeopleOnRecord.berthaComment])
    let state = try await council.gathering(PeopleOnRecord.gathering)
    let bertha = try #require(state.registrations["r2"]?.participant)
    #expect(
      try await council.reveal(bertha.name, by: .office).revealed == PeopleOnRecord.berthaName)
    let ingrid = try #require(state.registrations["r1"]?.participant)
    #expect(try await council.reveal(ingrid.name, by: .office).isErased)
    #expect(ingrid.country == "Canada", "what the counts use stays")
  }

  @Test("the report's counts stay, as of now and as of before the erasure; the person does not")
  func countsStayAndThePastForgetsToo() async throws {
    let store = InMemoryEventStore()
    let council = Council(store: store, clock: .fixed(Day(2018, 2, 1).start))
    try await PeopleOnRecord.record(in: council)
    let before = try await GatheringReportsProjection().state(in: store, asOf: .now)
    try await council.forget(PeopleOnRecord.bertha, reason: "asked", by: .office)
    let after = try await GatheringReportsProjection().state(in: store, asOf: .now).value
    #expect(
      after.registrationCounts(PeopleOnRecord.gathering)
        == before.value.registrationCounts(PeopleOnRecord.gathering))
    #expect(
      after.evaluationSummary(PeopleOnRecord.gathering)?.statements
        == before.value.evaluationSummary(PeopleOnRecord.gathering)?.statements)
    // As of the moment before the erasure, the comment no longer opens either.
    let past = try await GatheringReportsProjection().state(
      in: store, asOf: .position(before.position))
    let comments = try #require(past.value.evaluationSummary(PeopleOnRecord.gathering)?.comments)
    #expect(comments.count == 2)
    let opened = try await council.reveal(comments[1], by: .office)
    #expect(opened.isErased)
    #expect(
      try await council.reveal(comments[0], by: .office).revealed == PeopleOnRecord.ingridComment)
  }

  @Test("forgetting twice, someone unknown, or as anyone but the office is a typed error")
  func forgettingIsChecked() async throws {
    let store = InMemoryEventStore()
    let council = Council(store: store, clock: .fixed(Day(2018, 2, 1).start))
    try await PeopleOnRecord.record(in: council)
    let erasure = try await council.forget(PeopleOnRecord.bertha, reason: "asked", by: .office)
    let head = await store.headPosition()
    let twice = await #expect(throws: PersonalDataError.self) {
      try await council.forget(PeopleOnRecord.bertha, reason: "again", by: .office)
    }
    #expect(twice?.code == .alreadyErased)
    #expect(twice?.position == erasure.positions.first)
    let unknown = await #expect(throws: PersonalDataError.self) {
      try await council.forget(.participant("irrc-2018", "r99"), reason: "x", by: .office)
    }
    #expect(unknown?.code == .unknownSubject)
    let member = await #expect(throws: PersonalDataError.self) {
      try await council.forget(PeopleOnRecord.ingrid, reason: "x", by: admin)
    }
    #expect(member?.code == .notPermitted)
    #expect(await store.headPosition() == head, "a refused erasure appended something")
    #expect(try await council.people(by: .office)[PeopleOnRecord.bertha] == .erased)
    #expect(try await council.people(by: .office)[PeopleOnRecord.ingrid] == .held)
  }

  @Test("the public reads nobody's data; an administrator reads their own organization's")
  func readingFollowsTheIssuersPermissions() async throws {
    let store = InMemoryEventStore()
    let council = Council(store: store, clock: .fixed(Day(2018, 2, 1).start))
    try await PeopleOnRecord.record(in: council)
    let state = try await council.gathering(PeopleOnRecord.gathering)
    let name = try #require(state.registrations["r1"]?.participant.name)
    let refused = await #expect(throws: PersonalDataError.self) {
      try await council.reveal(name, by: .publicPerson(name: "curious"))
    }
    #expect(refused?.code == .notPermitted)
    let access = await #expect(throws: PersonalDataError.self) {
      try await council.person(PeopleOnRecord.ingrid, by: .publicPerson(name: "curious"))
    }
    #expect(access?.code == .notPermitted)
    // The administrator of member 42 reads its own account, not a participant's record.
    let account = try await council.person(PeopleOnRecord.ingridAccount, by: admin)
    #expect(account.events.contains { $0.data.contains(PeopleOnRecord.ingridEmail) })
    let other = Issuer.memberAdministrator(member: "7", account: "a-7")
    #expect(try await !council.mayRead(PeopleOnRecord.ingridAccount, by: other))
    #expect(try await !council.mayRead(PeopleOnRecord.ingrid, by: admin))
  }

  @Test("an access request lists every event of the person, with positions, opened")
  func anAccessRequestIsAnswered() async throws {
    let store = InMemoryEventStore()
    let council = Council(store: store, clock: .fixed(Day(2018, 2, 1).start))
    try await PeopleOnRecord.record(in: council)
    let record = try await council.person(PeopleOnRecord.ingrid, by: .office)
    #expect(record.status == .held)
    #expect(
      record.events.map(\.eventType) == [
        "ParticipantRegistered", "ParticipantCheckedIn", "EvaluationSubmitted",
      ])
    #expect(record.events[0].data.contains(PeopleOnRecord.ingridName))
    // Her evaluation's comment is hers too: opened with the rest.
    #expect(record.events[2].data.contains(PeopleOnRecord.ingridComment))
    #expect(!record.events.contains { $0.data.contains(PeopleOnRecord.berthaName) })
    #expect(record.events.map(\.position) == record.events.map(\.position).sorted())
    try await council.forget(PeopleOnRecord.ingrid, reason: "asked", by: .office)
    let after = try await council.person(PeopleOnRecord.ingrid, by: .office)
    #expect(after.status == .erased)
    #expect(after.events.last?.eventType == "PersonalDataErased")
    #expect(!after.events.contains { $0.data.contains(PeopleOnRecord.ingridName) })
    #expect(!after.events.contains { $0.data.contains("\"sealed\"") }, "shown erased, not sealed")
    #expect(after.events[2].data.contains("\"erased\":true"))
  }

  @Test("a personal value is never written in plaintext: without a sealer the command is refused")
  func noSealerNoAppend() async throws {
    let store = InMemoryEventStore()
    var handler = CommandHandler(decider: GatheringDecider(), store: store)
    try await handler.handle(.schedule(conference, by: .office), on: "gathering-irrc-2018")
    try await handler.handle(
      .openRegistration(on: Day(2018, 3, 1), by: .office), on: "gathering-irrc-2018")
    let head = await store.headPosition()
    handler.protector = nil
    let error = await #expect(throws: EventStoreError.self) {
      try await handler.handle(
        .register("r1", ana, on: Day(2018, 4, 1), by: .office), on: "gathering-irrc-2018")
    }
    #expect(error?.code == .encodingFailed)
    #expect(await store.headPosition() == head)
  }

  @Test("a sealed value opens only for its subject, and only with the master key it was made with")
  func sealedValuesAreBoundToSubjectAndMasterKey() async throws {
    let keys = InMemoryDataKeyStore()
    let vault = PersonalDataVault(keys: keys, masterKey: .generate())
    let ciphertext = try vault.seal(Array("Ana".utf8), for: PeopleOnRecord.ingrid)
    try await vault.saveNewKeys()
    #expect(try await vault.open(ciphertext, for: PeopleOnRecord.ingrid) == Array("Ana".utf8))
    let moved = await #expect(throws: PersonalDataError.self) {
      try await vault.open(ciphertext, for: PeopleOnRecord.bertha)
    }
    #expect(moved?.code == .keyUnavailable)
    let otherMaster = PersonalDataVault(keys: keys, masterKey: .generate())
    let wrongKey = await #expect(throws: PersonalDataError.self) {
      try await otherMaster.open(ciphertext, for: PeopleOnRecord.ingrid)
    }
    #expect(wrongKey?.code == .masterKey)
    #expect(try await vault.destroyKeys(of: PeopleOnRecord.ingrid))
    #expect(try await vault.open(ciphertext, for: PeopleOnRecord.ingrid) == nil)
    #expect(try await !vault.destroyKeys(of: PeopleOnRecord.ingrid))
    let again = #expect(throws: PersonalDataError.self) {
      try vault.seal(Array("Ana".utf8), for: PeopleOnRecord.ingrid)
    }
    #expect(again?.code == .subjectErased)
  }
}

@Suite("The master key file")
struct MasterKeyFileTests {
  @Test("many makers at once agree on one complete key, kept readable by its owner only")
  func concurrentMakersAgreeOnOneKey() async throws {
    let directory = TemporaryDirectory()
    let path = directory.path + "/config/council/master-key"
    let keys = try await withThrowingTaskGroup(of: String.self) { group in
      for _ in 0..<16 {
        group.addTask { try MasterKey.loadOrCreate(at: path).base64 }
      }
      var keys: Set<String> = []
      for try await key in group { keys.insert(key) }
      return keys
    }
    #expect(keys.count == 1)
    #expect(try MasterKey.load(from: path).base64 == keys.first)
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    let left = try FileManager.default.contentsOfDirectory(
      atPath: directory.path + "/config/council")
    #expect(left == ["master-key"])
  }

  @Test("a damaged key file is a typed error naming the file")
  func aDamagedKeyFileIsNamed() throws {
    let directory = TemporaryDirectory()
    let path = directory.path + "/master-key"
    try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: PersonalDataError.self) { try MasterKey.loadOrCreate(at: path) }
    #expect(error?.code == .masterKey)
    #expect(error?.message.contains(path) == true)
  }
}

@Suite("Retention rules, applied as of the council's clock")
struct RetentionTests {
  @Test("evaluation comments go three years after the conference, and only then, once")
  func commentsAreErasedThreeYearsAfter() async throws {
    let store = InMemoryEventStore()
    let council = Council(store: store, clock: .fixed(Day(2018, 2, 1).start))
    try await PeopleOnRecord.record(in: council)
    let rules = [
      RetentionRule("evaluation comments", erases: .respondent, months: 36, after: .gatheringEnds)
    ]
    // The conference ended on 9 June 2018.
    let early = council.with(clock: .fixed(Day(2021, 6, 9).start))
    #expect(try await early.applyRetention(rules, by: .office).isEmpty)
    let due = council.with(clock: .fixed(Day(2021, 6, 10).start))
    let erasures = try await due.applyRetention(rules, by: .office)
    #expect(
      Set(erasures.flatMap(\.subjects))
        == [.respondent(PeopleOnRecord.ingrid), .respondent(PeopleOnRecord.bertha)])
    #expect(try await due.applyRetention(rules, by: .office).isEmpty, "a second run erased more")
    // The comments are gone; the names, and every figure, are not.
    let reports = try await GatheringReportsProjection().state(in: store, asOf: .now).value
    let summary = try #require(reports.evaluationSummary(PeopleOnRecord.gathering))
    #expect(summary.responses == 2)
    for comment in summary.comments {
      #expect(try await council.reveal(comment, by: .office).isErased)
    }
    let state = try await council.gathering(PeopleOnRecord.gathering)
    let ingrid = try #require(state.registrations["r1"]?.participant)
    #expect(
      try await council.reveal(ingrid.name, by: .office).revealed == PeopleOnRecord.ingridName)
    // Each erasure names its rule.
    let record = try await council.person(.respondent(PeopleOnRecord.bertha), by: .office)
    #expect(record.events.last?.data.contains("\"rule\":\"evaluation comments\"") == true)
    let refused = await #expect(throws: PersonalDataError.self) {
      try await due.applyRetention(rules, by: admin)
    }
    #expect(refused?.code == .notPermitted)
  }

  @Test("rules are data: they read from JSON")
  func rulesAreData() throws {
    let json = Data(
      #"[{"name":"comments","subjects":"respondent","months":36,"after":"gatheringEnds"}]"#.utf8)
    let rules = try JSONDecoder().decode([RetentionRule].self, from: json)
    #expect(
      rules == [RetentionRule("comments", erases: .respondent, months: 36, after: .gatheringEnds)])
  }
}
