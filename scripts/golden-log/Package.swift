// swift-tools-version: 6.1
import PackageDescription
let package = Package(
  name: "GoldenLog",
  dependencies: [.package(name: "CouncilLog", path: "../..")],
  targets: [
    .executableTarget(
      name: "GoldenLog",
      dependencies: [
        .product(name: "Council", package: "CouncilLog"),
        .product(name: "EventLog", package: "CouncilLog"),
        .product(name: "EventLogLMDB", package: "CouncilLog"),
      ])
  ],
  swiftLanguageModes: [.v6]
)
