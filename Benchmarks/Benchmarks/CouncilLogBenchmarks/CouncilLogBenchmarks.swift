// Benchmarks of CouncilLog, each beside the engine's own limit measured in the same run:
// raw LMDB puts and a raw cursor scan through the C API (RawLMDB); with a PostgreSQL server,
// the same work on PostgresEventStore beside raw postgres-nio statements (PostgresBenchmarks.swift).
//
//   cd Benchmarks && swift package --disable-sandbox benchmark
//   bash scripts/bench-postgres.sh          # with a throwaway PostgreSQL cluster (fsync on)
//
// Every benchmark does a fixed amount of work per iteration, named in its title; events per
// second = throughput (iterations per second) × events per iteration. See README.md here.
import Benchmark
import Council
import CouncilSamples
import EventLog
import EventLogLMDB
import EventLogPersonalData
import Foundation
import RawLMDB

/// The benchmarks' vault: data keys kept in memory, wrapped by a master key made for the run.
let vault = PersonalDataVault(keys: InMemoryDataKeyStore(), masterKey: .generate())

/// A typical event: one registration to a consultation, with the participant's name and
/// organization (personal data) to be sealed with the participant's key.
let typical = GatheringEvent.participantRegistered(
  ParticipantRegistered(
    registration: "fall-2018-r1234",
    participant: Participant(
      name: "Amina Haddad", organization: "Centre social d'aide aux immigrants", country: "Canada",
      rate: .member, refugee: true, youth: false, funded: true
    ).of(.participant("fall-2018", "fall-2018-r1234")),
    on: Day(2018, 10, 2), awaitingApproval: false))

/// Keeps personal values as they are, unencrypted, in the same envelope a vault writes: the
/// baseline that the cost of encryption is measured against. For benchmarks only.
struct PlaintextProtector: PersonalDataProtector {
  func seal(_ plaintext: [UInt8], for subject: DataSubject) -> [UInt8] { plaintext }
  func saveNewKeys() async throws {}
  func open(_ ciphertext: [UInt8], for subject: DataSubject) async throws -> [UInt8]? {
    ciphertext
  }
  func destroyKeys(of subject: DataSubject) async throws -> Bool { false }
  func subjects() async throws -> [DataSubject: DataSubjectStatus] { [:] }
}

/// Opens the sealed name and organization of a registration: what showing the participant costs.
func openPersonalFields(of event: GatheringEvent, with protector: some PersonalDataProtector)
  async throws -> Int
{
  guard case .participantRegistered(let registered) = event else { return 0 }
  var bytes = 0
  for field in [registered.participant.name, registered.participant.organization] {
    guard case .sealed(let sealed) = field.content, let subject = field.subject else { continue }
    bytes += try await protector.open(sealed, for: subject)?.count ?? 0
  }
  return bytes
}

func temporaryDirectory(_ name: String) -> String {
  FileManager.default.temporaryDirectory.appendingPathComponent(
    "councillog-bench-\(name)-\(UUID().uuidString)"
  ).path
}

func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// 1 000 small events for batched appends: 330-byte records since their personal fields are
/// sealed (about 160 bytes before; see ``storedRecordSize(of:in:)``).
func batch(_ ids: EventIDGenerator) -> [EventData] {
  (0..<1000).map { _ in
    try! EventData(
      typical, id: ids.next(),
      metadata: EventMetadata(
        time: Timestamp(nanosecondsSince1970: 1_538_474_400_000_000_000), actor: "office"),
      sealer: vault)
  }
}

/// The size of the record the store writes for `event` appended to `stream`: what a raw
/// baseline puts to write the same bytes.
func storedRecordSize(of event: EventData, in stream: StreamName) async throws -> Int {
  let path = temporaryDirectory("record-size")
  defer { remove(path) }
  let store = try LMDBEventStore(path: path, options: .init(durability: .noSync))
  defer { store.close() }
  try await store.append([event], to: stream, expectedVersion: .any)
  var size = 0
  _ = try await store.scanLog(from: .first, limit: 1, filter: .all) { size = $0.bytes.count }
  return size
}

/// A council-shaped log: mostly consultation events (registrations, check-ins, evaluations,
/// sessions), with member, account and fund events among them.
func councilLog(events: Int, at path: String) async throws {
  let store = try LMDBEventStore(path: path, options: .init(durability: .noSync))
  defer { store.close() }
  try await councilLog(events: events, into: store)
}

