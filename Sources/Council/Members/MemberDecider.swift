import EventLog
import EventLogMacros
import Foundation

/// Where a member organization stands.
public enum MembershipStatus: String, CaseIterable, JSONReadable, Sendable, Hashable, Codable,
  JSONWritable,
  BinaryCodable
{
  /// No application recorded.
  case none
  /// Applied, awaiting the office's decision.
  case applicant
  /// Approved and not lapsed or withdrawn (it may be in its grace period).
  case active
  /// The application was rejected.
  case rejected
  /// The term and grace period passed without renewal.
  case lapsed
  /// The member withdrew.
  case withdrawn
}

/// One membership term: from its first to its last day.
@BinaryCodable
public struct MembershipTerm: Hashable, Sendable, Codable {
  /// The term's first day.
  public var starts: Day
  /// The term's last day (a renewal within the term or grace period moves it).
  public var ends: Day

  /// Takes the days as given, unchecked; the decider builds terms from approvals and renewals.
  public init(starts: Day, ends: Day) {
    self.starts = starts
    self.ends = ends
  }
}

/// What the council knows of one member organization.
public struct MemberState: Sendable, Hashable {
  /// The member's identifier, once it applied.
  public var member: MemberID?
  /// Where it stands.
  public var status: MembershipStatus = .none
  /// Its current profile.
  public var profile: MemberProfile?
  /// The day it joined (first approval); never changes.
  public var joinedOn: Day?
  /// Its terms, oldest first; a gap between two terms is a time it was not a member.
  public var terms: [MembershipTerm] = []
  /// Days after a term's end during which a renewal still extends it.
  public var graceDays = 0
  /// Its administrative account (exactly one, created with the approval).
  public var administrativeAccount: AccountID?

  /// What a stream with no events folds to: the same as ``MemberDecider/initialState``.
  public init() {}

  /// Whether the member is in good standing on `day`: active, and within its term or grace
  /// period.
  public func isInGoodStanding(on day: Day) -> Bool {
    guard status == .active, let term = terms.last else { return false }
    return day <= term.ends.adding(days: graceDays)
  }
}

/// How long terms run and how long the grace period after them is: set by the council (see
/// `CouncilSetup` in CouncilSamples), carried by the commands that need it.
public struct MembershipPolicy: Hashable, Sendable, Codable {
  /// Months in a term.
  public var termMonths: Int
  /// Days after a term's end during which a renewal still extends it.
  public var graceDays: Int

  /// The defaults are a year's term and 60 days' grace; establishing the council refuses
  /// `termMonths` below 1 or negative `graceDays`.
  public init(termMonths: Int = 12, graceDays: Int = 60) {
    self.termMonths = termMonths
    self.graceDays = graceDays
  }
}

/// What may be asked of a member organization.
public enum MemberCommand: Sendable, Hashable {
  /// An organization applies (anyone may, for their organization; the office may record it).
  case apply(MemberID, MemberProfile, on: Day, by: Issuer)
  /// The office approves the application; the administrative account is created with it.
  case approve(on: Day, administrativeAccount: AccountID, policy: MembershipPolicy, by: Issuer)
  /// The office rejects the application.
  case reject(on: Day, reason: String, by: Issuer)
  /// The office or the member's administrator updates the profile.
  case updateProfile(MemberProfile, by: Issuer)
  /// The office or the member's administrator renews the membership.
  case renew(on: Day, policy: MembershipPolicy, by: Issuer)
  /// The office records that the term and grace period passed without renewal.
  case recordLapse(on: Day, by: Issuer)
  /// The member's administrator or the office withdraws the member.
  case withdraw(on: Day, reason: String, by: Issuer)
  /// The office reinstates a lapsed or withdrawn member, starting a new term.
  case reinstate(on: Day, policy: MembershipPolicy, by: Issuer)
}

