// swift-tools-version: 6.1
// The benchmarks live in their own package, depending on the library by path, so that the
// library's users never build the harness.
import PackageDescription

let package = Package(
  name: "CouncilLogBenchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    .package(name: "CouncilLog", path: ".."),
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
        "RawLMDB",
      ],
      path: "Benchmarks/CouncilLogBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
