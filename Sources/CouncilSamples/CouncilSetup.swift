import Council
import EventLog

/// Sets up the council of the seeds — the Canadian Council for Refugees of the member guide
/// (`000_e44055bfb5ba5aef.txt`) — by recording its working groups, mailing lists and fund as
/// events. Another council uses the same library with its own setup: nothing here is built
/// into the domain's types.
public enum CouncilSetup {
  /// The three working groups ("The Working Groups").
  public static let workingGroups: [WorkingGroupEstablished] = [
    WorkingGroupEstablished(
      group: "IS", name: "Immigration and Settlement", mandate: "ccrweb.ca/IS"),
    WorkingGroupEstablished(group: "IP", name: "Inland Protection", mandate: "ccrweb.ca/IP"),
    WorkingGroupEstablished(
      group: "OPS", name: "Overseas Protection and Sponsorship", mandate: "ccrweb.ca/OPS"),
  ]

  /// The mailings ("Member mailings", "The CCR listserv", "The Chronicle", "Anti-Trafficking").
  public static let mailingLists: [MailingListEstablished] = [
    MailingListEstablished(list: "member-mailings", name: "Member mailings", audience: .accounts),
    MailingListEstablished(list: "chronicle", name: "The Chronicle", audience: .anyone),
    MailingListEstablished(
      list: "ccrlist", name: "CCRLIST", audience: .anyone,
      excludedAffiliations: ["media", "government"]),
    MailingListEstablished(list: "trafficking", name: "Trafficking newsletter", audience: .anyone),
  ]

  /// The Amina Malko Refugee Participation Fund and its two components.
  public static let fund = FundEstablished(
    fund: "amina-malko", name: "Amina Malko Refugee Participation Fund",
    components: [
      FundComponent(
        id: "participation", name: "Fund for Refugee participation", meetingsCovered: 1,
        withinMonths: 0),
      FundComponent(
        id: "leadership", name: "Fund for Refugee Leadership", meetingsCovered: 3, withinMonths: 12),
    ])

  /// The membership policy. The seeds do not state term lengths or a grace period; a yearly
  /// term with 60 days of grace is this setup's choice.
  public static let policy = MembershipPolicy(termMonths: 12, graceDays: 60)

  /// Records the seeds' council: its settings, working groups, mailing lists and fund.
  public static func recordSeedCouncil(in council: Council) async throws {
    try await council.establish(name: "Canadian Council for Refugees", policy: policy, by: .office)
    for group in workingGroups { try await council.establishWorkingGroup(group, by: .office) }
    for list in mailingLists { try await council.establishMailingList(list, by: .office) }
    try await council.establishFund(fund, by: .office)
  }
}
