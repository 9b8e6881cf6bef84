// swift-tools-version: 6.1
import CompilerPluginSupport
import PackageDescription

let package = Package(
  name: "CouncilLog",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "EventLog", targets: ["EventLog"]),
    .library(name: "EventLogLMDB", targets: ["EventLogLMDB"]),
    .library(name: "EventLogMacros", targets: ["EventLogMacros"]),
    .library(name: "EventLogPersonalData", targets: ["EventLogPersonalData"]),
    .library(name: "EventLogConformance", targets: ["EventLogConformance"]),
    .library(name: "Council", targets: ["Council"]),
    .library(name: "CouncilSamples", targets: ["CouncilSamples"]),
    .executable(name: "log-tour", targets: ["LogTour"]),
    .executable(name: "council", targets: ["CouncilCommand"]),
    .executable(name: "conference-2018", targets: ["Conference2018"]),
    .library(name: "EventLogPostgres", targets: ["EventLogPostgres"]),
  ],
  // `Postgres` adds the PostgreSQL store (and its tests); off by default, so that a build
  // without it neither fetches nor builds postgres-nio.
  traits: [.trait(name: "Postgres")],
  dependencies: [
    // Argument parsing for the example executables only; the libraries depend on nothing.
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // The PostgreSQL client, for EventLogPostgres only, and only with the `Postgres` trait.
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    // AES-GCM for personal data (EventLogPersonalData), so that people can be forgotten.
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    // The coding macros' compiler plugin (EventLogMacroPlugin) and its tests only.
    .package(url: "https://github.com/swiftlang/swift-syntax", "603.0.1"..<"604.0.0"),
    // Property-based tests (CouncilTests) only.
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    // Debian's liblmdb-dev, found through pkg-config `lmdb`.
    .systemLibrary(
      name: "CLMDB",
      pkgConfig: "lmdb",
      providers: [.apt(["liblmdb-dev"])]
    ),
    // LMDB's page-reading calls, guarded so that a damaged file returns an error instead of
    // aborting the process (LMDB's assertions, SIGBUS and SIGSEGV on a damaged page).
    .target(name: "CLMDBGuard", dependencies: ["CLMDB"]),
    // The generic core: no storage engine, no domain words, no dependencies.
    .target(name: "EventLog"),
    // The embedded default store.
    .target(name: "EventLogLMDB", dependencies: ["EventLog", "CLMDB", "CLMDBGuard"]),
    // Personal data sealed per person: the AES-GCM vault and the master key.
    .target(
      name: "EventLogPersonalData",
      dependencies: ["EventLog", .product(name: "Crypto", package: "swift-crypto")]
    ),
    // The council's domain, written with deciders: members, accounts, working groups,
    // resolutions, the participation fund, consultations and conferences.
    .target(name: "Council", dependencies: ["EventLog", "EventLogMacros", "EventLogPersonalData"]),
    // Sample data for the examples, tests and benchmarks, not part of the domain: the seed
    // council's setup, the 2018 conference recorded from its report, and a seedable synthetic
    // council.
    .target(name: "CouncilSamples", dependencies: ["EventLog", "Council"]),
    // The coding macros (`@BinaryEvent`, `@BinaryCodable`, `@EventFamily`): declared in
    // EventLogMacros, expanded by the EventLogMacroPlugin compiler plugin. Kept apart from the
    // core so that hand-written coding needs no swift-syntax.
    .macro(
      name: "EventLogMacroPlugin",
      dependencies: [
        .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
        .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
      ]
    ),
    .target(name: "EventLogMacros", dependencies: ["EventLog", "EventLogMacroPlugin"]),
    // The PostgreSQL store: built on postgres-nio with the `Postgres` trait; without it the
    // target compiles to nothing.
    .target(
      name: "EventLogPostgres",
      dependencies: [
        "EventLog",
        .product(
          name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["Postgres"])),
      ]
    ),
    // The checks every store must pass, shipped for other stores to run.
    .target(name: "EventLogConformance", dependencies: ["EventLog"]),
    // A small program the LMDB tests start as a child process (crash and multi-process tests).
    .executableTarget(
      name: "EventLogStressHelper",
      dependencies: ["EventLog", "EventLogLMDB"]
    ),
    // A small program the PostgreSQL tests start as several child processes (writers and
    // followers of one shared log); without the `Postgres` trait it only says so.
    .executableTarget(
      name: "PostgresStressHelper",
      dependencies: ["EventLog", "EventLogPostgres"]
    ),
    // What the tests that start child processes share: a child's output read while it runs.
    .target(name: "ChildProcessSupport", path: "Tests/ChildProcessSupport"),
    // The small test domain (a workshop with limited seats) the EventLog and LMDB tests share.
    .target(
      name: "EventLogTestSupport", dependencies: ["EventLog"], path: "Tests/EventLogTestSupport"),
    .executableTarget(
      name: "LogTour",
      dependencies: ["EventLog", "EventLogLMDB"],
      path: "Examples/LogTour"
    ),
    .executableTarget(
      name: "CouncilCommand",
      dependencies: [
        "EventLog", "EventLogLMDB", "Council", "CouncilSamples",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        // A log given as a postgres:// URL: only with the `Postgres` trait.
        .target(name: "EventLogPostgres", condition: .when(traits: ["Postgres"])),
      ],
      path: "Examples/Council"
    ),
    .executableTarget(
      name: "Conference2018",
      dependencies: ["EventLog", "EventLogLMDB", "Council", "CouncilSamples"],
      path: "Examples/Conference2018"
    ),
    // The core's tests: model, coding, deciders and the in-memory store.
    .testTarget(
      name: "EventLogTests",
      dependencies: ["EventLog", "EventLogConformance", "EventLogTestSupport"]
    ),
    // The LMDB store's tests, and the core's projection, fold and multi-stream tests, which
    // run on both the in-memory and the LMDB store.
    .testTarget(
      name: "EventLogLMDBTests",
      dependencies: [
        "EventLog", "EventLogLMDB", "EventLogConformance", "EventLogStressHelper", "CLMDB",
        "ChildProcessSupport", "EventLogTestSupport",
      ]
    ),
    // The PostgreSQL store's tests; they compile only with the `Postgres` trait and need a
    // server (`bash scripts/test.sh` starts one).
    .testTarget(
      name: "EventLogPostgresTests",
      dependencies: [
        "EventLog", "EventLogConformance", "EventLogPostgres", "PostgresStressHelper",
        "ChildProcessSupport", "EventLogTestSupport",
        .product(
          name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["Postgres"])),
      ]
    ),
    .testTarget(
      name: "EventLogMacrosTests",
      dependencies: [
        "EventLogMacros", "EventLogMacroPlugin",
        .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
        .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
      ]
    ),
    .testTarget(
      name: "CouncilTests",
      dependencies: [
        "Council", "CouncilSamples", "EventLog", "EventLogLMDB", "EventLogTestSupport",
        "EventLogPersonalData",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      // A log written by format 1 and its export, read by path (see FormatOneLogTests).
      exclude: ["Fixtures"]
    ),
    .testTarget(
      name: "CouncilSamplesTests",
      dependencies: ["CouncilSamples", "Council", "EventLog"]
    ),
    // The `council` executable, run as a child process.
    .testTarget(
      name: "CouncilCommandTests",
      dependencies: [
        "Council", "EventLog", "EventLogLMDB", "EventLogTestSupport",
        // The `council` command on a PostgreSQL log (PostgresCommandTests): SQL to damage a
        // row and to look for staging schemas.
        .product(
          name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["Postgres"])),
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)
