import EventLog
import EventLogMacros

/// The fund's ledger: applications by status and component, amounts approved against each
/// consultation's budget, and candidates supported per member organization.
@BinaryCodable
public struct FundLedger: Hashable, Sendable, BinaryCodable {
  /// Each application's component, supporting member, consultation, status and amounts.
  @BinaryCodable
  struct Entry: Hashable, Sendable {
    var component: String
    var member: MemberID
    var consultation: GatheringID
    var status: String
    var approved: Int
    var paid: Int
  }

  var entries: [ApplicationID: Entry] = [:]
  var budgets: [GatheringID: Int] = [:]
  var committed: [GatheringID: Int] = [:]

  /// An empty ledger.
  public init() {}

  /// Applications by status (`submitted`, `awaitingInformation`, `approved`, `declined`,
  /// `withdrawn`, `paid`).
  public var applicationsByStatus: [String: Int] {
    entries.values.reduce(into: [:]) { $0[$1.status, default: 0] += 1 }
  }

  /// Applications by component.
  public var applicationsByComponent: [String: Int] {
    entries.values.reduce(into: [:]) { $0[$1.component, default: 0] += 1 }
  }

  /// Per consultation: its budget, the amount approved (net of withdrawals), what remains,
  /// and what was paid.
  public var consultations: [GatheringID: (budget: Int, approved: Int, remaining: Int, paid: Int)] {
    var result: [GatheringID: (budget: Int, approved: Int, remaining: Int, paid: Int)] = [:]
    for consultation in Set(budgets.keys).union(committed.keys) {
      let budget = budgets[consultation] ?? 0
      let approved = committed[consultation] ?? 0
      let paid = entries.values.filter { $0.consultation == consultation }.reduce(0) {
        $0 + $1.paid
      }
      result[consultation] = (budget, approved, budget - approved, paid)
    }
    return result
  }

  /// Candidates supported per member organization: applications approved or paid.
  public var candidatesPerMember: [MemberID: Int] {
    entries.values.filter { $0.status == "approved" || $0.status == "paid" }
      .reduce(into: [:]) { $0[$1.member, default: 0] += 1 }
  }

  mutating func apply(_ event: FundEvent, stream: StreamName) {
    let id = ApplicationID(stream.id ?? "")
    switch event {
    case .fundEstablished: break
    case .fundBudgetSet(let e): budgets[e.consultation] = e.amount
    case .budgetCommitted(let e): committed[e.consultation, default: 0] += e.amount
    case .budgetReleased(let e): committed[e.consultation, default: 0] -= e.amount
    case .applicationSubmitted(let e):
      entries[id] = Entry(
        component: e.component, member: e.supportingMember, consultation: e.consultation,
        status: "submitted", approved: 0, paid: 0)
    case .moreInformationRequested:
      entries.updateValue(forKey: id) { $0.status = "awaitingInformation" }
    case .informationProvided: entries.updateValue(forKey: id) { $0.status = "submitted" }
    case .applicationApproved(let e):
      entries.updateValue(forKey: id) {
        $0.status = "approved"
        $0.approved = e.amount
      }
    case .applicationDeclined: entries.updateValue(forKey: id) { $0.status = "declined" }
    case .applicationWithdrawn: entries.updateValue(forKey: id) { $0.status = "withdrawn" }
    case .applicationPaid(let e):
      entries.updateValue(forKey: id) {
        $0.status = "paid"
        $0.paid = e.amount
      }
    }
  }
}

/// Folds fund and application events into the ``FundLedger``.
public struct FundLedgerProjection: Projection {
  /// Keeps nothing itself; what it folds is stored under `projection/fund-ledger@VERSION`.
  public init() {}

  /// `fund-ledger`.
  public var name: String { "fund-ledger" }
  /// Fund and application streams.
  public var categories: Set<String>? { ["fund", "application"] }
  /// An empty ledger.
  public var initialState: FundLedger { FundLedger() }

