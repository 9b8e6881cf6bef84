import EventLogTestSupport
import Foundation
import Testing

@Suite("council people, person, forget, retain and compact")
struct PersonalDataCommandTests {
  @Test func aPersonIsListedShownForgottenAndStaysForgotten() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(
      try await council.run(["generate", "log", "--events", "3000", "--seed", "7"]).status == 0)
    let people = try await council.run(["people", "log", "--json"])
    #expect(people.status == 0, "\(people.errors)")
    let listed =
      try JSONSerialization.jsonObject(with: Data(people.output.utf8)) as? [[String: String]]
    let participant = try #require(listed?.first { $0["kind"] == "participant" }?["subject"])
    #expect(listed?.allSatisfy { $0["status"] == "held" } == true)

    let shown = try await council.run(["person", "log", participant, "--json"])
    #expect(shown.status == 0, "\(shown.errors)")
    let record = try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any]
    let events = try #require(record?["events"] as? [[String: Any]])
    #expect(events.first?["eventType"] as? String == "ParticipantRegistered")
    let data = try #require(events.first?["data"] as? String)
    #expect(data.contains("\"value\""), "the participant's own values are opened: \(data)")

    let refused = try await council.run(["person", "log", participant, "--as", "public"])
    #expect(refused.status != 0)
    #expect(refused.errorLines.count == 1, "\(refused.errors)")
    #expect(refused.errors.contains("notPermitted"))

    let head = try await council.run(["verify", "log"])
    let forgot = try await council.run(["forget", "log", participant, "--reason", "asked"])
    #expect(forgot.status == 0, "\(forgot.errors)")
    #expect(forgot.output.hasPrefix("Forgot \(participant)"))
    let again = try await council.run(["forget", "log", participant, "--reason", "asked"])
    #expect(again.status != 0)
    #expect(
      again.errorLines.count == 1 && again.errors.contains("alreadyErased"), "\(again.errors)")
    let after = try await council.run(["person", "log", participant, "--json"])
    #expect(after.output.contains("\"status\" : \"erased\""), "\(after.output)")
    #expect(!after.output.contains("\\\"value\\\""), "\(after.output)")

    // Export writes the forgotten person erased; compaction keeps the log whole.
    let exported = try await council.run(["export", "log"])
    #expect(exported.output.contains("{\"erased\":true,\"subject\":\"\(participant)\"}"))
    // Imported, the forgotten person stays forgotten: listed erased, and not forgettable again.
    #expect(try await council.run(["export", "log", "--to", "log.jsonl"]).status == 0)
    let imported = try await council.run(["import", "log.jsonl", "copy"])
    #expect(imported.status == 0, "\(imported.errors)")
    let copied = try await council.run(["people", "copy", "--json"])
    let copiedPeople =
      try JSONSerialization.jsonObject(with: Data(copied.output.utf8)) as? [[String: String]]
    #expect(copiedPeople?.first { $0["subject"] == participant }?["status"] == "erased")
    #expect(copiedPeople?.count == listed?.count)
    let copiedPerson = try await council.run(["person", "copy", participant, "--json"])
    #expect(copiedPerson.output.contains("\"status\" : \"erased\""), "\(copiedPerson.output)")
    let forgetCopy = try await council.run(["forget", "copy", participant, "--reason", "asked"])
    #expect(forgetCopy.errors.contains("alreadyErased"), "\(forgetCopy.errors)")
    #expect(try await council.run(["compact", "log"]).status == 0)
    let verified = try await council.run(["verify", "log"])
    #expect(verified.status == 0, "\(verified.output)")
    #expect(verified.output != head.output, "the erasure is a new event")
  }

  @Test func retentionRunsAsOfADayAndOnlyOnce() async throws {
    let directory = TemporaryDirectory()
    let council = try CouncilBinary(workingIn: directory.path)
    #expect(
      try await council.run(["generate", "log", "--events", "3000", "--seed", "7"]).status == 0)
    let first = try await council.run(["retain", "log", "--on", "2040-01-01"])
    #expect(first.status == 0, "\(first.errors)")
    #expect(first.output.hasPrefix("Retention: "))
    #expect(!first.output.hasPrefix("Retention: 0 subjects"), "\(first.output)")
    let second = try await council.run(["retain", "log", "--on", "2040-01-01"])
    #expect(second.output.hasPrefix("Retention: 0 subjects"), "\(second.output)")
    let badRules = try await council.run(["retain", "log", "--rules", "missing.json"])
    #expect(badRules.status != 0)
    #expect(badRules.errorLines.count == 1)
  }
}
