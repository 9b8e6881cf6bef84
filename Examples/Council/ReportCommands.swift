import ArgumentParser
import Council
import EventLog
import EventLogLMDB
import Foundation

struct Registrations: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Registration counts per consultation or conference.")
  @OptionGroup var log: LogPath
  @Argument(help: "A consultation or conference (all when absent).") var consultation: String?
  @OptionGroup var query: QueryOptions

  func run() async throws {
    let log = try await self.log.openForQuery()
    defer { log.close() }
    let store = log.store
    let moment = try await query.moment(in: store)
    let answer = try await query.answer(GatheringReportsProjection(), in: log)
    let ids = try await selected(answer, consultation, asOf: moment, in: store)
    let counts: [(GatheringID, RegistrationCounts)] = ids.compactMap { id in
      answer.value.registrationCounts(id).map { (id, $0) }
    }
    if query.json {
      let byID = Dictionary(uniqueKeysWithValues: counts.map { ($0.0.rawValue, $0.1) })
      try printJSON(Positioned(position: answer.position.rawValue, value: byID))
      return
    }
    print("Registration counts as of log position \(answer.position)")
    let headers = [
      "Gathering", "Capacity", "Registered", "Cancelled", "Waitlisted", "Exceptions", "Attended",
      "Countries", "Outside host", "Refugees", "Youth", "Funded", "Closed on", "Sessions",
    ]
    var rows: [[String]] = []
    for (id, c) in counts {
      let numbers: [Int] = [
        c.capacity, c.registered, c.cancelled, c.waitlisted, c.exceptions, c.checkedIn, c.countries,
        c.fromOutsideHostCountry, c.refugees, c.youth, c.funded,
      ]
      rows.append(
        [id.rawValue] + numbers.map(String.init) + [
          c.closedOn?.description ?? "-", String(c.sessions),
        ])
    }
    Table(headers).print(rows)
  }
}

struct Evaluations: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Evaluation summaries per consultation or conference.")
  @OptionGroup var log: LogPath
  @Argument(help: "A consultation or conference (all when absent).") var consultation: String?
  @OptionGroup var query: QueryOptions

  func run() async throws {
    let log = try await self.log.openForQuery()
    defer { log.close() }
    let store = log.store
    let moment = try await query.moment(in: store)
    let answer = try await query.answer(GatheringReportsProjection(), in: log)
    let summaries = try await selected(answer, consultation, asOf: moment, in: store).compactMap {
      id in
      answer.value.evaluationSummary(id).map { (id, $0) }
    }
    if query.json {
      try printJSON(
        Positioned(
          position: answer.position.rawValue,
          value: Dictionary(uniqueKeysWithValues: summaries.map { ($0.0.rawValue, $0.1) })))
      return
    }
    for (id, summary) in summaries {
      print(
        "\(id): \(summary.responses) responses from \(summary.attendance) participants (\(String(format: "%.1f", summary.responseRate)) %), as of log position \(answer.position)"
      )
      Table(["Statement", "Answered", "Agreed", "Agreeing"]).print(
        summary.statements.map {
          [
            $0.statement, String($0.answered), String($0.agreed),
            String(format: "%.1f %%", $0.percentAgreeing),
          ]
        })
      print()
    }
  }
}

struct Fund: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "The participation fund's ledger.")
  @OptionGroup var log: LogPath
  @OptionGroup var query: QueryOptions

  func run() async throws {
    let log = try await self.log.openForQuery()
    defer { log.close() }
    let answer = try await query.answer(FundLedgerProjection(), in: log)
    let ledger = answer.value
    let consultations = ledger.consultations.sorted { $0.key < $1.key }
    if query.json {
      try printJSON(
        FundOutput(
          position: answer.position.rawValue, byStatus: ledger.applicationsByStatus,
          byComponent: ledger.applicationsByComponent,
          consultations: Dictionary(
            uniqueKeysWithValues: consultations.map {
              (
                $0.key.rawValue,
                [
                  "budget": $0.value.budget, "approved": $0.value.approved,
                  "remaining": $0.value.remaining, "paid": $0.value.paid,
                ]
              )
            }),
          candidatesPerMember: Dictionary(
            uniqueKeysWithValues: ledger.candidatesPerMember.map { ($0.key.rawValue, $0.value) })))
      return
    }
    print("Fund ledger as of log position \(answer.position)")
    print(
      "Applications by status: "
        + ledger.applicationsByStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        .joined(separator: ", "))
    print(
      "Applications by component: "
        + ledger.applicationsByComponent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        .joined(separator: ", "))
    Table(["Consultation", "Budget", "Approved", "Remaining", "Paid"]).print(
      consultations.map {
        [
          $0.key.rawValue, money($0.value.budget), money($0.value.approved),
          money($0.value.remaining), money($0.value.paid),
        ]
      })
    print(
      "Members supporting the most candidates: "
        + ledger.candidatesPerMember.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5)
        .map { "member \($0.key): \($0.value)" }.joined(separator: ", "))
  }
}

struct FundOutput: Encodable {
  var position: UInt64
  var byStatus: [String: Int]
  var byComponent: [String: Int]
  var consultations: [String: [String: Int]]
  var candidatesPerMember: [String: Int]
}

struct Resolutions: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The resolution register: the policy base, pending, defeated and withdrawn.")
  @OptionGroup var log: LogPath
  @OptionGroup var query: QueryOptions

  func run() async throws {
    let log = try await self.log.openForQuery()
    defer { log.close() }
    let answer = try await query.answer(ResolutionRegisterProjection(), in: log)
    let register = answer.value
    if query.json {
      try printJSON(
        Positioned(
          position: answer.position.rawValue,
          value: register.resolutions.values.sorted { $0.resolution < $1.resolution }))
      return
    }
    print("The policy base as of log position \(answer.position)")
    Table(["Working group", "Adopted on", "Resolution", "Title"]).print(
      register.policyBase.sorted { $0.key < $1.key }.flatMap { group, resolutions in
        resolutions.map {
          [group.rawValue, $0.decidedOn?.description ?? "", $0.resolution.rawValue, $0.title]
        }
      })
    for status in ["proposed", "defeated", "withdrawn"] {
      print(
        "\(status.capitalized): "
          + register.with(status: status).map(\.resolution.rawValue).joined(separator: ", "))
    }
  }
}

struct Positioned<Value: Encodable>: Encodable {
  var position: UInt64
  var value: Value
}

/// The gatherings a report covers: the one named (which must be in the log as of the answer's
/// position), or all.
func selected(
  _ answer: Answer<GatheringReports>, _ consultation: String?, asOf moment: AsOf,
  in store: any EventStore
) async throws -> [GatheringID] {
  if let consultation {
    let id = GatheringID(consultation)
    guard answer.value.gatherings[id] != nil else {
      throw try await notInLog(
        "consultation or conference \(consultation)", asOf: moment, at: answer.position
      ) {
        try await GatheringReportsProjection().state(in: store, asOf: .now).value.gatherings[id]
          != nil
      }
    }
    return [id]
  }
  return answer.value.gatherings.keys.sorted()
}

func money(_ cents: Int) -> String { String(format: "%.2f", Double(cents) / 100) }
