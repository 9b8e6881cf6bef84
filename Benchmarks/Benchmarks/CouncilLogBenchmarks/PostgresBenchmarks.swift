// The PostgreSQL benchmarks: the same work as the LMDB ones on PostgresEventStore, each beside
// the engine's own limit through plain postgres-nio statements on the same kind of rows (a
// table with a bigint primary key, a unique 16-byte id and a 160-byte bytea record, as the
// store's events table has), and the follow latency between two store instances.
//
// They need a server: its URL comes from COUNCILLOG_POSTGRES_URL
// (postgres://USER:PASSWORD@HOST:PORT/DATABASE); without it they are not registered.
// scripts/bench-postgres.sh starts a throwaway cluster with fsync on and runs them.
import Benchmark
import Council
import EventLog
import EventLogPostgres
import Foundation
import PostgresNIO
import Synchronization

/// The logger of the raw connections: critical only.
let benchmarkLogger: Logger = {
  var logger = Logger(label: "councillog.benchmarks")
  logger.logLevel = .critical
  return logger
}()

/// The server the PostgreSQL benchmarks run against.
struct PostgresServer: Sendable {
  let url: String
  let configuration: PostgresEventStore.Configuration

  init(url: String) throws {
    self.url = url
    configuration = try PostgresEventStore.Configuration(url: url)
  }

  /// A fresh schema name: every iteration that writes gets its own.
  static func freshSchema(_ prefix: String) -> String {
    "bench_\(prefix)_\(UInt64.random(in: 0...UInt64.max) & 0xff_ffff_ffff)"
  }

  /// A store on `schema`, with its own connection pool (as another process would have).
  func store(schema: String, connections: Int = 8) async throws -> PostgresEventStore {
    var configuration = try PostgresEventStore.Configuration(url: url, schema: schema)
    configuration.maximumConnections = connections
    return try await PostgresEventStore(configuration: configuration)
  }

  /// One plain connection, not pooled.
  func connect() async throws -> PostgresConnection {
    try await PostgresConnection.connect(
      configuration: PostgresConnection.Configuration(
        host: configuration.host, port: configuration.port, username: configuration.username,
        password: configuration.password, database: configuration.database, tls: .disable),
      id: Int.random(in: 1...Int(Int32.max)), logger: benchmarkLogger)
  }

  func execute(_ statements: [String]) async throws {
    let connection = try await connect()
    do {
      for statement in statements {
        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: benchmarkLogger)
      }
    } catch {
      try? await connection.close()
      throw error
    }
    try await connection.close()
  }

  func drop(_ schema: String) async throws {
    try await execute(["DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE"])
  }

  /// A schema with the raw baseline's table: a bigint primary key, a unique 16-byte id, a record.
  func createRawTable(_ schema: String) async throws {
    try await execute([
      "CREATE SCHEMA \"\(schema)\"",
      "CREATE TABLE \"\(schema)\".rows (position bigint PRIMARY KEY, id bytea NOT NULL UNIQUE, record bytea NOT NULL)",
    ])
  }

  /// Runs psql with `command`, its output thrown away.
  func psql(_ command: String) throws {
    let environment = ProcessInfo.processInfo.environment
    let process = Process()
    process.executableURL = URL(fileURLWithPath: environment["COUNCILLOG_PSQL"] ?? "/usr/bin/psql")
    process.arguments = [
      "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", configuration.host, "-p",
      String(configuration.port),
      "-U", configuration.username, "-d", configuration.database, "-c", command,
    ]
    var childEnvironment = ["PATH": environment["PATH"] ?? "/usr/bin:/bin"]
    if let password = configuration.password { childEnvironment["PGPASSWORD"] = password }
    process.environment = childEnvironment
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    precondition(process.terminationStatus == 0, "psql failed: \(command)")
  }
}

/// The raw rows: position n (from 1), a 16-byte id increasing with n (as time-ordered IDs
/// are), a 160-byte record.
struct RawRows {
  let ids: [ByteBuffer]
  let record: ByteBuffer

  init(count: Int) {
    var generator = SystemRandomNumberGenerator()
    ids = (0..<count).map { index in
      var buffer = ByteBuffer()
      buffer.writeInteger(UInt64(1_700_000_000_000_000_000) + UInt64(index), endianness: .big)
      buffer.writeInteger(generator.next() as UInt64, endianness: .big)
      return buffer
    }
    record = ByteBuffer(bytes: (0..<160).map { UInt8(truncatingIfNeeded: $0 &* 37) })
  }