/// Why a member command was refused.
public enum MemberError: Error, Hashable, Sendable {
  /// The issuer may not issue this command.
  case notPermitted(NotPermitted)
  /// The organization has applied already.
  case alreadyApplied(MemberID)
  /// No application is recorded.
  case notApplied
  /// The command needs an application awaiting a decision, and the member is `status`.
  case notAnApplicant(MembershipStatus)
  /// The command needs an active member, and the member is `status`.
  case notActive(MembershipStatus)
  /// A lapse was recorded while the term or grace period still runs (until `graceEnds`).
  case stillInTerm(graceEnds: Day)
  /// Only a lapsed or withdrawn member can be reinstated.
  case cannotReinstate(MembershipStatus)
  /// A name, region or city is empty.
  case incompleteProfile(String)
  /// A new term must start after the previous one ended (on `previousEnd`).
  case overlapsPreviousTerm(previousEnd: Day)
  /// A renewal extends a term that ends within one term's length; this one ends on
  /// `termEnds`, further ahead than that.
  case renewedTooEarly(termEnds: Day)
}

/// The rules of member organizations, from the member guide: applying, approval by the
/// office with the administrative account, terms with a grace period, renewal, lapse,
/// withdrawal and reinstatement.
public struct MemberDecider: Decider {
  /// The decider keeps nothing between calls: one value serves every stream.
  public init() {}

  /// A stream with no events.
  public var initialState: MemberState { MemberState() }

  /// Decides a member command.
  public func decide(_ command: MemberCommand, state: MemberState) throws(MemberError)
    -> [MemberEvent]
  {
    switch command {
    case .apply(let member, let profile, let day, let issuer):
      guard issuer.isOffice || issuer.publicName != nil else {
        throw .notPermitted(
          NotPermitted(issuer, "apply for membership", allowed: "the public or the office"))
      }
      guard state.status == .none else { throw .alreadyApplied(member) }
      try Self.check(profile)
      return [.applied(MemberApplied(member: member, profile: profile, on: day))]

    case .approve(let day, let account, let policy, let issuer):
      try Self.requireOffice(issuer, "approve a member")
      guard state.status == .applicant else {
        throw state.status == .none ? .notApplied : .notAnApplicant(state.status)
      }
      return [
        .approved(
          MemberApproved(
            joinedOn: day, termEnds: day.adding(months: policy.termMonths).adding(days: -1),
            graceDays: policy.graceDays, administrativeAccount: account))
      ]

    case .reject(let day, let reason, let issuer):
      try Self.requireOffice(issuer, "reject a member")
      guard state.status == .applicant else {
        throw state.status == .none ? .notApplied : .notAnApplicant(state.status)
      }
      return [.rejected(MemberRejected(on: day, reason: reason))]

    case .updateProfile(let profile, let issuer):
      try Self.requireOfficeOrAdministrator(issuer, state, "update the profile")
      guard state.status != .none else { throw .notApplied }
      try Self.check(profile)
      return [.profileUpdated(MemberProfileUpdated(profile: profile))]

    case .renew(let day, let policy, let issuer):
      try Self.requireOfficeOrAdministrator(issuer, state, "renew the membership")
      switch state.status {
      case .active where state.isInGoodStanding(on: day):
        // In good standing means active with a term.
        guard let term = state.terms.last else { throw .notActive(state.status) }
        guard term.ends <= day.adding(months: policy.termMonths) else {
          throw .renewedTooEarly(termEnds: term.ends)
        }
        return [
          .renewed(
            MembershipRenewed(
              on: day, termStarts: term.starts,
              termEnds: term.ends.adding(months: policy.termMonths),
              startsNewTerm: false))
        ]
      case .active, .lapsed:
        // Past the grace period (recorded as lapsed or not yet): a new term, and a gap.
        if let previous = state.terms.last, day <= previous.ends {
          throw .overlapsPreviousTerm(previousEnd: previous.ends)
        }
        var events: [MemberEvent] = []
        if state.status == .active, let last = state.terms.last {
          let lapsedOn = last.ends.adding(days: state.graceDays + 1)
          events.append(.lapsed(MembershipLapsed(on: lapsedOn)))
        }
        events.append(
          .renewed(
            MembershipRenewed(
              on: day, termStarts: day,
              termEnds: day.adding(months: policy.termMonths).adding(days: -1), startsNewTerm: true)
          ))
        return events
      default:
        throw .notActive(state.status)
      }

    case .recordLapse(let day, let issuer):
      try Self.requireOffice(issuer, "record a lapse")
      guard state.status == .active, let term = state.terms.last else {
        throw .notActive(state.status)
      }
      let graceEnds = term.ends.adding(days: state.graceDays)
      guard day > graceEnds else { throw .stillInTerm(graceEnds: graceEnds) }
      return [.lapsed(MembershipLapsed(on: day))]

    case .withdraw(let day, let reason, let issuer):
      try Self.requireOfficeOrAdministrator(issuer, state, "withdraw the member")
      guard state.status == .active || state.status == .lapsed else {
        throw .notActive(state.status)
      }
      return [.withdrew(MemberWithdrew(on: day, reason: reason))]

    case .reinstate(let day, let policy, let issuer):
      try Self.requireOffice(issuer, "reinstate a member")
      guard state.status == .lapsed || state.status == .withdrawn else {
        throw .cannotReinstate(state.status)
      }
      if let previous = state.terms.last, day <= previous.ends {
        throw .overlapsPreviousTerm(previousEnd: previous.ends)
      }
      return [
        .reinstated(
          MemberReinstated(
            termStarts: day, termEnds: day.adding(months: policy.termMonths).adding(days: -1)))
      ]
    }
  }

