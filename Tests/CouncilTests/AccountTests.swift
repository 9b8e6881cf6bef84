import Council
import EventLog
import Foundation
import Testing

let adminCreated = AccountEvent.administrativeCreated(
  AdministrativeAccountCreated(
    account: "a-42", member: "42", name: Personal("FCJ office", of: .account("a-42")),
    email: Personal("office@fcj.example", of: .account("a-42")), on: Day(2018, 2, 1)))
let chronicle = MailingList(
  id: "chronicle", name: "Chronicle", audience: .anyone, excludedAffiliations: [])
let ccrlist = MailingList(
  id: "ccrlist", name: "CCRLIST", audience: .anyone, excludedAffiliations: ["media", "government"])
let mailings = MailingList(
  id: "member-mailings", name: "Member mailings", audience: .accounts, excludedAffiliations: [])

extension AccountEvent: CouncilEventWrapper { var anyPayload: any CouncilEvent { payload } }
extension SubscriptionEvent: CouncilEventWrapper { var anyPayload: any CouncilEvent { payload } }

@Suite("Accounts: given events, when a command, then events or an error")
struct AccountTests {
  let accounts = AccountDecider()

  @Test func theOfficeCreatesTheAdministrativeAccount() {
    #expect(
      accounts.given([]).when(
        .createAdministrative(
          "a-42", member: "42", name: "FCJ office", email: " Office@FCJ.example",
          on: Day(2018, 2, 1), by: .office))
        == .success([adminCreated]))
  }

  @Test func onlyTheOfficeCreatesAdministrativeAccounts() {
    guard
      case .failure(.notPermitted) = accounts.given([]).when(
        .createAdministrative(
          "a-42", member: "42", name: "x", email: "x@y.org", on: Day(2018, 2, 1), by: admin))
    else {
      Issue.record("an administrator created an administrative account")
      return
    }
  }

  @Test func theAdministratorCreatesIndividualAccountsForAMemberInGoodStanding() {
    let command = AccountCommand.createIndividual(
      "i-1", member: "42", name: "Ana", email: "ana@fcj.example", role: .staff, on: Day(2018, 3, 1),
      memberInGoodStanding: true, by: admin)
    #expect(
      accounts.given([]).when(command)
        == .success([
          .individualCreated(
            IndividualAccountCreated(
              account: "i-1", member: "42", name: Personal("Ana", of: .account("i-1")),
              email: Personal("ana@fcj.example", of: .account("i-1")), role: .staff,
              on: Day(2018, 3, 1)))
        ]))
  }

  @Test func individualAccountsNeedAMemberInGoodStanding() {
    #expect(
      accounts.given([]).when(
        .createIndividual(
          "i-1", member: "42", name: "Ana", email: "ana@fcj.example", role: .boardMember,
          on: Day(2019, 6, 1), memberInGoodStanding: false, by: .office))
        == .failure(.memberNotInGoodStanding("42")))
  }

  @Test func anotherMembersAdministratorCannotCreateAccountsHere() {
    guard
      case .failure(.notPermitted) = accounts.given([]).when(
        .createIndividual(
          "i-1", member: "42", name: "Ana", email: "ana@x.org", role: .staff, on: Day(2018, 3, 1),
          memberInGoodStanding: true, by: stranger))
    else {
      Issue.record("another member's administrator created an account")
      return
    }
  }

  @Test func badAddressesAndNamesAreRefused() {
    #expect(
      accounts.given([]).when(
        .createIndividual(
          "i-1", member: "42", name: "Ana", email: "not-an-address", role: .staff,
          on: Day(2018, 3, 1), memberInGoodStanding: true, by: .office))
        == .failure(.invalidEmail("not-an-address")))
    #expect(
      accounts.given([]).when(
        .createIndividual(
          "i-1", member: "42", name: " ", email: "a@b.org", role: .staff, on: Day(2018, 3, 1),
          memberInGoodStanding: true, by: .office))
        == .failure(.missingName))
    #expect(
      accounts.given([adminCreated]).when(
        .createAdministrative(
          "a-42", member: "42", name: "x", email: "x@y.org", on: Day(2018, 2, 1), by: .office))
        == .failure(.alreadyExists("a-42")))
  }

  @Test func deactivation() {
    let individual = AccountEvent.individualCreated(
      IndividualAccountCreated(
        account: "i-1", member: "42", name: Personal("Ana", of: .account("i-1")),
        email: Personal("ana@fcj.example", of: .account("i-1")),
        role: .volunteerInStaffRole, on: Day(2018, 3, 1)))
    let deactivated = AccountEvent.deactivated(
      AccountDeactivated(on: Day(2018, 9, 1), reason: "left"))
    #expect(
      accounts.given([individual]).when(.deactivate(on: Day(2018, 9, 1), reason: "left", by: admin))
        == .success([deactivated]))
    #expect(
      accounts.given([individual, deactivated]).when(
        .deactivate(on: Day(2018, 9, 2), reason: "x", by: .office)) == .failure(.deactivated))
    guard
      case .failure(.notPermitted) = accounts.given([adminCreated]).when(
        .deactivate(on: Day(2018, 9, 1), reason: "x", by: admin))
    else {
      Issue.record("an administrator deactivated the administrative account")
      return
    }
  }

  @Test func accountsSubscribeToMemberMailings() {
    #expect(
      accounts.given([adminCreated]).when(.subscribe(mailings, on: Day(2018, 2, 2), by: admin))
        == .success([.subscribed(AccountSubscribed(list: "member-mailings", on: Day(2018, 2, 2)))]))
    let subscribed = AccountEvent.subscribed(
      AccountSubscribed(list: "member-mailings", on: Day(2018, 2, 2)))
    #expect(
      accounts.given([adminCreated, subscribed]).when(
        .subscribe(mailings, on: Day(2018, 2, 3), by: admin))
        == .failure(.alreadySubscribed("member-mailings")))
    #expect(
      accounts.given([
        adminCreated, .deactivated(AccountDeactivated(on: Day(2018, 3, 1), reason: "x")),
      ])
      .when(.subscribe(mailings, on: Day(2018, 3, 2), by: .office)) == .failure(.deactivated))
    guard
      case .failure(.notPermitted) = accounts.given([adminCreated]).when(
        .subscribe(mailings, on: Day(2018, 2, 2), by: .publicPerson(name: "x")))
    else {
      Issue.record("the public subscribed an account")
      return
    }
  }

  @Test func everyAccountEventRoundTrips() throws {
    let events: [AccountEvent] = [
      adminCreated,
      .individualCreated(
        IndividualAccountCreated(
          account: "i", member: "m", name: Personal("n", of: .account("i")),
          email: Personal("e@x.org", of: .account("i")), role: .staff, on: Day(2018, 1, 1))
      ),
      .deactivated(AccountDeactivated(on: Day(2018, 1, 1), reason: "r")),
      .subscribed(AccountSubscribed(list: "l", on: Day(2018, 1, 1))),
      .unsubscribed(AccountUnsubscribed(list: "l", on: Day(2018, 1, 1))),
    ]
    #expect(Set(events.map(\.eventType)) == Set(AccountEvent.eventTypes))
    for event in events { try expectRoundTrip(event) }
    let subscriptions: [SubscriptionEvent] = [
      .listEstablished(
        MailingListEstablished(
          list: "ccrlist", name: "CCRLIST", audience: .anyone, excludedAffiliations: ["media"])),
      .subscribed(
        PublicSubscribed(
          list: "ccrlist", name: Personal("Ana", of: .subscriber("ana@x.org")), affiliation: "ngo",
          on: Day(2018, 1, 1), email: Personal("ana@x.org", of: .subscriber("ana@x.org")))),
      .unsubscribed(PublicUnsubscribed(list: "ccrlist", on: Day(2018, 1, 1))),
    ]
    #expect(Set(subscriptions.map(\.eventType)) == Set(SubscriptionEvent.eventTypes))
    for event in subscriptions { try expectRoundTrip(event) }
  }
}