  /// One multi-row INSERT of `range`, its parameters bound.
  func insert(into table: String, _ range: Range<Int>) -> PostgresQuery {
    var sql = "INSERT INTO \(table) (position, id, record) VALUES "
    var binds = PostgresBindings(capacity: range.count * 3)
    for (row, index) in range.enumerated() {
      if row > 0 { sql += "," }
      sql += "($\(3 * row + 1),$\(3 * row + 2),$\(3 * row + 3))"
      binds.append(Int64(index + 1))
      binds.append(ids[index])
      binds.append(record)
    }
    return PostgresQuery(unsafeSQL: sql, binds: binds)
  }

  /// The rows of `range` as COPY's text format (bytea in hex).
  func copyText(_ range: Range<Int>) -> ByteBuffer {
    func hex(_ buffer: ByteBuffer, into out: inout ByteBuffer) {
      let digits = Array("0123456789abcdef".utf8)
      out.writeStaticString("\\\\x")
      for byte in buffer.readableBytesView {
        out.writeInteger(digits[Int(byte >> 4)])
        out.writeInteger(digits[Int(byte & 15)])
      }
    }
    var out = ByteBuffer()
    for index in range {
      out.writeString(String(index + 1))
      out.writeStaticString("\t")
      hex(ids[index], into: &out)
      out.writeStaticString("\t")
      hex(record, into: &out)
      out.writeStaticString("\n")
    }
    return out
  }
}

/// When a follower received each position, for the follow-latency benchmark.
final class Deliveries: Sendable {
  private let state = Mutex<
    (
      times: [UInt64: ContinuousClock.Instant],
      waiter: (UInt64, CheckedContinuation<ContinuousClock.Instant, Never>)?
    )
  >(([:], nil))

  func delivered(_ position: UInt64, at instant: ContinuousClock.Instant) {
    let waiter = state.withLock { state -> CheckedContinuation<ContinuousClock.Instant, Never>? in
      if let (wanted, continuation) = state.waiter, wanted == position {
        state.waiter = nil
        return continuation
      }
      state.times[position] = instant
      return nil
    }
    waiter?.resume(returning: instant)
  }

  func wait(for position: UInt64) async -> ContinuousClock.Instant {
    await withCheckedContinuation { continuation in
      let ready = state.withLock { state -> ContinuousClock.Instant? in
        if let instant = state.times.removeValue(forKey: position) { return instant }
        state.waiter = (position, continuation)
        return nil
      }
      if let ready { continuation.resume(returning: ready) }
    }
  }
}

/// The log the PostgreSQL scan and read benchmarks share (100 000 typical events in 7 streams,
/// as the LMDB ones), written once into a fixed schema by whichever runs first.
let postgresReadSchema = "bench_read_100k"
/// The council log the PostgreSQL rebuild reads (the LMDB rebuild's 100 000 events).
let postgresCouncilSchema = "bench_council_100k"

