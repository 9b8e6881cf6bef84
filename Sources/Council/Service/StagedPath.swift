import Foundation

/// A file or directory that is built beside its final path under a hidden name and moved into
/// place (`rename(2)`) only once it is complete and on disk.
///
/// The staging name is `.NAME.PURPOSE-PID-TAG` in the same parent directory as the target, so
/// that the rename stays on one file system and is atomic: a reader of the target sees nothing
/// or the whole result, whatever happens to the writer (an error, or `SIGKILL` at any moment).
/// A staging path left behind by a process that no longer runs is removed by the next
/// ``StagedPath`` for the same target.
public enum StagedPath {
  /// Why a staged file or directory could not be made or moved into place: one line.
  public struct Failure: Error, CustomStringConvertible, Hashable {
    /// What kind of failure this is.
    public enum Kind: Sendable, Hashable {
      /// The target holds something already (or another process published there meanwhile).
      case targetExists
      /// The target's parent directory does not exist or cannot be used.
      case parentMissing
      /// The file system refused an operation (full disk, permissions, I/O).
      case fileSystem
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The sentence that says what went wrong.
    public var description: String

    /// `description` is the whole sentence shown to the user; `kind` is for code that reacts.
    public init(_ kind: Kind, _ description: String) {
      self.kind = kind
      self.description = description
    }
  }

  /// The purposes whose leftovers ``removeLeftovers(of:)`` recognizes.
  static let purposes = ["importing", "generating", "exporting"]

  /// The target's parent directory and last component, or a failure for a path that names no
  /// entry of its own (empty, `.`, `..`, `/`).
  static func split(_ target: String) throws(Failure) -> (parent: String, name: String) {
    var trimmed = target
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
    let name: String
    let parent: String
    if let slash = trimmed.lastIndex(of: "/") {
      name = String(trimmed[trimmed.index(after: slash)...])
      let head = String(trimmed[..<slash])
      parent = head.isEmpty ? "/" : head
    } else {
      name = trimmed
      parent = "."
    }
    guard !name.isEmpty, name != ".", name != "..", !name.contains("\0") else {
      throw Failure(.targetExists, "\(target) does not name a new file or directory")
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw Failure(.parentMissing, "the directory \(parent) does not exist")
    }
    return (parent, name)
  }

  /// The staging path beside `name` in `parent` for `purpose`, unique to this process and call.
  static func stagingPath(parent: String, name: String, purpose: String) -> String {
    let tag = UInt32.random(in: 0...UInt32.max)
    return parent + "/." + name + "." + purpose + "-" + String(getpid()) + "-"
      + String(tag, radix: 16)
  }

