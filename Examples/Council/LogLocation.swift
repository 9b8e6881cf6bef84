import ArgumentParser
import Council
import EventLog
import EventLogLMDB
import Foundation

#if Postgres
  import EventLogPostgres
#endif

/// A log given on the command line: an LMDB directory, or a PostgreSQL URL
/// (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`, with `?schema=NAME` to choose the log among
/// several in one database; the schema is `councillog` without it).
struct LogPath: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "The log: a directory, or a PostgreSQL URL.",
      discussion:
        "A PostgreSQL URL is postgres://USER:PASSWORD@HOST:PORT/DATABASE, optionally with ?schema=NAME (the schema that holds the log; councillog by default). It needs a council built with `swift build --traits Postgres`."
    ))
  var path: String

  /// How long the command waits for a PostgreSQL server to answer: an unreachable server is
  /// reported in seconds, not after the store's default half minute.
  static let postgresTimeout: Duration = .seconds(10)

  /// Whether the argument is a PostgreSQL URL rather than a directory.
  var isPostgres: Bool {
    let lowered = path.lowercased()
    return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
  }

  /// The log's name for messages: the directory, or the URL without its password.
  var display: String {
    guard isPostgres, let scheme = path.range(of: "://") else { return path }
    let rest = path[scheme.upperBound...]
    let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
      let colon = rest[..<at].firstIndex(of: ":")
    else { return path }
    return String(path[..<scheme.upperBound]) + rest[..<colon] + rest[at...]
  }

  /// Opens an existing log, for reading only unless `writable` (an LMDB log on read-only
  /// storage, or one the user may only read, can be queried); refuses a directory that does
  /// not exist rather than creating one. A PostgreSQL log's tables are created when missing
  /// (the log is then empty).
  func open(writable: Bool = false) async throws -> OpenLog {
    if isPostgres {
      #if Postgres
        return .postgres(try await openPostgres())
      #else
        throw Self.withoutPostgres
      #endif
    }
    return .lmdb(try openLMDB(writable: writable))
  }

  /// Opens an existing log for a query: writable when it can be, so that the query keeps its
  /// read model in the log (see `QueryOptions.answer(_:in:)`), for reading only otherwise (a
  /// log on read-only storage, or one the user may only read, is still answered).
  func openForQuery() async throws -> OpenLog {
    if isPostgres { return try await open() }
    try checkLMDBLog()
    if let store = try? LMDBEventStore(path: path) { return .lmdb(store) }
    return .lmdb(try openLMDB(writable: false))
  }

  /// The error of a postgres:// argument given to a council built without the trait.
  static let withoutPostgres = CommandFailure(
    "this council was built without PostgreSQL support: build it with `swift build --traits Postgres`"
  )

  func openLMDB(writable: Bool) throws -> LMDBEventStore {
    try checkLMDBLog()
    return try LMDBEventStore(path: path, options: .init(readOnly: !writable))
  }

  /// Refuses, in one line each, a path that is not an LMDB log directory: none there, a file,
  /// a directory without a regular `data.mdb`.
  func checkLMDBLog() throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CommandFailure("no log at \(path): create one with `council init \(path)`")
    }
    guard isDirectory.boolValue else {
      throw CommandFailure("\(path) is a file, not a council log (a directory holding data.mdb)")
    }
    var status = stat()
    guard lstat(path + "/data.mdb", &status) == 0 else {
      throw CommandFailure("\(path) is not a council log (a directory holding data.mdb)")
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR:
      throw CommandFailure("\(path)/data.mdb is a directory, not a log file: \(path) is not a log")
    default:
      throw CommandFailure("\(path)/data.mdb is not a regular file: \(path) is not a log")
    }
  }

  /// Builds a new log and publishes it only once `build` has returned: nothing is at the
  /// log's place if `build` fails or the process is killed.
  ///
  /// A directory is built beside `path` and renamed (see `StagedPath`); a path that holds
  /// something is refused. A PostgreSQL log is built in a staging schema of its own and
  /// adopted by the target in one transaction (see `PostgresEventStore.adopt(_:)`); a target
  /// that already holds events is refused.
  ///
  /// - Parameter clock: the clock that stamps each event's recorded time.
  /// - Parameter emptyAllowed: whether a PostgreSQL schema that holds an empty log may
  ///   receive the new one (`init` refuses any log there, as it refuses an existing directory).
  func create<T>(
    purpose: String, clock: EventClock = .system, emptyAllowed: Bool = true,
    _ build: (any EventStore & StateStore) async throws -> T
  ) async throws -> T {
    if isPostgres {
      #if Postgres
        return try await createPostgres(
          purpose: purpose, clock: clock, emptyAllowed: emptyAllowed, build)
      #else
        throw Self.withoutPostgres
      #endif
    }
    return try await StagedPath.buildDirectory(at: path, purpose: purpose) { staging in
      let store = try LMDBEventStore(
        path: staging, options: .init(durability: .noSync, writeMap: true), clock: clock)
      do {
        let result = try await build(store)
        store.close()
        return result
      } catch {
        store.close()
        throw error
      }
    }
  }

  /// Imports the JSON Lines file `file` into a new log here, all or nothing.
  func importFile(_ file: String) async throws -> Int {
    if isPostgres {
      #if Postgres
        // The file is opened first, so that a missing file is reported before the server
        // is touched.
        let reader = try LineReader(path: file)
        return try await createPostgres(purpose: "importing", clock: .system) { store in
          try await Interchange.importLines(from: reader, into: store)
        }
      #else
        throw Self.withoutPostgres
      #endif
    }
    return try await Interchange.importFile(
      file, intoNewLog: path,
      open: { try LMDBEventStore(path: $0, options: .init(durability: .noSync, writeMap: true)) },
      close: { $0.close() })
  }
}