/// The same council log, written into any store (the PostgreSQL benchmarks fill a schema with it).
func councilLog(events: Int, into store: some EventStore) async throws {
  let ids = EventIDGenerator.seeded(
    1, clock: .fixed(Timestamp(nanosecondsSince1970: 1_500_000_000_000_000_000)))
  let time = EventMetadata(time: Timestamp(nanosecondsSince1970: 1_500_000_000_000_000_000))
  var written = 0
  var gathering = 0
  while written < events {
    gathering += 1
    let id = GatheringID("g\(gathering)")
    var stream: [GatheringEvent] = [
      .gatheringScheduled(
        GatheringScheduled(
          gathering: id, kind: .nationalConsultation, season: "fall",
          name: "Consultation \(gathering)", city: "Ottawa",
          country: "Canada", starts: Day(2018, 11, 1), ends: Day(2018, 11, 3), capacity: 400,
          languages: ["en", "fr"],
          requiresApproval: false, offerDays: 3)),
      .evaluationFormDefined(
        EvaluationFormDefined(statements: ["Useful", "Organized", "Networking"])),
    ]
    for r in 0..<300 {
      var participant = Participant(
        name: "P\(r)", organization: "Org \(r % 50)", country: r % 9 == 0 ? "Mexico" : "Canada",
        rate: r % 3 == 0 ? .nonMember : .member)
      participant.youth = r % 7 == 0
      participant = participant.of(.participant(id, "\(id)-\(r)"))
      stream.append(
        .participantRegistered(
          ParticipantRegistered(
            registration: "\(id)-\(r)", participant: participant, on: Day(2018, 9, 1),
            awaitingApproval: false)))
    }
    for r in 0..<280 {
      stream.append(
        .participantCheckedIn(
          ParticipantCheckedIn(registration: "\(id)-\(r)", on: Day(2018, 11, 1))))
    }
    for r in 0..<90 {
      stream.append(
        .evaluationSubmitted(
          EvaluationSubmitted(
            registration: "\(id)-\(r)", answers: [5, 4, r % 5],
            comment: r % 10 == 0
              ? Personal("Good").of(.respondent(.participant(id, "\(id)-\(r)"))) : nil)))
    }
    for s in 0..<20 {
      stream.append(
        .sessionScheduled(
          SessionScheduled(
            session: "\(id)-s\(s)", kind: .workshop, title: "Workshop \(s)", on: Day(2018, 11, 2),
            interpretation: [])))
    }
    let data = try stream.map {
      try EventData($0, id: ids.next(), metadata: time, sealer: vault)
    }
    for chunk in stride(from: 0, to: data.count, by: 1000) {
      try await store.append(
        Array(data[chunk..<min(data.count, chunk + 1000)]),
        to: StreamName(category: "gathering", id: id.rawValue), expectedVersion: .any)
    }
    // Members and their accounts, applications to the fund.
    let member = MemberID("m\(gathering)")
    let profile = MemberProfile(
      nameEnglish: "Member \(gathering)", nameFrench: "Membre \(gathering)", region: "Ontario",
      city: "Toronto", services: ["settlement"], clientGroups: ["youth"], languages: ["en"])
    let memberEvents: [MemberEvent] = [
      .applied(MemberApplied(member: member, profile: profile, on: Day(2016, 1, 1))),
      .approved(
        MemberApproved(
          joinedOn: Day(2016, 2, 1), termEnds: Day(2017, 1, 31), graceDays: 60,
          administrativeAccount: "a\(gathering)")),
    ]
    try await store.append(
      try memberEvents.map { try EventData($0, id: ids.next(), metadata: time, sealer: vault) },
      to: StreamName(category: "member", id: member.rawValue), expectedVersion: .any)
    let account = AccountEvent.administrativeCreated(
      AdministrativeAccountCreated(
        account: "a\(gathering)", member: member,
        name: Personal("Office").of(.account("a\(gathering)")),
        email: Personal("o\(gathering)@x.example").of(.account("a\(gathering)")),
        on: Day(2016, 2, 1)))
    try await store.append(
      [try EventData(account, id: ids.next(), metadata: time, sealer: vault)],
      to: StreamName(category: "account", id: "a\(gathering)"), expectedVersion: .any)
    written += stream.count + 3
  }
}

/// A log where one event in twenty is a cancellation.
func oneInTwentyLog(events: Int, at path: String) async throws {
  let store = try LMDBEventStore(path: path, options: .init(durability: .noSync))
  defer { store.close() }
  let ids = EventIDGenerator.seeded(2, clock: .fixed(Timestamp(nanosecondsSince1970: 0)))
  let metadata = EventMetadata(time: Timestamp(nanosecondsSince1970: 0))
  for chunk in stride(from: 0, to: events, by: 1000) {
    let data = try (chunk..<min(events, chunk + 1000)).map { index -> EventData in
      index % 20 == 0
        ? try EventData(
          GatheringEvent.registrationCancelled(
            RegistrationCancelled(registration: "r\(index)", on: Day(2018, 5, 1))), id: ids.next(),
          metadata: metadata)
        : try EventData(typical, id: ids.next(), metadata: metadata, sealer: vault)
    }
    try await store.append(data, to: "gathering-g\(chunk / 50_000)", expectedVersion: .any)
  }
}

