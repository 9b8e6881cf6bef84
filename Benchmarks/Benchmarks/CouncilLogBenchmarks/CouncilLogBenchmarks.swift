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
import EventLog
import EventLogLMDB
import Foundation
import RawLMDB

/// A typical event: one registration to a consultation.
let typical = GatheringEvent.participantRegistered(
  ParticipantRegistered(
    registration: "fall-2018-r1234",
    participant: Participant(
      name: "Amina Haddad", organization: "Centre social d'aide aux immigrants", country: "Canada",
      rate: .member, refugee: true, youth: false, funded: true),
    on: Day(2018, 10, 2), awaitingApproval: false))

func temporaryDirectory(_ name: String) -> String {
  FileManager.default.temporaryDirectory.appendingPathComponent(
    "councillog-bench-\(name)-\(UUID().uuidString)"
  ).path
}

func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// 1 000 small events (about 160-byte records) for batched appends.
func batch(_ ids: EventIDGenerator) -> [EventData] {
  (0..<1000).map { _ in
    try! EventData(
      typical, id: ids.next(),
      metadata: EventMetadata(
        time: Timestamp(nanosecondsSince1970: 1_538_474_400_000_000_000), actor: "office"))
  }
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
            registration: "\(id)-\(r)", answers: [5, 4, r % 5], comment: r % 10 == 0 ? "Good" : nil)
        ))
    }
    for s in 0..<20 {
      stream.append(
        .sessionScheduled(
          SessionScheduled(
            session: "\(id)-s\(s)", kind: .workshop, title: "Workshop \(s)", on: Day(2018, 11, 2),
            interpretation: [])))
    }
    let data = try stream.map { try EventData($0, id: ids.next(), metadata: time) }
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
      try memberEvents.map { try EventData($0, id: ids.next(), metadata: time) },
      to: StreamName(category: "member", id: member.rawValue), expectedVersion: .any)
    let account = AccountEvent.administrativeCreated(
      AdministrativeAccountCreated(
        account: "a\(gathering)", member: member, name: "Office", email: "o\(gathering)@x.example",
        on: Day(2016, 2, 1)))
    try await store.append(
      [try EventData(account, id: ids.next(), metadata: time)],
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
        : try EventData(typical, id: ids.next(), metadata: metadata)
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
  Benchmark("Codec: binary encode, typical event (x1M)", configuration: codec) { benchmark in
    var writer = BinaryWriter(capacity: 256)
    for _ in benchmark.scaledIterations {
      writer.removeAll()
      typical.encodePayload(to: &writer)
      blackHole(writer.bytes.count)
    }
  }
  let encoded: [UInt8] = {
    var writer = BinaryWriter()
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
        let runner = ProjectionRunner(
          CouncilReadModelsProjection(), store: store,
          options: .init(pageSize: 4096, saveEvery: 1 << 40))
        benchmark.startMeasurement()
        try await runner.rebuild()
        benchmark.stopMeasurement()
        blackHole(runner.state.gatherings.gatherings.count)
      },
      setup: { try await councilLog(events: events, at: path) },
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

  // MARK: PostgreSQL
  // Registered only when COUNCILLOG_POSTGRES_URL names a server (scripts/bench-postgres.sh).
  registerPostgresBenchmarks()
}

/// 512 typical events with increasing IDs: the single-event append benchmarks' events.
func singleAppendEvents() throws -> [EventData] {
  let ids = EventIDGenerator.timeOrdered()
  return try (0..<512).map { _ in
    try EventData(
      typical, id: ids.next(), metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
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
