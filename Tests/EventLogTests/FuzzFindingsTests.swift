import EventLog
import Testing

/// Inputs the fuzz targets (Fuzz/) found to crash the library, kept as tests.
@Suite("Fuzz findings (EventLog)")
struct FuzzFindingsTests {
  /// `Timestamp(rfc3339:)` trapped on arithmetic overflow for a year whose nanoseconds do not
  /// fit an `Int64` (found by the interchange target: a line whose time said 4032).
  @Test func rfc3339TimesOutsideTheTimestampRangeAreRefused() {
    for text in [
      "4032-01-01T00:00:00.000000000Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
      "2262-04-11T23:47:16.854775808Z", "1677-09-21T00:12:43.145224191Z",
    ] {
      #expect(Timestamp(rfc3339: text) == nil, "\(text)")
    }
    // The first and last moments a timestamp holds still parse, and print back the same.
    let last = Timestamp(rfc3339: "2262-04-11T23:47:16.854775807Z")
    #expect(last?.nanosecondsSince1970 == .max)
    #expect(last?.description == "2262-04-11T23:47:16.854775807Z")
    let first = Timestamp(rfc3339: "1677-09-21T00:12:43.145224192Z")
    #expect(first?.nanosecondsSince1970 == .min)
    #expect(first?.description == "1677-09-21T00:12:43.145224192Z")
  }
}
