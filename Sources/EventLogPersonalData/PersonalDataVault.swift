import Crypto
import EventLog
import Foundation
import Synchronization

/// Personal data encrypted per person: AES-GCM data keys, one set per subject, wrapped by a
/// ``MasterKey`` and kept in a ``DataKeyStore``.
///
/// Sealing a value of a subject uses the key this vault made for the subject (a new one, with
/// a random number, the first time the vault seals for it); the ciphertext names the key.
/// Opening looks the key up in the store every time, so that a subject forgotten by another
/// process reads as erased here too, and keeps unwrapped keys in memory so that only the first
/// opening of each key pays for unwrapping. Forgetting a subject destroys every key of it in
/// the store and in this vault.
///
/// The layout of a ciphertext: a format byte (1), the key's number (8 bytes, little-endian),
/// then AES-GCM's combined form (12-byte nonce, ciphertext, 16-byte tag), with the subject
/// (`kind:id`) as authenticated data, so that a ciphertext moved to another subject does not
/// open.
public final class PersonalDataVault: PersonalDataProtector {
  /// Where the wrapped keys are kept.
  public let keys: any DataKeyStore
  private let masterSource: @Sendable () throws(PersonalDataError) -> MasterKey
  private let resolvedMaster = Mutex<Result<MasterKey, PersonalDataError>?>(nil)
  private let state = Mutex(State())

  private struct KeyReference: Hashable {
    var subject: DataSubject
    var id: UInt64
  }

  private struct State {
    /// The key this vault seals with, for each subject it sealed for.
    var sealing: [DataSubject: (id: UInt64, key: SymmetricKey)] = [:]
    /// Keys unwrapped or made here, with their wrapped form as stored.
    var opened: [KeyReference: (wrapped: [UInt8], key: SymmetricKey)] = [:]
    /// Keys made here and not yet confirmed stored.
    var unsaved: [KeyReference: WrappedDataKey] = [:]
    /// Subjects this vault knows to be forgotten.
    var erased: Set<DataSubject> = []

    mutating func forget(_ subject: DataSubject) {
      erased.insert(subject)
      sealing[subject] = nil
      opened = opened.filter { $0.key.subject != subject }
      unsaved = unsaved.filter { $0.key.subject != subject }
    }
  }

  private static let format: UInt8 = 1

  /// A vault over `keys`, wrapping with `masterKey`.
  public init(keys: any DataKeyStore, masterKey: MasterKey) {
    self.keys = keys
    self.masterSource = { masterKey }
  }

  /// A vault over `keys` whose master key is obtained from `masterKey` the first time it is
  /// needed (and that error, if it fails, is what every sealing and opening then throws):
  /// how a program that may never touch personal data avoids asking for a key.
  public init(
    keys: any DataKeyStore,
    masterKey: @escaping @Sendable () throws(PersonalDataError) -> MasterKey
  ) {
    self.keys = keys
    self.masterSource = masterKey
  }

  /// The master key, obtained once.
  private func master() throws(PersonalDataError) -> MasterKey {
    let result = resolvedMaster.withLock { resolved in
      if let resolved { return resolved }
      let result = Result { () throws(PersonalDataError) in try masterSource() }
      resolved = result
      return result
    }
    return try result.get()
  }

  /// The master key's fingerprint (``MasterKey/fingerprint``).
  ///
  /// - Throws: ``PersonalDataError/Code/masterKey`` when the master key cannot be obtained.
  public func masterKeyFingerprint() throws(PersonalDataError) -> String {
    try master().fingerprint
  }

  /// Seals `plaintext` with this vault's key of `subject`, making the key if needed.
  public func seal(_ plaintext: [UInt8], for subject: DataSubject) throws(PersonalDataError)
    -> [UInt8]
  {
    let (id, key) = try state.withLock { state throws(PersonalDataError) in
      if state.erased.contains(subject) {
        throw PersonalDataError(
          .subjectErased, "the subject was forgotten: no new data is kept for it",
          subject: subject)
      }
      if let current = state.sealing[subject] { return current }
      var id = UInt64.random(in: 1...UInt64.max)
      while state.opened[KeyReference(subject: subject, id: id)] != nil {
        id = UInt64.random(in: 1...UInt64.max)
      }
      let key = SymmetricKey(size: .bits256)
      let wrapped = try wrap(key, subject: subject, id: id)
      let reference = KeyReference(subject: subject, id: id)
      state.sealing[subject] = (id, key)
      state.opened[reference] = (wrapped, key)
      state.unsaved[reference] = WrappedDataKey(subject: subject, id: id, wrapped: wrapped)
      return (id, key)
    }
    do {
      let box = try AES.GCM.seal(
        plaintext, using: key, authenticating: Array(subject.description.utf8))
      guard let combined = box.combined else {
        throw PersonalDataError(.cryptography, "AES-GCM gave no combined form", subject: subject)
      }
      var bytes: [UInt8] = [Self.format]
      bytes.reserveCapacity(9 + combined.count)
      withUnsafeBytes(of: id.littleEndian) { bytes.append(contentsOf: $0) }
      bytes.append(contentsOf: combined)
      return bytes
    } catch let error as PersonalDataError {
      throw error
    } catch {
      throw PersonalDataError(.cryptography, "sealing failed: \(error)", subject: subject)
    }
  }

