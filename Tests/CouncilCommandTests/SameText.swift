import EventLogTestSupport
import Foundation
import Testing

/// Where two long texts (exports, command output) first differ: the line's number and both
/// lines, or nil when they are equal.
///
/// `#expect(a == b)` on megabytes makes the testing library compute a full difference of the
/// two, which takes minutes; this names the first difference at once.
func firstDifference(_ a: String, _ b: String) -> String? {
  if a == b { return nil }
  let left = a.split(separator: "\n", omittingEmptySubsequences: false)
  let right = b.split(separator: "\n", omittingEmptySubsequences: false)
  for index in 0..<max(left.count, right.count) {
    let l = index < left.count ? String(left[index]) : "(none)"
    let r = index < right.count ? String(right[index]) : "(none)"
    if l != r { return "line \(index + 1):\n  \(l.prefix(600))\n  \(r.prefix(600))" }
  }
  return "they differ in line endings"
}

/// ``firstDifference(_:_:)`` of two files' bytes, read as UTF-8.
func firstDifference(_ a: Data, _ b: Data) -> String? {
  if a == b { return nil }
  return firstDifference(String(decoding: a, as: UTF8.self), String(decoding: b, as: UTF8.self))
    ?? "they differ in bytes that are not UTF-8"
}

/// Expects two long texts to be equal, naming the first line that differs when they are not.
func expectSameText(
  _ a: String, _ b: String, _ what: String = "the texts differ",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let difference = firstDifference(a, b)
  #expect(difference == nil, "\(what): \(difference ?? "")", sourceLocation: sourceLocation)
}

/// Runs each command line of `cases` and expects it refused: a non-zero status and one line
/// on standard error that starts with the text given, never showing a password (`secret`).
func expectRefusedInOneLine(_ council: CouncilBinary, _ cases: [([String], String)]) async throws {
  for (arguments, expected) in cases {
    let run = try await council.run(arguments)
    #expect(run.status != 0, "\(arguments)")
    #expect(run.errorLines.count == 1, "\(run.errors)")
    #expect(run.errorLines.first?.hasPrefix(expected) == true, "\(run.errors)")
    #expect(!run.errors.contains("secret"))
  }
}
