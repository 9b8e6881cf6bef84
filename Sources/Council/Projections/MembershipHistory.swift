import EventLog
import EventLogMacros

/// One member's membership over time: its join date, terms, the gaps between them, and its
/// status on any day. Unlike a record rewritten on each renewal, the gaps stay visible.
@BinaryCodable
public struct MemberHistory: Hashable, Sendable, Codable, BinaryCodable {
  /// The day it joined (first approval); never changes.
  public var joinedOn: Day?
  /// Its terms, oldest first.
  public var terms: [MembershipTerm]
  /// Each change of status, with the day it took effect, oldest first.
  public var changes: [StatusChange]

  /// A change of status on a day.
  @BinaryCodable
  public struct StatusChange: Hashable, Sendable, Codable, BinaryCodable {
    /// The day it took effect.
    public var on: Day
    /// The new status.
    public var status: MembershipStatus

    /// A change of status as the history lists it; `on` is the day it took effect.
    public init(on: Day, status: MembershipStatus) {
      self.on = on
      self.status = status
    }

  }

  /// Creates a history, empty by default; the projection fills it from the member's events.
  public init(joinedOn: Day? = nil, terms: [MembershipTerm] = [], changes: [StatusChange] = []) {
    self.joinedOn = joinedOn
    self.terms = terms
    self.changes = changes
  }

  /// The stretches between two terms when the organization was not a member.
  public var gaps: [MembershipTerm] {
    zip(terms, terms.dropFirst()).compactMap { earlier, later in
      later.starts > earlier.ends.adding(days: 1)
        ? MembershipTerm(starts: earlier.ends.adding(days: 1), ends: later.starts.adding(days: -1))
        : nil
    }
  }

  /// The status on `day`: that of the last change on or before it.
  public func status(on day: Day) -> MembershipStatus {
    changes.last { $0.on <= day }?.status ?? .none
  }

}

/// Membership movements in one calendar year.
@BinaryCodable
public struct MembershipYear: Hashable, Sendable, Codable, BinaryCodable {
  /// Members approved for the first time.
  public var joined: Int = 0
  /// Renewals that extended a running term.
  public var renewed: Int = 0
  /// Members whose term and grace period passed.
  public var lapsed: Int = 0
  /// Members who came back after a lapse or withdrawal (a new term).
  public var rejoined: Int = 0
  /// Members who withdrew.
  public var withdrew: Int = 0

  /// Creates counts.
  public init(
    joined: Int = 0, renewed: Int = 0, lapsed: Int = 0, rejoined: Int = 0, withdrew: Int = 0
  ) {
    self.joined = joined
    self.renewed = renewed
    self.lapsed = lapsed
    self.rejoined = rejoined
    self.withdrew = withdrew
  }

}

/// Every member's history, and the movements of each year.
///
/// Its binary form keeps the year table and an index of the histories apart from the
/// histories themselves, so that ``KeptMembership`` reads a kept copy in part.
public struct MembershipHistories: Hashable, Sendable, BinaryCodable {
  /// Each member's history.
  public var members: [MemberID: MemberHistory] = [:]
  /// Movements per calendar year.
  public var years: [Int: MembershipYear] = [:]

  /// No history.
  public init() {}

}

/// Folds member events into ``MembershipHistories``.
public struct MembershipHistoryProjection: Projection {
  /// Keeps nothing itself; what it folds is stored under `projection/membership-history@VERSION`.
  public init() {}

  /// `membership-history`.
  public var name: String { "membership-history" }
  /// 2: the histories' binary form keeps the year table and an index of the records apart
  /// from the records (``KeptMembership``); histories kept by version 1 are rebuilt once.
  public var version: Int { 2 }
  /// Member streams.
  public var categories: Set<String>? { ["member"] }
  /// No history.
  public var initialState: MembershipHistories { MembershipHistories() }

  /// Folds one member event.
  public func apply(
    _ event: MemberEvent, context: EventContext, to state: inout MembershipHistories
  ) {
    Self.apply(event, member: MemberID(context.stream.id ?? ""), to: &state)
  }

  /// Folds one event of `member`'s stream.
  static func apply(_ event: MemberEvent, member: MemberID, to state: inout MembershipHistories) {
    // The history is changed where the dictionary holds it: a copy taken out and stored back
    // would copy its arrays on every event.
    guard let (day, movement) = apply(event, to: &state.members[member, default: MemberHistory()])
    else { return }
    state.years[day.components.year, default: MembershipYear()].count(movement)
  }

  /// A movement a year's figures count.
  enum Movement {
    case joined, renewed, lapsed, rejoined, withdrew
  }

  /// Folds one event into a member's history; returns the movement it counts and the day
  /// whose year counts it, if any.
  private static func apply(
    _ event: MemberEvent, to history: inout MemberHistory
  ) -> (Day, Movement)? {
    func change(_ day: Day, _ status: MembershipStatus) {
      history.changes.append(MemberHistory.StatusChange(on: day, status: status))
    }
    switch event {
    case .applied(let e):
      change(e.on, .applicant)
      return nil
    case .approved(let e):
      history.joinedOn = e.joinedOn
      history.terms = [MembershipTerm(starts: e.joinedOn, ends: e.termEnds)]
      change(e.joinedOn, .active)
      return (e.joinedOn, .joined)
    case .rejected(let e):
      change(e.on, .rejected)
      return nil
    case .profileUpdated:
      return nil
    case .renewed(let e):
      if e.startsNewTerm || history.terms.isEmpty {
        history.terms.append(MembershipTerm(starts: e.termStarts, ends: e.termEnds))
        change(e.termStarts, .active)
        return (e.on, .rejoined)
      } else {
        history.terms[history.terms.count - 1].ends = e.termEnds
        return (e.on, .renewed)
      }
    case .lapsed(let e):
      change(e.on, .lapsed)
      return (e.on, .lapsed)
    case .withdrew(let e):
      if let last = history.terms.indices.last, history.terms[last].ends > e.on {
        history.terms[last].ends = e.on
      }
      change(e.on, .withdrawn)
      return (e.on, .withdrew)
    case .reinstated(let e):
      history.terms.append(MembershipTerm(starts: e.termStarts, ends: e.termEnds))
      change(e.termStarts, .active)
      return (e.termStarts, .rejoined)
    }
  }
}

extension MembershipYear {
  /// Counts one movement.
  mutating func count(_ movement: MembershipHistoryProjection.Movement) {
    switch movement {
    case .joined: joined += 1
    case .renewed: renewed += 1
    case .lapsed: lapsed += 1
    case .rejoined: rejoined += 1
    case .withdrew: withdrew += 1
    }
  }
}
