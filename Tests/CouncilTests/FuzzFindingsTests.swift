import Council
import EventLog
import Testing

/// Inputs the fuzz targets (Fuzz/) found to crash the library, kept as tests.
@Suite("Fuzz findings (Council)")
struct CouncilFuzzFindingsTests {
  /// A line of the interchange form, with `data` and `time` as given.
  func line(data: String, time: String = "2016-04-04T11:00:00.000000000Z") -> String {
    "{\"data\":\(data),\"eventType\":\"RegistrationOpened\","
      + "\"id\":\"0151fa7b-dcfa-72ed-be99-0908ed2ef80b\","
      + "\"metadata\":{\"actor\":\"office\",\"custom\":{}},\"position\":86,"
      + "\"schemaVersion\":1,\"stream\":\"gathering-spring-2016\",\"time\":\"\(time)\",\"version\":2}"
  }

  /// `data` that is not an object trapped in `JSONSerialization` ("Top-level object was not
  /// NSArray or NSDictionary"); found by the interchange target with `data` a large number.
  @Test func aLineWhoseDataIsNotAnObjectIsAnImportError() {
    for data in ["9223372036854775808", "null", "1", "\"text\"", "true", "[]", "[{}]"] {
      let error = #expect(throws: Interchange.ImportError.self, "\(data)") {
        try Interchange.event(fromLine: line(data: data), number: 7)
      }
      #expect(error?.line == 7)
    }
  }

  /// A time whose nanoseconds do not fit a timestamp trapped on overflow; found by the
  /// interchange target with a time in 4032.
  @Test func aLineWhoseTimeIsOutOfRangeIsAnImportError() {
    let error = #expect(throws: Interchange.ImportError.self) {
      try Interchange.event(
        fromLine: line(data: "{}", time: "4032-01-01T00:00:00.000000000Z"), number: 9)
    }
    #expect(error?.line == 9)
  }
}
