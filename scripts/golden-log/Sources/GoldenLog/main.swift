// Made the golden log of Tests/CouncilTests/Fixtures (record format 2, every council event
// type), once, with the library as it was on 2026-11-29:
//
//   swift build --package-path scripts/golden-log
//   council generate /tmp/golden --events 1500 --seed 3
//   scripts/golden-log/.build/debug/GoldenLog /tmp/golden
//   council export /tmp/golden --to Tests/CouncilTests/Fixtures/format2.jsonl
//   cp /tmp/golden/data.mdb Tests/CouncilTests/Fixtures/format2-log/
//
// `council generate` records 42 of the 56 event types at this size; this adds one event of each
// of the other 14, with fixed IDs and times. (Not compacted with `mdb_copy -c`: a compacted copy
// restarts LMDB's transaction numbers, which `verify` reports against the log's commit marker.)
import Council
import EventLog
import EventLogLMDB
import Foundation

guard CommandLine.arguments.count == 2 else {
  print("usage: GoldenLog LOG (a log made by `council generate`)")
  exit(2)
}
let path = CommandLine.arguments[1]
let day = Day(2019, 6, 1)
let store = try LMDBEventStore(path: path, clock: .fixed(Day(2019, 6, 2).start))
defer { store.close() }
var counter: UInt64 = 0
@MainActor func data(_ event: some CouncilEvent) throws -> EventData {
  counter += 1
  return try EventData(
    event, id: EventID(high: 0x0169_0000_0000_7000, low: 0x8000_0000_0000_0000 | counter),
    metadata: EventMetadata(time: day.start, actor: "office"))
}
let participant = Participant(
  name: "Golden Participant", organization: "Golden Org", country: "Canada", rate: .member,
  refugee: true, youth: false, funded: true)
let appends: [StreamAppend] = [
  StreamAppend(
    stream: "account-golden", expectedVersion: .noStream,
    events: [
      try data(AccountSubscribed(list: "ccr-list", on: day)),
      try data(AccountUnsubscribed(list: "ccr-list", on: day)),
      try data(AccountDeactivated(on: day, reason: "left the organization")),
    ]),
  StreamAppend(
    stream: "subscriber-golden", expectedVersion: .noStream,
    events: [
      try data(
        PublicSubscribed(list: "ccr-list", name: "Golden Reader", affiliation: "none", on: day)),
      try data(PublicUnsubscribed(list: "ccr-list", on: day)),
    ]),
  StreamAppend(
    stream: "gathering-golden", expectedVersion: .noStream,
    events: [
      try data(OfferLapsed(registration: "r-golden-1", on: day)),
      try data(RegistrationTransferred(registration: "r-golden-2", to: participant, on: day)),
    ]),
  StreamAppend(
    stream: "workinggroup-golden", expectedVersion: .noStream,
    events: [
      try data(
        WorkingGroupMeetingScheduled(
          meeting: "m-golden", season: "spring", city: "Winnipeg", on: day)),
      try data(WorkingGroupMeetingHeld(meeting: "m-golden", attendance: 41)),
    ]),
  StreamAppend(
    stream: "application-golden", expectedVersion: .noStream,
    events: [
      try data(
        MoreInformationRequested(
          question: "Which costs does the fund cover?", decidedBy: "fund committee", on: day)),
      try data(InformationProvided(answer: "The receipts are attached.", on: day)),
    ]),
  StreamAppend(
    stream: "resolution-golden", expectedVersion: .noStream,
    events: [
      try data(ResolutionAmended(text: "Be it resolved, as amended, that the CCR ...", on: day)),
      try data(
        ResolutionDefeated(
          consultation: "g-golden", on: day, votesFor: 12, votesAgainst: 30, abstentions: 4)),
      try data(ResolutionWithdrawn(on: day, reason: "merged into another resolution")),
    ]),
]
let results = try await store.append(appends)
print("appended up to", results.last?.lastPosition ?? .start)
