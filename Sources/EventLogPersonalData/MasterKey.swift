import Crypto
import EventLog
import Foundation

/// The key that wraps every data key: given to the program, never stored in the log.
///
/// A master key is 32 random bytes. A program gets it from the environment
/// (`COUNCIL_MASTER_KEY`, base64), from a file it names (`COUNCIL_MASTER_KEY_FILE`), or by
/// default from a file in the user's configuration directory, made on first use
/// (``default(environment:)``). Whoever holds the master key and a copy of the log's files can
/// read every subject whose keys were not destroyed; whoever holds only the files can read
/// none.
public struct MasterKey: Sendable {
  let key: SymmetricKey

  /// The name of the environment variable that gives the key itself, in base64.
  public static let environmentVariable = "COUNCIL_MASTER_KEY"
  /// The name of the environment variable that gives the path of a key file.
  public static let fileEnvironmentVariable = "COUNCIL_MASTER_KEY_FILE"

  /// A master key of exactly 32 bytes.
  ///
  /// - Throws: ``PersonalDataError/Code/masterKey`` for any other length.
  public init(bytes: [UInt8]) throws(PersonalDataError) {
    guard bytes.count == 32 else {
      throw PersonalDataError(
        .masterKey, "a master key is 32 bytes, this one is \(bytes.count)")
    }
    key = SymmetricKey(data: bytes)
  }

  /// A master key written in base64 (surrounding white space is ignored).
  ///
  /// - Throws: ``PersonalDataError/Code/masterKey`` when the text is not base64 of 32 bytes.
  public init(base64: String) throws(PersonalDataError) {
    let text = base64.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let data = Data(base64Encoded: text) else {
      throw PersonalDataError(.masterKey, "the master key is not base64")
    }
    try self.init(bytes: Array(data))
  }

  /// A new random master key.
  public static func generate() -> MasterKey {
    MasterKey(key: SymmetricKey(size: .bits256))
  }

  private init(key: SymmetricKey) { self.key = key }

  /// The key in base64, as a key file or `COUNCIL_MASTER_KEY` holds it.
  public var base64: String {
    key.withUnsafeBytes { Data($0).base64EncodedString() }
  }

  /// A short name for the key that reveals nothing of it: the first 8 bytes of its SHA-256,
  /// in hexadecimal.
  public var fingerprint: String {
    let digest = key.withUnsafeBytes { SHA256.hash(data: $0) }
    return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
  }

  /// Reads a key file: the key in base64.
  ///
  /// - Throws: ``PersonalDataError/Code/masterKey`` when the file cannot be read or does not
  ///   hold a key; the message names the file.
  public static func load(from path: String) throws(PersonalDataError) -> MasterKey {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw PersonalDataError(.masterKey, "cannot read the master key file \(path)")
    }
    do {
      return try MasterKey(base64: text)
    } catch {
      throw PersonalDataError(.masterKey, "\(error.message) (file \(path))")
    }
  }

  /// Reads the key file at `path`, or makes a new key and writes it there (readable by its
  /// owner only) when there is none.
  ///
  /// Processes making the file at once agree on one key: the file appears whole or not at all
  /// (it is written aside, then linked into place), and those that lose read the winner's.
  public static func loadOrCreate(at path: String) throws(PersonalDataError) -> MasterKey {
    if FileManager.default.fileExists(atPath: path) { return try load(from: path) }
    let directory = (path as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
    } catch {
      throw PersonalDataError(
        .masterKey, "cannot create the directory \(directory) for the master key")
    }
    // The key is written whole to a file of its own, then linked to `path`: `link` fails when
    // `path` exists, so a process that loses the race reads a complete key, never a partial one.
    let key = generate()
    let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else {
      throw PersonalDataError(
        .masterKey,
        "cannot create the master key file \(path): \(String(cString: strerror(errno)))")
    }
    defer { unlink(temporary) }
    let bytes = Array((key.base64 + "\n").utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    let synced = fsync(descriptor) == 0
    close(descriptor)
    guard written == bytes.count, synced else {
      throw PersonalDataError(.masterKey, "cannot write the master key file \(path)")
    }
    guard link(temporary, path) == 0 else {
      if errno == EEXIST { return try load(from: path) }
      throw PersonalDataError(
        .masterKey,
        "cannot create the master key file \(path): \(String(cString: strerror(errno)))")
    }
    return key
  }

  /// Where the master key is kept when nothing else is said: `$XDG_CONFIG_HOME/council/master-key`,
  /// or `~/.config/council/master-key`.
  public static func defaultPath(environment: [String: String]) -> String {
    if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
      return config + "/council/master-key"
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return home + "/.config/council/master-key"
  }

  /// The master key a program uses unless told otherwise: `COUNCIL_MASTER_KEY` if set, else
  /// the file `COUNCIL_MASTER_KEY_FILE` names, else the file at ``defaultPath(environment:)``,
  /// made on first use.
  public static func `default`(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(PersonalDataError) -> MasterKey {
    if let text = environment[environmentVariable], !text.isEmpty {
      do {
        return try MasterKey(base64: text)
      } catch {
        throw PersonalDataError(.masterKey, "\(error.message) (\(environmentVariable))")
      }
    }
    if let path = environment[fileEnvironmentVariable], !path.isEmpty {
      return try load(from: path)
    }
    return try loadOrCreate(at: defaultPath(environment: environment))
  }
}