@Suite("Subscriptions: given events, when a command, then events or an error")
struct SubscriptionTests {
  let subscriptions = SubscriptionDecider()

  @Test func theChronicleIsOpenToAnyone() {
    #expect(
      subscriptions.given([]).when(
        .subscribe(
          chronicle, name: "Ana", affiliation: "Media", on: Day(2018, 5, 1),
          by: .publicPerson(name: "Ana")))
        == .success([
          .subscribed(
            PublicSubscribed(
              list: "chronicle", name: "Ana", affiliation: "media", on: Day(2018, 5, 1)))
        ]))
  }

  @Test func theCCRLISTRefusesMediaAndGovernmentClearly() {
    for affiliation in ["media", "Government "] {
      #expect(
        subscriptions.given([]).when(
          .subscribe(
            ccrlist, name: "Reporter", affiliation: affiliation, on: Day(2018, 5, 1),
            by: .publicPerson(name: "R")))
          == .failure(
            .excludedAffiliation(
              list: "CCRLIST",
              affiliation: affiliation.trimmingCharacters(in: .whitespaces).lowercased())))
    }
    #expect(
      subscriptions.given([]).when(
        .subscribe(
          ccrlist, name: "Worker", affiliation: "ngo", on: Day(2018, 5, 1),
          by: .publicPerson(name: "W")))
        == .success([
          .subscribed(
            PublicSubscribed(
              list: "ccrlist", name: "Worker", affiliation: "ngo", on: Day(2018, 5, 1)))
        ]))
  }

  @Test func memberMailingsAreForAccountsOnly() {
    #expect(
      subscriptions.given([]).when(
        .subscribe(
          mailings, name: "Ana", affiliation: "ngo", on: Day(2018, 5, 1),
          by: .publicPerson(name: "Ana")))
        == .failure(.accountsOnly("member-mailings")))
  }

  @Test func onlyTheOfficeEstablishesLists() {
    let event = MailingListEstablished(
      list: "trafficking", name: "Trafficking newsletter", audience: .anyone)
    #expect(
      subscriptions.given([]).when(.establish(event, by: .office))
        == .success([.listEstablished(event)]))
    #expect(
      subscriptions.given([.listEstablished(event)]).when(.establish(event, by: .office))
        == .failure(.listExists("trafficking")))
    guard case .failure(.notPermitted) = subscriptions.given([]).when(.establish(event, by: admin))
    else {
      Issue.record("an administrator established a list")
      return
    }
  }
}
