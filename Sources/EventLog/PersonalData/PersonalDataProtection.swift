/// Seals personal values as they are encoded: each with a data key of its own subject.
///
/// ``BinaryWriter/sealer`` holds one while an event or a state is encoded; ``Personal``
/// calls it. Sealing is synchronous and never waits on storage: a key the sealer had to make
/// is kept until ``PersonalDataProtector/saveNewKeys()`` stores it, which the command
/// handlers call before they append.
public protocol PersonalDataSealer: Sendable {
  /// The ciphertext of `plaintext`, sealed with a data key of `subject`.
  ///
  /// - Throws: ``PersonalDataError`` when `subject` was forgotten (``PersonalDataError/Code/subjectErased``)
  ///   or sealing fails.
  func seal(_ plaintext: [UInt8], for subject: DataSubject) throws(PersonalDataError) -> [UInt8]
}

/// Seals, opens and forgets personal data: the one thing a log needs to hold people's data
/// encrypted per person.
///
/// `EventLogPersonalData`'s `PersonalDataVault` is the implementation this package ships
/// (AES-GCM data keys, wrapped by a master key, kept in a ``DataKeyStore``); another (a
/// hardware or cloud key manager) conforms to this protocol.
public protocol PersonalDataProtector: PersonalDataSealer {
  /// Stores the data keys made by ``PersonalDataSealer/seal(_:for:)`` since the last call.
  ///
  /// Command handlers call it after encoding and before appending, so that no event is
  /// appended whose key was not kept.
  func saveNewKeys() async throws

  /// The plaintext sealed in `ciphertext` for `subject`, or `nil` when the subject's keys were
  /// destroyed (the subject was forgotten).
  ///
  /// - Throws: ``PersonalDataError`` when the key is missing for another reason, the master
  ///   key does not open it, or the ciphertext is damaged.
  func open(_ ciphertext: [UInt8], for subject: DataSubject) async throws -> [UInt8]?

  /// Destroys every data key of `subject`, so that nothing sealed for it can be read again.
  ///
  /// - Returns: whether there was a key to destroy; `false` when the subject was already
  ///   forgotten or never had a key.
  func destroyKeys(of subject: DataSubject) async throws -> Bool

  /// Every subject with keys or with destroyed keys, and whether it was forgotten.
  func subjects() async throws -> [DataSubject: DataSubjectStatus]
}

/// Whether a subject's data can still be read.
public enum DataSubjectStatus: String, Hashable, Sendable, Codable {
  /// The subject has data keys: their data reads back.
  case held
  /// The subject's keys were destroyed: their data reads as erased.
  case erased
}

/// The subjects a key store has forgotten, and whether it holds any subject at all; see
/// ``DataKeyStore/erasedDataSubjects()``.
public struct ErasedDataSubjects: Hashable, Sendable {
  /// Whether any subject has keys or a tombstone (when not, no value in the log is sealed
  /// with a key of this store).
  public var anySubject: Bool
  /// The subjects whose keys were destroyed.
  public var erased: Set<DataSubject>

  /// Creates the answer of a key store.
  public init(anySubject: Bool, erased: Set<DataSubject>) {
    self.anySubject = anySubject
    self.erased = erased
  }
}

/// A data key of one subject, wrapped (encrypted) by the master key; the form keys are
/// stored in.
public struct WrappedDataKey: Hashable, Sendable {
  /// Whose key this is.
  public var subject: DataSubject
  /// The key's number among its subject's keys, written in every ciphertext it seals.
  public var id: UInt64
  /// The key, encrypted by the master key.
  public var wrapped: [UInt8]

  /// Creates a wrapped key.
  public init(subject: DataSubject, id: UInt64, wrapped: [UInt8]) {
    self.subject = subject
    self.id = id
    self.wrapped = wrapped
  }
}

/// What a key store holds for one key of a subject.
public enum DataKeyLookup: Hashable, Sendable {
  /// The wrapped key.
  case found([UInt8])
  /// The subject was forgotten: every key of it was destroyed.
  case destroyed
  /// The store has no such key and the subject was not forgotten.
  case missing
}

/// Where wrapped data keys are kept: beside the log, never in it.
///
/// The LMDB store keeps them in a database of its own in the log's environment; the in-memory
/// store keeps them in memory. Keys are wrapped before they reach a key store, so a key store
/// holds nothing readable without the master key. Destroying a subject's keys leaves a
/// tombstone (no key material), so that a forgotten subject is told apart from one never seen.
public protocol DataKeyStore: Sendable {
  /// Stores `keys`.
  ///
  /// - Throws: ``PersonalDataError/Code/subjectErased`` when one of the subjects was forgotten;
  ///   nothing is stored then.
  func storeDataKeys(_ keys: [WrappedDataKey]) async throws

  /// The key `id` of `subject`.
  func dataKey(of subject: DataSubject, id: UInt64) async throws -> DataKeyLookup

  /// Destroys every key of `subject` and leaves its tombstone.
  ///
  /// - Returns: how many keys were destroyed (0 when it had none or was forgotten before).
  func destroyDataKeys(of subject: DataSubject) async throws -> Int

  /// Every subject with keys or a tombstone.
  func dataSubjects() async throws -> [DataSubject: DataSubjectStatus]

  /// Whether any subject has keys or a tombstone, and which subjects were forgotten: what a
  /// reader of the whole log (an export) needs to know before it writes personal values,
  /// without a value made for every subject held.
  ///
  /// The default reads ``dataSubjects()``; a store with many subjects answers it faster.
  func erasedDataSubjects() async throws -> ErasedDataSubjects

  /// Every key of `subject`, wrapped, in key-number order; none once it was forgotten. For
  /// moving keys to another store or another master key, and for checking that destroyed
  /// keys are gone.
  func dataKeys(of subject: DataSubject) async throws -> [WrappedDataKey]

  /// The keys of each of `subjects`, in their order: for each, what ``dataKeys(of:)`` gives.
  /// A reader that needs many subjects' keys at once (an export, a page of the log at a time)
  /// asks for them together, which a store may answer in one read.
  ///
  /// The default asks ``dataKeys(of:)`` for each; the LMDB store reads them all in one
  /// transaction.
  func dataKeys(of subjects: [DataSubject]) async throws -> [[WrappedDataKey]]
}

extension DataKeyStore {
  /// The keys of each of `subjects`, asked of ``dataKeys(of:)`` one subject at a time.
  public func dataKeys(of subjects: [DataSubject]) async throws -> [[WrappedDataKey]] {
    var keys: [[WrappedDataKey]] = []
    keys.reserveCapacity(subjects.count)
    for subject in subjects { keys.append(try await dataKeys(of: subject)) }
    return keys
  }

  /// Whether any subject has keys or a tombstone, and which were forgotten, read from
  /// ``dataSubjects()``.
  public func erasedDataSubjects() async throws -> ErasedDataSubjects {
    let subjects = try await dataSubjects()
    return ErasedDataSubjects(
      anySubject: !subjects.isEmpty,
      erased: Set(subjects.lazy.filter { $0.value == .erased }.map(\.key)))
  }
}
