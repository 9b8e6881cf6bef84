import Foundation
import Testing

// Every ```swift block of README.md and of the DocC articles (Sources/*/*.docc/*.md) must be
// compiled: it must be a marked region of a test source, written between
//
//     // sample: NAME
//     …
//     // end sample
//
// in any .swift file under Tests/. Regions of one NAME are joined in order (the imports at the
// top of a file, the body inside a test function), so the code around a region — a test
// function, its parameters, the `#expect`s after it — supplies what the docs leave out. A
// block matches a region when the two are equal with all whitespace removed (so the formatter
// may rewrap the compiled copy); a `…` in the docs stands for any code in the region (`{ … }`,
// `// …`). Every region must also be quoted by some block, so a sample cannot outlive its doc.
//
// The one exception is a Package.swift manifest, which no test target can compile: a block
// right after the line `<!-- manifest -->` is checked here instead — a tools version no older
// than the package's, a path dependency, and products that the package declares.

@Suite("Every Swift sample in the docs is compiled")
struct DocSampleCoverageTests {
  /// The package's root: this file is Tests/TARGET/FILE.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  struct Block {
    var file: String
    var line: Int
    var text: String
    var isManifest: Bool
  }

  /// The ```swift blocks of README.md and every DocC article.
  static func documentedBlocks() throws -> [Block] {
    var files = ["README.md"]
    for path in try relativePaths(under: "Sources")
    where path.hasSuffix(".md") && path.contains(".docc/") {
      files.append(path)
    }
    var blocks: [Block] = []
    for file in files {
      let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        .components(separatedBy: "\n")
      var index = 0
      while index < lines.count {
        let fence = lines[index].trimmingCharacters(in: .whitespaces)
        guard fence.hasPrefix("```") else {
          index += 1
          continue
        }
        let start = index
        var body: [String] = []
        index += 1
        while index < lines.count,
          !lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("```")
        {
          body.append(lines[index])
          index += 1
        }
        index += 1
        guard fence == "```swift" else { continue }
        let before = start > 0 ? lines[start - 1].trimmingCharacters(in: .whitespaces) : ""
        blocks.append(
          Block(
            file: file, line: start + 1, text: body.joined(separator: "\n"),
            isManifest: before == "<!-- manifest -->"))
      }
    }
    return blocks
  }

  /// The marked regions of every Swift file under Tests/, by name.
  static func compiledRegions() throws -> [String: String] {
    var regions: [String: String] = [:]
    var order: [String] = []
    for path in try relativePaths(under: "Tests").sorted() where path.hasSuffix(".swift") {
      let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
      var current: String?
      for (number, line) in text.components(separatedBy: "\n").enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("// sample: ") {
          #expect(current == nil, "\(path):\(number + 1): a region inside another")
          let name = String(trimmed.dropFirst("// sample: ".count))
          if regions[name] == nil { order.append(name) }
          regions[name, default: ""] += "\n"
          current = name
        } else if trimmed == "// end sample" {
          #expect(current != nil, "\(path):\(number + 1): an end without a start")
          current = nil
        } else if let name = current {
          regions[name, default: ""] += line + "\n"
        }
      }
      #expect(current == nil, "\(path): region \(current ?? "") never ends")
    }
    return regions
  }

  static func relativePaths(under directory: String) throws -> [String] {
    let base = root.appendingPathComponent(directory)
    guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { return [] }
    return enumerator.compactMap { ($0 as? String).map { directory + "/" + $0 } }
  }

  /// The text without any whitespace.
  static func squeezed(_ text: String) -> String {
    String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
  }

  /// Whether `code` is `sample`, where each `…` of the sample stands for any code.
  static func matches(sample: String, code: String) -> Bool {
    let parts = squeezed(sample).components(separatedBy: "…")
    let code = squeezed(code)
    guard parts.count > 1 else { return parts[0] == code }
    guard code.hasPrefix(parts[0]), code.hasSuffix(parts[parts.count - 1]),
      code.count >= parts[0].count + parts[parts.count - 1].count
    else { return false }
    var rest = code.dropFirst(parts[0].count).dropLast(parts[parts.count - 1].count)
    for part in parts.dropFirst().dropLast() where !part.isEmpty {
      guard let found = rest.range(of: part) else { return false }
      rest = rest[found.upperBound...]
    }
    return true
  }

  @Test("the matching rule: whitespace ignored, … stands for any code")
  func matchingRule() {
    #expect(Self.matches(sample: "let a = f(1,\n  2)", code: "  let a = f(1, 2)\n"))
    #expect(!Self.matches(sample: "let a = f(1, 2)", code: "let a = f(1, 3)"))
    #expect(Self.matches(sample: "func f() { … }", code: "func f() {\n  g()\n  h()\n}"))
    #expect(Self.matches(sample: "a\n// …\nb", code: "a\n// …\nc\nb"))
    #expect(!Self.matches(sample: "a … b … c", code: "a c b"))
  }

  @Test("every ```swift block in README.md and the DocC articles is a compiled region")
  func everyBlockIsCompiled() throws {
    let blocks = try Self.documentedBlocks()
    let regions = try Self.compiledRegions()
    #expect(blocks.count >= 20, "the docs were not found under \(Self.root.path)")
    var quoted: Set<String> = []
    for block in blocks where !block.isManifest {
      let names = regions.filter { Self.matches(sample: block.text, code: $0.value) }.keys
      quoted.formUnion(names)
      #expect(
        !names.isEmpty,
        """
        \(block.file):\(block.line): this ```swift block is not a compiled region of Tests/ \
        (// sample: NAME … // end sample):
        \(block.text)
        """)
    }
    for name in regions.keys.sorted() where !quoted.contains(name) {
      #expect(Bool(false), "the compiled sample \(name) is quoted by no ```swift block")
    }
  }

  @Test("a Package.swift block in the docs declares what the package offers")
  func manifestBlocks() throws {
    let manifest = try String(
      contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
    let blocks = try Self.documentedBlocks().filter(\.isManifest)
    #expect(blocks.count >= 1)
    for block in blocks {
      let place = "\(block.file):\(block.line)"
      let toolsVersion = { (text: String) in
        text.components(separatedBy: "\n").first.flatMap {
          $0.hasPrefix("// swift-tools-version:")
            ? $0.dropFirst(23).trimmingCharacters(
              in: .whitespaces) : nil
        }
      }
      let theirs = try #require(toolsVersion(block.text), "\(place): no swift-tools-version")
      let ours = try #require(toolsVersion(manifest))
      #expect(
        theirs.compare(ours, options: .numeric) != .orderedAscending,
        "\(place): tools version \(theirs) is older than the package's \(ours)")
      #expect(block.text.contains("import PackageDescription"), "\(place)")
      #expect(block.text.contains(".package(path: \"../CouncilLog\")"), "\(place)")
      let products = block.text.components(separatedBy: ".product(name: \"").dropFirst()
        .map { $0.prefix { $0 != "\"" } }
      #expect(!products.isEmpty, "\(place): no product")
      for product in products {
        #expect(
          manifest.contains(".library(name: \"\(product)\""),
          "\(place): the package declares no library \(product)")
        #expect(
          block.text.contains(".product(name: \"\(product)\", package: \"CouncilLog\")"),
          "\(place): \(product) not from package CouncilLog")
      }
    }
  }
}