  /// Stores the keys made since they were last stored; see
  /// ``PersonalDataProtector/saveNewKeys()``.
  ///
  /// A key stays listed until a store of it succeeds, so a command that sealed with a key
  /// another command made waits here until that key is kept, whichever stores it.
  public func saveNewKeys() async throws {
    let unsaved = state.withLock { Array($0.unsaved.values) }
    guard !unsaved.isEmpty else { return }
    do {
      try await keys.storeDataKeys(unsaved)
    } catch let error as PersonalDataError where error.code == .subjectErased {
      // Forgotten elsewhere: forget it here too, so that no new data is sealed for it.
      state.withLock { state in
        for key in unsaved where key.subject == error.subject { state.forget(key.subject) }
      }
      throw error
    }
    state.withLock { state in
      for key in unsaved { state.unsaved[KeyReference(subject: key.subject, id: key.id)] = nil }
    }
  }

  /// Opens a ciphertext of `subject`; `nil` when the subject was forgotten. See
  /// ``PersonalDataProtector/open(_:for:)``.
  public func open(_ ciphertext: [UInt8], for subject: DataSubject) async throws -> [UInt8]? {
    guard ciphertext.count > 9 + 28, ciphertext[0] == Self.format else {
      throw PersonalDataError(
        .cryptography, "not a sealed value of this vault's format", subject: subject)
    }
    let id = ciphertext[1..<9].withUnsafeBytes {
      UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))
    }
    let reference = KeyReference(subject: subject, id: id)
    let key: SymmetricKey
    if let unsaved = state.withLock({ $0.unsaved[reference] == nil ? nil : $0.opened[reference] }) {
      key = unsaved.key  // made here and not stored yet
    } else {
      switch try await keys.dataKey(of: subject, id: id) {
      case .destroyed:
        state.withLock { $0.forget(subject) }
        return nil
      case .missing:
        throw PersonalDataError(
          .keyUnavailable,
          "the key store has no key \(String(id, radix: 16)) of this subject (was the value imported without its keys?)",
          subject: subject)
      case .found(let wrapped):
        if let cached = state.withLock({ $0.opened[reference] }), cached.wrapped == wrapped {
          key = cached.key
        } else {
          key = try unwrap(wrapped, subject: subject, id: id)
          state.withLock { $0.opened[reference] = (wrapped, key) }
        }
      }
    }
    do {
      let box = try AES.GCM.SealedBox(combined: ciphertext[9...])
      return Array(
        try AES.GCM.open(box, using: key, authenticating: Array(subject.description.utf8)))
    } catch {
      throw PersonalDataError(
        .cryptography, "the sealed value does not open: it is damaged or not this subject's",
        subject: subject)
    }
  }

  /// Destroys every key of `subject`; see ``PersonalDataProtector/destroyKeys(of:)``.
  public func destroyKeys(of subject: DataSubject) async throws -> Bool {
    let count = try await keys.destroyDataKeys(of: subject)
    state.withLock { $0.forget(subject) }
    return count > 0
  }

  /// The store's subjects; see ``PersonalDataProtector/subjects()``.
  public func subjects() async throws -> [DataSubject: DataSubjectStatus] {
    try await keys.dataSubjects()
  }

  private func wrap(_ key: SymmetricKey, subject: DataSubject, id: UInt64) throws(PersonalDataError)
    -> [UInt8]
  {
    let master = try master()
    do {
      let box = try key.withUnsafeBytes { raw in
        try AES.GCM.seal(
          Array(raw), using: master.key, authenticating: Self.wrappingContext(subject, id))
      }
      guard let combined = box.combined else {
        throw PersonalDataError(.cryptography, "AES-GCM gave no combined form", subject: subject)
      }
      return Array(combined)
    } catch let error as PersonalDataError {
      throw error
    } catch {
      throw PersonalDataError(
        .cryptography, "wrapping a data key failed: \(error)", subject: subject)
    }
  }

  private func unwrap(_ wrapped: [UInt8], subject: DataSubject, id: UInt64)
    throws(PersonalDataError)
    -> SymmetricKey
  {
    let master = try master()
    do {
      let box = try AES.GCM.SealedBox(combined: wrapped)
      let raw = try AES.GCM.open(
        box, using: master.key, authenticating: Self.wrappingContext(subject, id))
      return SymmetricKey(data: raw)
    } catch {
      throw PersonalDataError(
        .masterKey,
        "the master key (fingerprint \(master.fingerprint)) does not open this subject's data key: the keys were wrapped with another",
        subject: subject)
    }
  }

  private static func wrappingContext(_ subject: DataSubject, _ id: UInt64) -> [UInt8] {
    Array("CouncilLog data key \(subject) \(id)".utf8)
  }
}
