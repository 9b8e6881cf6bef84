// swift-tools-version: 6.1
// The benchmarks live in their own package, depending on the library by path, so that the
// library's users never build the harness.
import PackageDescription

let package = Package(
  name: "CouncilLogBenchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    // With the `Postgres` trait: the PostgreSQL store, measured beside LMDB when a server is
    // named by COUNCILLOG_POSTGRES_URL (see scripts/bench-postgres.sh).
    .package(name: "CouncilLog", path: "..", traits: ["Postgres"]),
    // The raw PostgreSQL baselines (plain INSERTs, COPY in, single-row commits, streaming).
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
  ],
  targets: [
    // The engine's own limit, through LMDB's C API: raw puts and a raw cursor scan.
    .target(
      name: "RawLMDB",
      path: "Sources/RawLMDB",
      linkerSettings: [.linkedLibrary("lmdb")]
    ),
    .executableTarget(
      name: "CouncilLogBenchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "EventLog", package: "CouncilLog"),
        .product(name: "EventLogLMDB", package: "CouncilLog"),
        .product(name: "Council", package: "CouncilLog"),
        .product(name: "CouncilSamples", package: "CouncilLog"),
        .product(name: "EventLogPersonalData", package: "CouncilLog"),
        .product(name: "EventLogPostgres", package: "CouncilLog"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        "RawLMDB",
      ],
      path: "Benchmarks/CouncilLogBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