/// Counts cancellations: a projection that reads one event type in twenty.
struct CancellationCount: Projection {
  var name: String { "cancellations" }
  var schema: EventSchema<Cancellation> { EventSchema() }
  var initialState: Int { 0 }
  func apply(_ event: Cancellation, context: EventContext, to state: inout Int) { state += 1 }
}

struct Cancellation: BinaryEvent {
  static let eventType = RegistrationCancelled.eventType
  let inner: RegistrationCancelled
  init(from reader: inout BinaryReader) throws { inner = try RegistrationCancelled(from: &reader) }
  func encode(to writer: inout BinaryWriter) { inner.encode(to: &writer) }
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 1,
    maxDuration: .seconds(4), maxIterations: 8)

  // MARK: Codec
  let codec = Benchmark.Configuration(
    metrics: [.throughput, .wallClock], warmupIterations: 1, scalingFactor: .mega,
    maxDuration: .seconds(4), maxIterations: 5)
  // Sealing runs AES-GCM twice per event (name and organization): these count in thousands.
  let sealing = Benchmark.Configuration(
    metrics: [.throughput, .wallClock], warmupIterations: 1, scalingFactor: .kilo,
    maxDuration: .seconds(4), maxIterations: 1000)
  for (label, sealer) in [
    ("sealed", vault as any PersonalDataSealer), ("in plaintext", PlaintextProtector()),
  ] {
    Benchmark(
      "Codec: binary encode, typical event, personal fields \(label) (x1K)",
      configuration: sealing
    ) { benchmark in
      var writer = BinaryWriter(capacity: 256)
      writer.sealer = sealer
      for _ in benchmark.scaledIterations {
        writer.removeAll()
        typical.encodePayload(to: &writer)
        blackHole(writer.bytes.count)
      }
      precondition(writer.failure == nil)
    }
  }
  let encoded: [UInt8] = {
    var writer = BinaryWriter()
    writer.sealer = vault
    typical.encodePayload(to: &writer)
    return writer.bytes
  }()
  Benchmark(
    "Codec: binary decode, typical event, through its aggregate's schema (x1M)",
    configuration: codec
  ) { benchmark in
    let schema = EventSchema<GatheringEvent>()
    encoded.withUnsafeBytes { raw in
      for _ in benchmark.scaledIterations {
        blackHole(
          try! schema.decode(eventType: "ParticipantRegistered", schemaVersion: 1, payload: raw))
      }
    }
  }
  Benchmark("Codec: binary decode, typical event, its own type (x1M)", configuration: codec) {
    benchmark in
    encoded.withUnsafeBytes { raw in
      for _ in benchmark.scaledIterations {
        var reader = BinaryReader(raw)
        blackHole(try! ParticipantRegistered(from: &reader))
      }
    }
  }
  Benchmark(
    "Codec: binary decode, typical event, and open its personal fields (keys cached) (x1K)",
    configuration: sealing
  ) { benchmark in
    try await vault.saveNewKeys()
    let schema = EventSchema<GatheringEvent>()
    var opened = 0
    for _ in benchmark.scaledIterations {
      let event = try encoded.withUnsafeBytes { raw in
        try schema.decode(eventType: "ParticipantRegistered", schemaVersion: 1, payload: raw)
      }
      opened += try await openPersonalFields(of: event, with: vault)
    }
    precondition(opened > 0)
  }
  let jsonCodec = Benchmark.Configuration(
    metrics: [.throughput, .wallClock], warmupIterations: 1, scalingFactor: .kilo,
    maxDuration: .seconds(4), maxIterations: 10)
  guard case .participantRegistered(let payload) = typical else { return }
  Benchmark("Codec: Foundation JSON encode, typical event (x1K)", configuration: jsonCodec) {
    benchmark in
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    for _ in benchmark.scaledIterations { blackHole(try! encoder.encode(payload)) }
  }
  let json = try! JSONEncoder().encode(payload)
  Benchmark("Codec: Foundation JSON decode, typical event (x1K)", configuration: jsonCodec) {
    benchmark in
    let decoder = JSONDecoder()
    for _ in benchmark.scaledIterations {
      blackHole(try! decoder.decode(ParticipantRegistered.self, from: json))
    }
  }

  // MARK: Appends
  Benchmark("Append: 100 000 events, batches of 1 000, durable") { benchmark in
    let path = temporaryDirectory("append")
    defer { remove(path) }
    let store = try LMDBEventStore(path: path, options: .init(initialMapSize: 256 << 20))
    let ids = EventIDGenerator.timeOrdered()
    let batches = (0..<100).map { _ in batch(ids) }
    benchmark.startMeasurement()
    for (index, events) in batches.enumerated() {
      try await store.append(events, to: "gathering-g\(index % 7)", expectedVersion: .any)
    }
    benchmark.stopMeasurement()
    store.close()
  }
  Benchmark("Raw LMDB: 100 000 puts of 160 bytes, 1 000 a transaction, durable") { benchmark in
    let path = temporaryDirectory("raw-append")
    defer { remove(path) }
    benchmark.startMeasurement()
    precondition(raw_lmdb_append(path, 100_000, 160, 1000) == 0)
    benchmark.stopMeasurement()
  }
  // The same puts, each of the size of the record the store writes for the batch's event (the
  // 160 bytes above were that size before personal fields were sealed).
  Benchmark("Raw LMDB: 100 000 puts of the store's record size, 1 000 a transaction, durable") {
    benchmark in
    let path = temporaryDirectory("raw-append-sized")
    defer { remove(path) }
    let size = try await storedRecordSize(
      of: batch(EventIDGenerator.timeOrdered())[0], in: "gathering-g0")
    benchmark.startMeasurement()
    precondition(raw_lmdb_append(path, 100_000, size, 1000) == 0)
    benchmark.stopMeasurement()
  }
  for writers in [1, 8, 64] {
    Benchmark("Append: 512 single-event appends from \(writers) writer(s), durable") { benchmark in
      let path = temporaryDirectory("single")
      defer { remove(path) }
      let store = try LMDBEventStore(path: path)
      let events = try singleAppendEvents()
      benchmark.startMeasurement()
      try await appendOneByOne(events, from: writers, to: store)
      benchmark.stopMeasurement()
      store.close()
    }
  }
  Benchmark("Raw LMDB: 512 puts, one durable transaction (one fsync) each") { benchmark in
    let path = temporaryDirectory("raw-single")
    defer { remove(path) }
    benchmark.startMeasurement()
    precondition(raw_lmdb_append(path, 512, 160, 1) == 0)
    benchmark.stopMeasurement()
  }

  // MARK: Reads
  // The harness runs each benchmark in its own process: the three read benchmarks share one
  // log at a fixed path, built by whichever runs first.
  let readPath = FileManager.default.temporaryDirectory.appendingPathComponent(
    "councillog-bench-read-100k"
  ).path
  let ensureReadLog: @Sendable () async throws -> Void = {
    let store = try LMDBEventStore(path: readPath, options: .init(durability: .noSync))
    defer { store.close() }
    guard try await store.headPosition() == .start else { return }
    let ids = EventIDGenerator.timeOrdered()
    for index in 0..<100 {
      try await store.append(batch(ids), to: "gathering-g\(index % 7)", expectedVersion: .any)
    }
  }
  Benchmark(
    "Scan: whole log of 100 000 events, borrowed records",
    closure: { benchmark in
      let store = try LMDBEventStore(path: readPath)
      defer { store.close() }
      var next = LogPosition.first
      var count = 0
      benchmark.startMeasurement()
      while true {
        let before = count
        next = try await store.scanLog(from: next, limit: 4096, filter: .all) { record in
          count += 1
          blackHole(record.eventTypeID)
        }
        if count == before { break }
      }
      benchmark.stopMeasurement()
      precondition(count == 100_000)
    },
    setup: ensureReadLog)
  Benchmark(
    "Read: whole log of 100 000 events, owned copies (readLog)",
    closure: { benchmark in
      let store = try LMDBEventStore(path: readPath)
      defer { store.close() }
      var next = LogPosition.first
      var count = 0
      benchmark.startMeasurement()
      while true {
        let page = try await store.readLog(from: next, limit: 4096)
        if page.events.isEmpty { break }
        count += page.events.count
        next = page.nextPosition
      }
      benchmark.stopMeasurement()
      precondition(count == 100_000)
    }, setup: ensureReadLog)
  Benchmark(
    "Raw LMDB: cursor scan of the same 100 000 records",
    closure: { benchmark in
      var bytes = 0
      benchmark.startMeasurement()
      let count = raw_lmdb_scan(readPath, "events", &bytes)
      benchmark.stopMeasurement()
      precondition(count == 100_000)
      blackHole(bytes)
    }, setup: ensureReadLog)

  // MARK: Projection rebuilds
  for events in [100_000, 1_000_000] {
    let path = temporaryDirectory("rebuild-\(events)")
    Benchmark(
      "Rebuild: every read model from \(events) council events",
      configuration: .init(
        metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 0,
        maxDuration: .seconds(10), maxIterations: 3),
      closure: { benchmark in
        let store = try LMDBEventStore(path: path)
        defer { store.close() }
        try await rebuildEveryReadModel(from: store, timing: benchmark)
      },
      setup: { try await councilLog(events: events, at: path) },
      teardown: { remove(path) })
  }
  // The log `council generate` makes, recorded once with a vault and once with the plaintext
  // baseline: rebuilding every read model from each gives the cost of encryption on a rebuild.
  for (label, sealed) in [("sealed", true), ("in plaintext", false)] {
    let path = temporaryDirectory("rebuild-generated-\(sealed)")
    Benchmark(
      "Rebuild: every read model from the 100 000-event generated log, personal data \(label)",
      configuration: .init(
        metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 2,
        maxDuration: .seconds(15), maxIterations: 15),
      closure: { benchmark in
        let store = try LMDBEventStore(path: path)
        defer { store.close() }
        try await rebuildEveryReadModel(from: store, timing: benchmark)
      },
      setup: {
        let store = try LMDBEventStore(path: path, options: .init(durability: .noSync))
        defer { store.close() }
        let protector: any PersonalDataProtector =
          sealed
          ? PersonalDataVault(keys: store, masterKey: .generate()) : PlaintextProtector()
        _ = try await CouncilSimulation.generate(
          events: 100_000, seed: 7, into: store, protector: protector)
      },
      teardown: { remove(path) })
  }
  let twentyPath = temporaryDirectory("one-in-twenty")
  Benchmark(
    "Rebuild: a projection reading one event type in twenty, 1 000 000 events",
    configuration: .init(
      metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 1,
      maxDuration: .seconds(10), maxIterations: 5),
    closure: { benchmark in
      let store = try LMDBEventStore(path: twentyPath)
      defer { store.close() }
      let runner = ProjectionRunner(
        CancellationCount(), store: store, options: .init(pageSize: 4096, saveEvery: 1 << 40))
      benchmark.startMeasurement()
      try await runner.rebuild()
      benchmark.stopMeasurement()
      precondition(runner.state == 50_000)
    },
    setup: { try await oneInTwentyLog(events: 1_000_000, at: twentyPath) },
    teardown: { remove(twentyPath) })

  // MARK: The generated log: what users wait on (GeneratedLogBenchmarks.swift)
  registerGeneratedLogBenchmarks()

  // MARK: Appends as a busy service makes them (ServiceAppendBenchmarks.swift)
  registerServiceAppendBenchmarks()

  // MARK: PostgreSQL
  // Registered only when COUNCILLOG_POSTGRES_URL names a server (scripts/bench-postgres.sh).
  registerPostgresBenchmarks()
}