func registerPostgresBenchmarks() {
  guard let url = ProcessInfo.processInfo.environment["COUNCILLOG_POSTGRES_URL"], !url.isEmpty
  else {
    FileHandle.standardError.write(
      Data(
        "COUNCILLOG_POSTGRES_URL is not set: the PostgreSQL benchmarks are not registered (bash scripts/bench-postgres.sh runs them)\n"
          .utf8))
    return
  }
  let server: PostgresServer
  do {
    server = try PostgresServer(url: url)
  } catch {
    fatalError("COUNCILLOG_POSTGRES_URL: \(error)")
  }
  let heavy = Benchmark.Configuration(
    metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 1,
    maxDuration: .seconds(8), maxIterations: 5)

  // MARK: Appends
  Benchmark("PostgreSQL Append: 100 000 events, batches of 1 000, durable", configuration: heavy) {
    benchmark in
    let schema = PostgresServer.freshSchema("append")
    let store = try await server.store(schema: schema)
    let ids = EventIDGenerator.timeOrdered()
    let batches = (0..<100).map { _ in batch(ids) }
    benchmark.startMeasurement()
    for (index, events) in batches.enumerated() {
      try await store.append(events, to: "gathering-g\(index % 7)", expectedVersion: .any)
    }
    benchmark.stopMeasurement()
    store.close()
    try await server.drop(schema)
  }
  Benchmark(
    "Raw PostgreSQL: 100 000 rows, multi-row INSERT of 1 000 a transaction, durable",
    configuration: heavy
  ) { benchmark in
    let schema = PostgresServer.freshSchema("raw_insert")
    try await server.createRawTable(schema)
    let rows = RawRows(count: 100_000)
    let queries = stride(from: 0, to: 100_000, by: 1000).map {
      rows.insert(into: "\"\(schema)\".rows", $0..<$0 + 1000)
    }
    let connection = try await server.connect()
    benchmark.startMeasurement()
    for query in queries {
      try await connection.query(query, logger: benchmarkLogger)
    }
    benchmark.stopMeasurement()
    try await connection.close()
    try await server.drop(schema)
  }
  Benchmark(
    "Raw PostgreSQL: 100 000 rows, COPY in of 1 000 a transaction, durable", configuration: heavy
  ) { benchmark in
    let schema = PostgresServer.freshSchema("raw_copy")
    try await server.createRawTable(schema)
    let rows = RawRows(count: 100_000)
    let chunks = stride(from: 0, to: 100_000, by: 1000).map { rows.copyText($0..<$0 + 1000) }
    let connection = try await server.connect()
    try await connection.query(
      PostgresQuery(unsafeSQL: "SET search_path TO \"\(schema)\""), logger: benchmarkLogger)
    benchmark.startMeasurement()
    for chunk in chunks {
      try await connection.copyFrom(
        table: "rows", columns: ["position", "id", "record"], logger: benchmarkLogger
      ) { writer in
        try await writer.write(chunk)
      }
    }
    benchmark.stopMeasurement()
    try await connection.close()
    try await server.drop(schema)
  }
  for writers in [1, 8, 64] {
    Benchmark("PostgreSQL Append: 512 single-event appends from \(writers) writer(s), durable") {
      benchmark in
      let schema = PostgresServer.freshSchema("single")
      let store = try await server.store(schema: schema)
      let events = try singleAppendEvents()
      benchmark.startMeasurement()
      try await appendOneByOne(events, from: writers, to: store)
      benchmark.stopMeasurement()
      store.close()
      try await server.drop(schema)
    }
  }
  for clients in [1, 64] {
    Benchmark(
      "Raw PostgreSQL: 512 single-row INSERTs, one durable commit each, from \(clients) connection(s)"
    ) { benchmark in
      let schema = PostgresServer.freshSchema("raw_single")
      try await server.createRawTable(schema)
      let rows = RawRows(count: 512)
      var connections: [PostgresConnection] = []
      for _ in 0..<clients { connections.append(try await server.connect()) }
      let table = "\"\(schema)\".rows"
      benchmark.startMeasurement()
      try await withThrowingTaskGroup(of: Void.self) { group in
        for (client, connection) in connections.enumerated() {
          group.addTask {
            for index in stride(from: client, to: 512, by: clients) {
              try await connection.query(
                rows.insert(into: table, index..<index + 1), logger: benchmarkLogger)
            }
          }
        }
        try await group.waitForAll()
      }
      benchmark.stopMeasurement()
      for connection in connections { try await connection.close() }
      try await server.drop(schema)
    }
  }

  // MARK: Reads
  let ensureReadLog: @Sendable () async throws -> Void = {
    let store = try await server.store(schema: postgresReadSchema)
    defer { store.close() }
    guard try await store.headPosition() == .start else { return }
    let ids = EventIDGenerator.timeOrdered()
    for index in 0..<100 {
      try await store.append(batch(ids), to: "gathering-g\(index % 7)", expectedVersion: .any)
    }
  }
  Benchmark(
    "PostgreSQL Scan: whole log of 100 000 events, borrowed records", configuration: heavy,
    closure: { benchmark in
      let store = try await server.store(schema: postgresReadSchema)
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
    }, setup: ensureReadLog)
  Benchmark(
    "PostgreSQL Read: whole log of 100 000 events, owned copies (readLog)", configuration: heavy,
    closure: { benchmark in
      let store = try await server.store(schema: postgresReadSchema)
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
  for (schema, what) in [
    (postgresReadSchema, "the scan's 100 000 events"),
    (postgresCouncilSchema, "the rebuild's 100 000 council events"),
  ] {
    let council = schema == postgresCouncilSchema
    let setup: @Sendable () async throws -> Void = {
      if council { try await ensureCouncilLog(server) } else { try await ensureReadLog() }
    }
    Benchmark(
      "Raw PostgreSQL: binary COPY out (psql) of \(what)", configuration: heavy,
      closure: { benchmark in
        benchmark.startMeasurement()
        try server.psql("COPY \"\(schema)\".events (position, record) TO STDOUT (FORMAT binary)")
        benchmark.stopMeasurement()
      }, setup: setup)
    Benchmark(
      "Raw PostgreSQL: SELECT streaming (postgres-nio) of \(what)", configuration: heavy,
      closure: { benchmark in
        let connection = try await server.connect()
        var count = 0
        var bytes = 0
        benchmark.startMeasurement()
        for try await (position, record) in try await connection.query(
          PostgresQuery(
            unsafeSQL: "SELECT position, record FROM \"\(schema)\".events ORDER BY position"),
          logger: benchmarkLogger
        ).decode((Int64, ByteBuffer).self) {
          count += 1
          bytes &+= record.readableBytes &+ Int(position & 1)
        }
        benchmark.stopMeasurement()
        blackHole(bytes)
        precondition(count >= 100_000)
        try await connection.close()
      }, setup: setup)
  }

  // MARK: Rebuild
  Benchmark(
    "PostgreSQL Rebuild: every read model from 100 000 council events",
    configuration: .init(
      metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 1,
      maxDuration: .seconds(10), maxIterations: 3),
    closure: { benchmark in
      let store = try await server.store(schema: postgresCouncilSchema)
      defer { store.close() }
      try await rebuildEveryReadModel(from: store, timing: benchmark)
    },
    setup: { try await ensureCouncilLog(server) })

  // MARK: Follow
  // An append acknowledged by one store, the event delivered to `follow` on another store
  // instance with its own connection pool (as another process would have it), woken by
  // LISTEN/NOTIFY. One append at a time: the next once the last was delivered.
  let latency = BenchmarkMetric.custom(
    "follow latency (µs)", polarity: .prefersSmaller, useScalingFactor: false)
  Benchmark(
    "PostgreSQL Follow: 200 appends, each acknowledged then delivered to another store instance",
    configuration: .init(
      metrics: [.wallClock, latency], warmupIterations: 1, maxDuration: .seconds(10),
      maxIterations: 5),
    closure: { benchmark in
      let schema = PostgresServer.freshSchema("follow")
      let writer = try await server.store(schema: schema)
      let follower = try await server.store(schema: schema)
      let deliveries = Deliveries()
      let following = Task {
        for try await event in follower.follow(from: .first) {
          deliveries.delivered(event.position.rawValue, at: .now)
        }
      }
      let ids = EventIDGenerator.timeOrdered()
      let events = try (0..<200).map { _ in
        try EventData(
          typical, id: ids.next(),
          metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)),
          sealer: vault)
      }
      var early = 0
      benchmark.startMeasurement()
      for event in events {
        let result = try await writer.append([event], to: "gathering-follow", expectedVersion: .any)
        let acknowledged = ContinuousClock.now
        let delivered = await deliveries.wait(for: result.firstPosition.rawValue)
        let elapsed = delivered - acknowledged
        if elapsed < .zero { early += 1 }
        let micros =
          elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds
          / 1_000_000_000_000
        benchmark.measurement(latency, Int(max(0, micros)))
      }
      benchmark.stopMeasurement()
      following.cancel()
      writer.close()
      follower.close()
      if early > 0 {
        print(
          "follow: \(early) of 200 events were delivered before their append returned (counted as 0 µs)"
        )
      }
      try await server.drop(schema)
    })
}

/// Fills the rebuild's schema with the LMDB rebuild's council log, once.
func ensureCouncilLog(_ server: PostgresServer) async throws {
  let store = try await server.store(schema: postgresCouncilSchema)
  defer { store.close() }
  guard try await store.headPosition() == .start else { return }
  try await councilLog(events: 100_000, into: store)
}