  /// Folds one event into the state.
  public func evolve(_ state: MemberState, _ event: MemberEvent) -> MemberState {
    var state = state
    switch event {
    case .applied(let e):
      state.member = e.member
      state.profile = e.profile
      state.status = .applicant
    case .approved(let e):
      state.status = .active
      state.joinedOn = e.joinedOn
      state.graceDays = e.graceDays
      state.terms = [MembershipTerm(starts: e.joinedOn, ends: e.termEnds)]
      state.administrativeAccount = e.administrativeAccount
    case .rejected:
      state.status = .rejected
    case .profileUpdated(let e):
      state.profile = e.profile
    case .renewed(let e):
      state.status = .active
      if e.startsNewTerm || state.terms.isEmpty {
        state.terms.append(MembershipTerm(starts: e.termStarts, ends: e.termEnds))
      } else {
        state.terms[state.terms.count - 1].ends = e.termEnds
      }
    case .lapsed:
      state.status = .lapsed
    case .withdrew(let e):
      state.status = .withdrawn
      // A withdrawal ends the running term that day: the history shows no membership after.
      if let last = state.terms.indices.last, state.terms[last].ends > e.on {
        state.terms[last].ends = e.on
      }
    case .reinstated(let e):
      state.status = .active
      state.terms.append(MembershipTerm(starts: e.termStarts, ends: e.termEnds))
    }
    return state
  }

  static func requireOffice(_ issuer: Issuer, _ action: String) throws(MemberError) {
    guard issuer.isOffice else {
      throw .notPermitted(NotPermitted(issuer, action, allowed: "the office"))
    }
  }

  static func requireOfficeOrAdministrator(_ issuer: Issuer, _ state: MemberState, _ action: String)
    throws(MemberError)
  {
    guard issuer.isOffice || (state.member.map(issuer.isAdministrator(of:)) ?? false) else {
      throw .notPermitted(
        NotPermitted(issuer, action, allowed: "the office or the member's administrator"))
    }
  }

  static func check(_ profile: MemberProfile) throws(MemberError) {
    for (field, value) in [
      ("English name", profile.nameEnglish), ("French name", profile.nameFrench),
      ("region", profile.region), ("city", profile.city),
    ] where value.trimmingCharacters(in: .whitespaces).isEmpty {
      throw .incompleteProfile(field)
    }
  }
}

extension Issuer {
  var publicName: String? {
    if case .publicPerson(let name) = self { return name }
    return nil
  }
}