#if Postgres
  extension LogPath {
    /// The store's configuration for the URL, with the command's short timeout.
    func postgresConfiguration(schema: String? = nil) throws -> PostgresEventStore.Configuration {
      var configuration: PostgresEventStore.Configuration
      do {
        configuration = try PostgresEventStore.Configuration(url: path)
      } catch {
        throw CommandFailure("\(display) is not a usable PostgreSQL URL: \(error.message)")
      }
      if let schema { configuration.schema = schema }
      configuration.timeout = Self.postgresTimeout
      configuration.maximumConnections = 2
      return configuration
    }

    /// Connects once (the store's pool would hide a refused connection or password behind
    /// its timeout) and says whether the schema holds a log.
    func checkConnection(_ configuration: PostgresEventStore.Configuration) async throws -> Bool {
      do {
        return try await configuration.checkConnection()
      } catch let error as EventStoreError {
        throw CommandFailure("cannot open the PostgreSQL log at \(display): \(error.message)")
      }
    }

    /// Opens the store of `configuration` (creating its tables when missing).
    func openStore(_ configuration: PostgresEventStore.Configuration, clock: EventClock)
      async throws -> PostgresEventStore
    {
      do {
        return try await PostgresEventStore(configuration: configuration, clock: clock)
      } catch let error as EventStoreError {
        throw CommandFailure("cannot open the PostgreSQL log at \(display): \(error.message)")
      }
    }

    /// Connects to the existing log at the URL; refuses a schema that holds none rather than
    /// creating one, as a directory that does not exist is refused.
    func openPostgres() async throws -> PostgresEventStore {
      let configuration = try postgresConfiguration()
      guard try await checkConnection(configuration) else {
        throw CommandFailure(
          "no council log in schema \(configuration.schema) at \(display): create one with `council init`"
        )
      }
      return try await openStore(configuration, clock: .system)
    }

    /// Builds the log in a fresh staging schema, then moves it into the target in one
    /// transaction.
    ///
    /// Why a staging schema: an import or a generation is many appends, so many transactions,
    /// and a failure (a bad line, the server going away, the process killed) part-way would
    /// leave part of a log in the target. Built aside, the target receives everything in one
    /// transaction or nothing; a failure drops the staging schema, and the target is as it was
    /// (absent, or empty). Renaming the staging schema to the target's name would move no
    /// rows, but would have to drop whatever schema of that name exists, with anything a user
    /// put in it. A process killed part-way leaves a schema named `councillog_staging_…`,
    /// which holds only the store's tables and can be dropped.
    func createPostgres<T>(
      purpose: String, clock: EventClock, emptyAllowed: Bool = true,
      _ build: (any EventStore & StateStore) async throws -> T
    ) async throws -> T {
      let configuration = try postgresConfiguration()
      if try await checkConnection(configuration) {
        guard emptyAllowed else {
          throw CommandFailure("\(display) already holds a log: choose a new schema (?schema=NAME)")
        }
        let target = try await openStore(configuration, clock: .system)
        defer { target.close() }
        let head = try await target.headPosition()
        guard head == .start else {
          throw CommandFailure(
            "\(display) already holds a log of \(head) events: choose an empty schema (?schema=NAME)"
          )
        }
      }
      var staging = configuration
      staging.schema = "councillog_staging_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
      let store = try await openStore(staging, clock: clock)
      do {
        let result = try await build(store)
        let target = try await openStore(configuration, clock: .system)
        defer { target.close() }
        try await target.adopt(store)
        // The log is in place: a staging schema left behind is only litter.
        try? await store.dropSchema()
        store.close()
        return result
      } catch {
        // Best effort: the error that stopped the build is the one to report.
        try? await store.dropSchema()
        store.close()
        throw error
      }
    }
  }
#endif

/// An open log of either store.
enum OpenLog {
  /// A log in an LMDB directory.
  case lmdb(LMDBEventStore)
  #if Postgres
    /// A log in a PostgreSQL schema.
    case postgres(PostgresEventStore)
  #endif

  /// The store.
  var store: any EventStore & StateStore {
    switch self {
    case .lmdb(let store): return store
    #if Postgres
      case .postgres(let store): return store
    #endif
    }
  }

  /// Closes the store.
  func close() {
    switch self {
    case .lmdb(let store): store.close()
    #if Postgres
      case .postgres(let store): store.close()
    #endif
    }
  }

  /// Checks the whole log in one snapshot; see each store's `verify(payloads:)`. LMDB checks
  /// the payloads on a second thread, beside its other checks.
  func verify(payloads: @escaping @Sendable (RecordView) throws -> Void) async throws
    -> VerificationReport
  {
    switch self {
    case .lmdb(let store): return try store.verify(concurrentPayloads: payloads)
    #if Postgres
      case .postgres(let store): return try await store.verify(payloads: payloads)
    #endif
    }
  }
}
