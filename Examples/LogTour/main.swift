// A tour of the event log: record a few events in an LMDB log, read them back, follow the
// log live, and fold it into a small read model (members per region).
//
//   swift run log-tour [DIRECTORY]
//
// With no directory, the log goes to a fresh temporary directory.
import EventLog
import EventLogLMDB
import Foundation

/// A member organization applied to join the council.
struct MemberApplied: BinaryEvent, Codable, Equatable {
  static let eventType = "MemberApplied"
  var name: String
  var region: String

  func encode(to writer: inout BinaryWriter) {
    writer.write(name)
    writer.write(region)
  }

  init(name: String, region: String) {
    self.name = name
    self.region = region
  }

  init(from reader: inout BinaryReader) throws {
    let name = try reader.read(String.self)
    let region = try reader.read(String.self)
    self.init(name: name, region: region)
  }
}

/// The council's office approved a member.
struct MemberApproved: BinaryEvent, Codable, Equatable {
  static let eventType = "MemberApproved"
  var approvedBy: String

  func encode(to writer: inout BinaryWriter) { writer.write(approvedBy) }

  init(approvedBy: String) { self.approvedBy = approvedBy }

  init(from reader: inout BinaryReader) throws {
    self.init(approvedBy: try reader.read(String.self))
  }
}

let directory =
  CommandLine.arguments.dropFirst().first
  ?? FileManager.default.temporaryDirectory
  .appendingPathComponent("log-tour-\(UUID().uuidString)").path

do {
  let store = try LMDBEventStore(path: directory)
  let clock = EventClock.system
  let ids = EventIDGenerator.timeOrdered(clock: clock)
  func record(_ event: some RecordableEvent) throws -> EventData {
    try EventData(
      event, id: ids.next(), metadata: EventMetadata(time: clock.now(), actor: "office"))
  }

  let applicants = [
    ("Montreal City Mission", "Quebec"), ("FCJ Refugee Centre", "Ontario"),
    ("Immigrant Services Calgary", "Alberta"), ("Halifax Refugee Clinic", "Nova Scotia"),
    ("Centre social d'aide aux immigrants", "Quebec"),
  ]
  let first = try await store.headPosition().next
  for (number, (name, region)) in applicants.enumerated() {
    let stream = StreamName(category: "member", id: String(number + 1))
    try await store.append(
      [try record(MemberApplied(name: name, region: region))], to: stream,
      expectedVersion: .noStream)
  }
  print("Recorded \(applicants.count) applications in \(directory)")

  // Follow the log live while the office approves three members.
  let follower = Task {
    var seen: [String] = []
    for try await event in store.follow(from: first, filter: LogFilter(categories: ["member"])) {
      seen.append("  #\(event.position) \(event.stream) v\(event.version) \(event.eventType)")
      if seen.count == applicants.count + 3 { break }
    }
    return seen
  }
  for number in [1, 2, 4] {
    try await store.append(
      [try record(MemberApproved(approvedBy: "office"))],
      to: StreamName(category: "member", id: String(number)), expectedVersion: .exactly(1))
  }
  print("The log as a follower saw it:")
  for line in try await follower.value { print(line) }

  // Fold the log into a read model: approved members per region.
  var regionOf: [StreamName: String] = [:]
  var approved: [String: Int] = [:]
  let applied = EventSchema<MemberApplied>()
  var next = first
  while true {
    let page = try await store.readLog(from: next, limit: 100)
    if page.events.isEmpty { break }
    for event in page.events {
      switch event.eventType {
      case MemberApplied.eventType:
        regionOf[event.stream] = try event.decode(with: applied).region
      case MemberApproved.eventType:
        if let region = regionOf[event.stream] { approved[region, default: 0] += 1 }
      default:
        break
      }
    }
    next = page.nextPosition
  }
  print("Approved members by region:")
  for (region, count) in approved.sorted(by: { $0.key < $1.key }) {
    print("  \(region): \(count)")
  }
  print("Head position: \(try await store.headPosition())")
  store.close()
} catch {
  print("log-tour: \(error)")
  exit(1)
}
