import Synchronization

/// A ``DataKeyStore`` in memory: for tests, and the keys of an ``InMemoryEventStore``.
public final class InMemoryDataKeyStore: DataKeyStore {
  private struct Keys {
    var bySubject: [DataSubject: [UInt64: [UInt8]]] = [:]
    var destroyed: Set<DataSubject> = []
  }

  private let keys = Mutex(Keys())

  /// Creates an empty key store.
  public init() {}

  /// Stores `keys`, or none of them when a subject was forgotten; see
  /// ``DataKeyStore/storeDataKeys(_:)``.
  public func storeDataKeys(_ keys: [WrappedDataKey]) async throws {
    try self.keys.withLock { (stored: inout Keys) throws(PersonalDataError) in
      if let erased = keys.first(where: { stored.destroyed.contains($0.subject) }) {
        throw PersonalDataError(
          .subjectErased, "the subject was forgotten: no new data is kept for it",
          subject: erased.subject)
      }
      for key in keys { stored.bySubject[key.subject, default: [:]][key.id] = key.wrapped }
    }
  }

  /// The key `id` of `subject`; see ``DataKeyStore/dataKey(of:id:)``.
  public func dataKey(of subject: DataSubject, id: UInt64) async throws -> DataKeyLookup {
    keys.withLock { stored in
      if stored.destroyed.contains(subject) { return .destroyed }
      return stored.bySubject[subject]?[id].map { .found($0) } ?? .missing
    }
  }

  /// Destroys `subject`'s keys; see ``DataKeyStore/destroyDataKeys(of:)``.
  public func destroyDataKeys(of subject: DataSubject) async throws -> Int {
    keys.withLock { stored in
      let count = stored.bySubject.removeValue(forKey: subject)?.count ?? 0
      stored.destroyed.insert(subject)
      return count
    }
  }

  /// The keys of `subject`; see ``DataKeyStore/dataKeys(of:)``.
  public func dataKeys(of subject: DataSubject) async throws -> [WrappedDataKey] {
    keys.withLock { stored in
      (stored.bySubject[subject] ?? [:]).sorted { $0.key < $1.key }.map {
        WrappedDataKey(subject: subject, id: $0.key, wrapped: $0.value)
      }
    }
  }

  /// Every subject with keys or a tombstone; see ``DataKeyStore/dataSubjects()``.
  public func dataSubjects() async throws -> [DataSubject: DataSubjectStatus] {
    keys.withLock { stored in
      var subjects: [DataSubject: DataSubjectStatus] = [:]
      for subject in stored.bySubject.keys { subjects[subject] = .held }
      for subject in stored.destroyed { subjects[subject] = .erased }
      return subjects
    }
  }
}

extension InMemoryEventStore: DataKeyStore {
  /// Stores keys in ``dataKeys``; see ``DataKeyStore/storeDataKeys(_:)``.
  public func storeDataKeys(_ keys: [WrappedDataKey]) async throws {
    try await dataKeys.storeDataKeys(keys)
  }

  /// A key from ``dataKeys``; see ``DataKeyStore/dataKey(of:id:)``.
  public func dataKey(of subject: DataSubject, id: UInt64) async throws -> DataKeyLookup {
    try await dataKeys.dataKey(of: subject, id: id)
  }

  /// Destroys keys in ``dataKeys``; see ``DataKeyStore/destroyDataKeys(of:)``.
  public func destroyDataKeys(of subject: DataSubject) async throws -> Int {
    try await dataKeys.destroyDataKeys(of: subject)
  }

  /// The keys of `subject` in ``dataKeys``; see ``DataKeyStore/dataKeys(of:)``.
  public func dataKeys(of subject: DataSubject) async throws -> [WrappedDataKey] {
    try await dataKeys.dataKeys(of: subject)
  }

  /// The subjects in ``dataKeys``; see ``DataKeyStore/dataSubjects()``.
  public func dataSubjects() async throws -> [DataSubject: DataSubjectStatus] {
    try await dataKeys.dataSubjects()
  }
}