  /// Folds one event.
  public func apply(_ event: FundEvent, context: EventContext, to state: inout FundLedger) {
    state.apply(event, stream: context.stream)
  }
}

/// One resolution in the register.
@BinaryCodable
public struct RegisteredResolution: Hashable, Sendable, Codable, BinaryCodable {
  /// The resolution's identifier; its stream is `resolution-` followed by it.
  public var resolution: ResolutionID
  /// Its working group.
  public var workingGroup: WorkingGroupID
  /// The title as proposed; amendments do not change it.
  public var title: String
  /// Its current (or final) text.
  public var text: String
  /// `proposed`, `adopted`, `defeated` or `withdrawn`.
  public var status: String
  /// The day it was decided (adopted, defeated or withdrawn), if it was.
  public var decidedOn: Day?

  /// `status` is `proposed`, `adopted`, `defeated` or `withdrawn`; `decidedOn` is `nil` while proposed.
  public init(
    resolution: ResolutionID, workingGroup: WorkingGroupID, title: String, text: String,
    status: String, decidedOn: Day?
  ) {
    self.resolution = resolution
    self.workingGroup = workingGroup
    self.title = title
    self.text = text
    self.status = status
    self.decidedOn = decidedOn
  }
}

/// The resolution register: the policy base (adopted resolutions by working group and date),
/// pending proposals, and the defeated and withdrawn ones.
@BinaryCodable
public struct ResolutionRegister: Hashable, Sendable, BinaryCodable {
  /// Every resolution by identifier.
  public var resolutions: [ResolutionID: RegisteredResolution] = [:]

  /// An empty register.
  public init() {}

  /// The policy base: adopted resolutions by working group, each group's sorted by date.
  public var policyBase: [WorkingGroupID: [RegisteredResolution]] {
    Dictionary(grouping: resolutions.values.filter { $0.status == "adopted" }, by: \.workingGroup)
      .mapValues {
        $0.sorted {
          ($0.decidedOn ?? Day(daysSince1970: 0), $0.resolution) < (
            $1.decidedOn ?? Day(daysSince1970: 0), $1.resolution
          )
        }
      }
  }

  /// Resolutions with `status`, by identifier.
  public func with(status: String) -> [RegisteredResolution] {
    resolutions.values.filter { $0.status == status }.sorted { $0.resolution < $1.resolution }
  }
}

/// Folds resolution events into the ``ResolutionRegister``.
public struct ResolutionRegisterProjection: Projection {
  /// Keeps nothing itself; what it folds is stored under `projection/resolution-register@VERSION`.
  public init() {}

  /// `resolution-register`.
  public var name: String { "resolution-register" }
  /// Resolution streams.
  public var categories: Set<String>? { ["resolution"] }
  /// An empty register.
  public var initialState: ResolutionRegister { ResolutionRegister() }

  /// Folds one event.
  public func apply(
    _ event: ResolutionEvent, context: EventContext, to state: inout ResolutionRegister
  ) {
    let id = ResolutionID(context.stream.id ?? "")
    switch event {
    case .resolutionProposed(let e):
      state.resolutions[id] = RegisteredResolution(
        resolution: id, workingGroup: e.workingGroup, title: e.title, text: e.text,
        status: "proposed", decidedOn: nil)
    case .resolutionAmended(let e): state.resolutions.updateValue(forKey: id) { $0.text = e.text }
    case .resolutionAdopted(let e):
      state.resolutions.updateValue(forKey: id) {
        $0.status = "adopted"
        $0.decidedOn = e.on
      }
    case .resolutionDefeated(let e):
      state.resolutions.updateValue(forKey: id) {
        $0.status = "defeated"
        $0.decidedOn = e.on
      }
    case .resolutionWithdrawn(let e):
      state.resolutions.updateValue(forKey: id) {
        $0.status = "withdrawn"
        $0.decidedOn = e.on
      }
    }
  }
}