  /// Whether `entry` is a staging name for `name`, and if so the process that made it.
  static func stagingOwner(_ entry: String, of name: String) -> pid_t? {
    let prefix = "." + name + "."
    guard entry.hasPrefix(prefix) else { return nil }
    let rest = entry.dropFirst(prefix.count)
    for purpose in purposes where rest.hasPrefix(purpose + "-") {
      let parts = rest.dropFirst(purpose.count + 1).split(separator: "-")
      guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1], radix: 16) != nil
      else { return nil }
      return pid
    }
    return nil
  }

  /// Whether a process with this ID runs now (one we may not signal counts as running).
  static func isRunning(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
  }

  /// Removes the staging files and directories beside `target` that were left by processes
  /// that no longer run (killed before they could finish or clean up).
  ///
  /// - Returns: the paths removed.
  @discardableResult
  public static func removeLeftovers(of target: String) throws(Failure) -> [String] {
    let (parent, name) = try split(target)
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else {
      return []
    }
    var removed: [String] = []
    for entry in entries {
      guard let owner = stagingOwner(entry, of: name), !isRunning(owner) else { continue }
      let path = parent + "/" + entry
      if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
    }
    return removed
  }

  /// Checks that `target` may receive a new directory: it does not exist, or it is an empty
  /// directory.
  static func checkFree(_ target: String) throws(Failure) {
    var status = stat()
    guard lstat(target, &status) == 0 else {
      if errno == ENOENT { return }
      throw Failure(.fileSystem, "cannot use \(target): \(systemError(errno))")
    }
    guard status.st_mode & S_IFMT == S_IFDIR else {
      throw Failure(.targetExists, "\(target) is a file: choose a new path")
    }
    guard let contents = try? FileManager.default.contentsOfDirectory(atPath: target) else {
      throw Failure(.fileSystem, "cannot read the directory \(target)")
    }
    guard contents.isEmpty else {
      throw Failure(.targetExists, "\(target) is not empty: choose a new directory")
    }
  }

  /// Builds a new directory at `target`, all or nothing.
  ///
  /// Makes an empty staging directory beside `target` and calls `build` with its path; when
  /// `build` returns (having closed whatever it wrote), flushes every file in it and the
  /// directory itself to disk (`fsync(2)`), renames it to `target` and flushes the parent
  /// directory. When `build` throws, or any step fails, the staging directory is removed and
  /// nothing is at `target`.
  ///
  /// - Parameters:
  ///   - target: a path that does not exist, or an empty directory.
  ///   - purpose: a word for the staging name, such as `importing`.
  /// - Throws: ``Failure`` with kind ``Failure/Kind/targetExists`` when `target` holds
  ///   something, before anything is built or when another process published there while
  ///   `build` ran; whatever `build` throws.
  public static func buildDirectory<T>(
    at target: String, purpose: String, _ build: (String) async throws -> T
  ) async throws -> T {
    let (parent, name) = try split(target)
    try checkFree(target)
    try removeLeftovers(of: target)
    let staging = stagingPath(parent: parent, name: name, purpose: purpose)
    guard mkdir(staging, 0o755) == 0 else {
      throw Failure(.fileSystem, "cannot create \(staging): \(systemError(errno))")
    }
    do {
      let result = try await build(staging)
      for entry in try FileManager.default.contentsOfDirectory(atPath: staging) {
        let path = staging + "/" + entry
        var status = stat()
        if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG {
          try sync(path, directory: false)
        }
      }
      try sync(staging, directory: true)
      try publish(staging, as: target)
      try sync(parent, directory: true)
      return result
    } catch {
      try? FileManager.default.removeItem(atPath: staging)
      throw error
    }
  }

  /// Writes a new file at `target`, all or nothing: `write` receives an open descriptor of a
  /// staging file beside `target`; when it returns the file is flushed (`fsync(2)`), closed and
  /// renamed to `target` (replacing a file that was there), and the parent directory flushed.
  /// When `write` throws or a step fails, the staging file is removed and `target` is as it
  /// was.
  ///
  /// - Throws: ``Failure`` when `target` is a directory or the file system refuses a step;
  ///   whatever `write` throws.
  public static func writeFile<T>(
    at target: String, purpose: String, _ write: (Int32) async throws -> T
  ) async throws -> T {
    let (parent, name) = try split(target)
    var status = stat()
    if stat(target, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
      throw Failure(.targetExists, "\(target) is a directory: choose a file")
    }
    try removeLeftovers(of: target)
    let staging = stagingPath(parent: parent, name: name, purpose: purpose)
    let descriptor = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw Failure(.fileSystem, "cannot create \(staging): \(systemError(errno))")
    }
    var isOpen = true
    do {
      let result = try await write(descriptor)
      guard fsync(descriptor) == 0 else {
        throw Failure(.fileSystem, "writing \(target): \(systemError(errno))")
      }
      isOpen = false
      guard close(descriptor) == 0 else {
        throw Failure(.fileSystem, "writing \(target): \(systemError(errno))")
      }
      guard rename(staging, target) == 0 else {
        throw Failure(.fileSystem, "cannot move the file to \(target): \(systemError(errno))")
      }
      try sync(parent, directory: true)
      return result
    } catch {
      if isOpen { close(descriptor) }
      unlink(staging)
      throw error
    }
  }

  /// Renames the staging directory to `target`, which must not exist or be empty.
  static func publish(_ staging: String, as target: String) throws(Failure) {
    guard rename(staging, target) == 0 else {
      let code = errno
      if code == EEXIST || code == ENOTEMPTY {
        throw Failure(
          .targetExists,
          "\(target) was created by another process meanwhile: nothing was written there")
      }
      if code == ENOTDIR || code == EISDIR {
        throw Failure(.targetExists, "\(target) became a file meanwhile: nothing was written there")
      }
      throw Failure(.fileSystem, "cannot move the new log to \(target): \(systemError(code))")
    }
  }

  /// Flushes a file or directory to disk.
  static func sync(_ path: String, directory: Bool) throws(Failure) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0))
    guard descriptor >= 0 else {
      throw Failure(.fileSystem, "cannot open \(path) to flush it: \(systemError(errno))")
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw Failure(.fileSystem, "flushing \(path) to disk: \(systemError(errno))")
    }
  }

  /// Writes every byte of `bytes` to `descriptor`, through short writes and interruptions.
  ///
  /// - Throws: ``Failure`` naming `what` and the system's reason (such as a full disk).
  public static func writeAll(_ bytes: [UInt8], to descriptor: Int32, naming what: String)
    throws(Failure)
  {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { raw in
        Foundation.write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw Failure(.fileSystem, "writing \(what): \(systemError(errno))")
      }
      offset += written
    }
  }
}

extension StagedPath {
  /// Asks the system to start writing a file's bytes to disk as they are written, a few
  /// mebibytes at a time, so that the flush that ends a staged write (`fsync`) finds little
  /// left to write: without it, an export of hundreds of megabytes waited a third of a second
  /// at the end for the disk.
  ///
  /// Each step is a hint (`posix_fadvise` with `POSIX_FADV_DONTNEED`, which on Linux starts
  /// the write-back of the range's dirty pages without waiting for it, and lets the system
  /// drop them from its cache once written); it is ignored where it does not apply, as on a
  /// pipe, and what makes the file durable is still the flush.
  struct Writeback {
    let descriptor: Int32
    /// How many bytes were written.
    private var written = 0
    /// Where the bytes not yet handed to the system's write-back start.
    private var handed = 0
    /// How many bytes are handed at a time.
    let step: Int

    init(_ descriptor: Int32, step: Int = 8 << 20) {
      self.descriptor = descriptor
      self.step = step
    }

    /// Notes that `count` more bytes were written, and hands the system what is past a step.
    mutating func wrote(_ count: Int) {
      written += count
      guard written - handed >= step else { return }
      _ = posix_fadvise(descriptor, off_t(handed), off_t(written - handed), POSIX_FADV_DONTNEED)
      handed = written
    }
  }
}

/// The system's text for an `errno` value.
func systemError(_ code: Int32) -> String {
  String(cString: strerror(code))
}