/// Rebuilds every read model of the council from `store`, timing the rebuild alone: the
/// rebuild benchmarks' work, the same for every store and log.
func rebuildEveryReadModel(from store: any EventStore & StateStore, timing benchmark: Benchmark)
  async throws
{
  let runner = ProjectionRunner(
    CouncilReadModelsProjection(), store: store,
    options: .init(pageSize: 4096, saveEvery: 1 << 40))
  benchmark.startMeasurement()
  try await runner.rebuild()
  benchmark.stopMeasurement()
  blackHole(runner.state.gatherings.gatherings.count)
}

/// 512 typical events with increasing IDs: the single-event append benchmarks' events.
func singleAppendEvents() throws -> [EventData] {
  let ids = EventIDGenerator.timeOrdered()
  return try (0..<512).map { _ in
    try EventData(
      typical, id: ids.next(), metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)),
      sealer: vault)
  }
}

/// Appends each event on its own from `writers` concurrent tasks, task W taking every W-th
/// event to a stream of its own: the single-event append benchmarks' workload, the same for
/// every store.
func appendOneByOne(_ events: [EventData], from writers: Int, to store: some EventStore)
  async throws
{
  try await withThrowingTaskGroup(of: Void.self) { group in
    for writer in 0..<writers {
      group.addTask {
        for index in stride(from: writer, to: events.count, by: writers) {
          try await store.append(
            [events[index]], to: "gathering-w\(writer)", expectedVersion: .any)
        }
      }
    }
    try await group.waitForAll()
  }
}
