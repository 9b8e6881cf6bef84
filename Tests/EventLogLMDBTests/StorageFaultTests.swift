import EventLog
import EventLogTestSupport
import Foundation
import Testing

@testable import EventLogLMDB

/// A small tmpfs of the test's own, to fill up or make read-only (needs root; the tests that
/// use it are skipped where it cannot be mounted).
final class SmallFileSystem {
  let path: String

  /// Whether this process may mount a tmpfs (probed once).
  static let available: Bool = {
    guard getuid() == 0 else { return false }
    return SmallFileSystem(kilobytes: 64) != nil
  }()

  init?(kilobytes: Int) {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("councillog-tmpfs-\(UUID().uuidString)").path
    guard
      (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true))
        != nil,
      Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
    else {
      try? FileManager.default.removeItem(atPath: path)
      return nil
    }
    self.path = path
  }

  func remountReadOnly() -> Bool {
    Self.run("/bin/mount", ["-o", "remount,ro", path])
  }

  /// Fills the file system with a file, leaving about `free` bytes.
  func fill(leaving free: Int) throws {
    let handle = try #require(FileHandle(forWritingAtPath: createFile("filler")))
    defer { try? handle.close() }
    let chunk = Data(count: 4096)
    while true {
      var info = statvfs()
      guard statvfs(path, &info) == 0 else { return }
      let available = Int(info.f_bavail) * Int(info.f_frsize)
      if available <= free { return }
      let size = min(chunk.count, available - free)
      do {
        try handle.write(contentsOf: chunk.prefix(max(1, size)))
      } catch {
        return
      }
    }
  }

  private func createFile(_ name: String) -> String {
    let file = path + "/" + name
    _ = FileManager.default.createFile(atPath: file, contents: nil)
    return file
  }

  deinit {
    _ = Self.run("/bin/umount", ["-l", path])
    try? FileManager.default.removeItem(atPath: path)
  }

  @discardableResult
  static func run(_ tool: String, _ arguments: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      return false
    }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }
}

@Suite("A full disk and read-only storage", .enabled(if: SmallFileSystem.available))
struct StorageFaultTests {
  @Test(arguments: [0, 4, 8, 12, 16, 24, 40])
  func aNewLogOnAFullDiskIsATypedErrorAndLeavesNothingBehind(_ freeKilobytes: Int) async throws {
    let disk = try #require(SmallFileSystem(kilobytes: 128))
    try disk.fill(leaving: freeKilobytes * 1024)
    let path = disk.path + "/log"
    do {
      let store = try LMDBEventStore(path: path)
      defer { store.close() }
      // It fitted: appending then either works or fails with a typed error, and what was
      // acknowledged stays readable.
      var acknowledged = 0
      do {
        for _ in 0..<50 {
          try await store.append(testEvents(4, size: 200), to: "a-1", expectedVersion: .any)
          acknowledged += 4
        }
      } catch let error as EventStoreError {
        #expect(error.code == .storageFull, "\(error)")
      }
      #expect(try await store.headPosition().rawValue == UInt64(acknowledged))
    } catch let error as EventStoreError {
      #expect(error.code == .storageFull, "\(error)")
      #expect(!FileManager.default.fileExists(atPath: path), "a failed creation leaves no log")
    }
  }

  @Test func appendsOnAFullDiskFailTypedAndTheLogStaysWhole() async throws {
    let disk = try #require(SmallFileSystem(kilobytes: 512))
    let path = disk.path + "/log"
    try await expectAppendsUntilFullThenWhole(path, options: .init())
  }

  /// Appends batches of five events to the new log at `path` until one is refused, which must
  /// be `storageFull`; then the log, opened read-only, must hold every acknowledged event and
  /// verify.
  private func expectAppendsUntilFullThenWhole(_ path: String, options: LMDBEventStore.Options)
    async throws
  {
    var acknowledged: [EventData] = []
    var failure: EventStoreError?
    do {
      let store = try LMDBEventStore(path: path, options: options)
      defer { store.close() }
      for batch in 0..<10_000 {
        let events = testEvents(5, size: 300)
        do {
          try await store.append(events, to: StreamName("s-\(batch % 3)"), expectedVersion: .any)
          acknowledged += events
        } catch let error as EventStoreError {
          failure = error
          break
        }
      }
      // The store is still usable for reading after the failed commit.
      #expect(try await store.headPosition().rawValue == UInt64(acknowledged.count))
    }
    let error = try #require(failure)
    #expect(error.code == .storageFull, "\(error)")
    #expect(acknowledged.count > 100)
    let store = try LMDBEventStore(path: path, options: .init(readOnly: true))
    defer { store.close() }
    let events = try await readWholeLog(store)
    #expect(events.map(\.data.asAppended) == acknowledged)
    #expect(try store.verify().problems.map(\.description) == [])
  }

  /// Written in place, the map's blocks are reserved before it covers them: the disk filling
  /// up is a refused growth (`storageFull`), never a bus error at a write into the map.
  @Test func aLogWrittenInPlaceOnAFillingDiskFailsTypedAndStaysWhole() async throws {
    let disk = try #require(SmallFileSystem(kilobytes: 2048))
    try await expectAppendsUntilFullThenWhole(
      disk.path + "/log",
      options: .init(durability: .noSync, initialMapSize: 64 << 10, writeMap: true))
  }

  @Test func aLogOnReadOnlyStorageIsReadAndVerifiedButNotWritten() async throws {
    let disk = try #require(SmallFileSystem(kilobytes: 1024))
    let path = disk.path + "/log"
    try await writeMarkedLog(at: path, count: 120)
    #expect(disk.remountReadOnly())

    // Opened for writing, it says why it cannot be, in a typed error.
    #expect {
      _ = try LMDBEventStore(path: path)
    } throws: { error in
      (error as? EventStoreError)?.code == .readOnly
    }
    let store = try LMDBEventStore(path: path, options: .init(readOnly: true))
    defer { store.close() }
    let events = try await readWholeLog(store)
    #expect(events.count == 120)
    #expect(try store.verify().problems.map(\.description) == [])
    await #expect {
      try await store.append(testEvents(1), to: "s-1", expectedVersion: .any)
    } throws: { error in
      (error as? EventStoreError)?.code == .readOnly
    }
  }

}

@Suite("Read-only opening")
struct ReadOnlyOpeningTests {
  @Test func aLogOpenedReadOnlyIsNotChanged() async throws {
    let directory = TemporaryDirectory()
    let path = directory.appending("log")
    try await writeMarkedLog(at: path, count: 30)
    let before = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
    do {
      let store = try LMDBEventStore(path: path, options: .init(readOnly: true))
      defer { store.close() }
      #expect(try await readWholeLog(store).count == 30)
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")) == before)
    #expect(
      throws: EventStoreError.self,
      "a read-only open of a missing log creates nothing"
    ) {
      _ = try LMDBEventStore(path: directory.appending("missing"), options: .init(readOnly: true))
    }
    #expect(!FileManager.default.fileExists(atPath: directory.appending("missing")))
  }
}
