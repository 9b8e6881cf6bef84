import EventLog

/// Checks a key store's ``DataKeyStore/erasedDataSubjects()`` as subjects are kept and
/// forgotten, against what ``DataKeyStore/dataSubjects()`` lists, and its subjects' keys read
/// together against the keys read one subject at a time; `store` must hold no key when called. Returns the mismatches found, described (none when the store agrees).
public func erasedDataSubjectsMismatches(of store: any DataKeyStore) async throws -> [String] {
  var mismatches: [String] = []
  func expect(_ expected: ErasedDataSubjects, _ step: String) async throws {
    let answer = try await store.erasedDataSubjects()
    if answer != expected { mismatches.append("\(step): \(answer), expected \(expected)") }
    let listed = try await store.dataSubjects()
    let fromList = ErasedDataSubjects(
      anySubject: !listed.isEmpty, erased: Set(listed.filter { $0.value == .erased }.keys))
    if answer != fromList {
      mismatches.append("\(step): \(answer), but dataSubjects() says \(fromList)")
    }
  }
  try await expect(ErasedDataSubjects(anySubject: false, erased: []), "empty")
  let ada = DataSubject("participant", "g-1/r-1")
  let bea = DataSubject("account", "a-2")
  let cy = DataSubject("subscriber", "c@example.org")
  try await store.storeDataKeys([
    WrappedDataKey(subject: ada, id: 1, wrapped: [1]),
    WrappedDataKey(subject: ada, id: 2, wrapped: [2]),
    WrappedDataKey(subject: bea, id: 3, wrapped: [3]),
    WrappedDataKey(subject: cy, id: 4, wrapped: [4]),
  ])
  try await expect(ErasedDataSubjects(anySubject: true, erased: []), "three kept")
  // Subjects' keys read together are the keys read one subject at a time, in the order asked,
  // a subject asked twice and one never seen included.
  let unknown = DataSubject("account", "a-9")
  let asked = [cy, ada, unknown, bea, ada]
  var one: [[WrappedDataKey]] = []
  for subject in asked { one.append(try await store.dataKeys(of: subject)) }
  let together = try await store.dataKeys(of: asked)
  if together != one { mismatches.append("keys read together: \(together), one by one: \(one)") }
  if one.map(\.count) != [1, 2, 0, 1, 2] {
    mismatches.append("keys read one by one: \(one.map(\.count)) of \(asked)")
  }
  _ = try await store.destroyDataKeys(of: ada)
  try await expect(ErasedDataSubjects(anySubject: true, erased: [ada]), "one forgotten")
  _ = try await store.destroyDataKeys(of: bea)
  _ = try await store.destroyDataKeys(of: cy)
  try await expect(
    ErasedDataSubjects(anySubject: true, erased: [ada, bea, cy]), "all forgotten (tombstones)")
  return mismatches
}
