#if Postgres
  import ChildProcessSupport
  import EventLog
  import EventLogPostgres
  import Testing

  @Suite("PostgresEventStore positions")
  struct PostgresGapTests {
    /// Several stores (each its own connection pool, as separate processes would have), several
    /// writers on each, single events and batches to shared and private streams, while two other
    /// stores follow: each follower sees 1…N exactly once, in order, and the log has no gap.
    @Test("no follower ever sees a gap, under writers on several stores")
    func noGapUnderConcurrentWriters() async throws {
      let schema = TestServer.freshSchema()
      let stores = 4
      let writersPerStore = 3
      let rounds = 20
      // Each round: one single event to a shared stream, one batch of three to a private one.
      let total = stores * writersPerStore * rounds * 4

      let followers = try await (0..<2).asyncMap { _ in
        try await PostgresEventStore(configuration: TestServer.configuration(schema: schema))
      }
      let writerStores = try await (0..<stores).asyncMap { _ in
        try await PostgresEventStore(
          configuration: TestServer.configuration(schema: schema, connections: 3))
      }
      defer { for store in followers + writerStores { store.close() } }

      let seen = try await withThrowingTaskGroup(of: [UInt64]?.self) { group in
        for follower in followers {
          group.addTask {
            var positions: [UInt64] = []
            for try await event in follower.follow(from: .first) {
              positions.append(event.position.rawValue)
              if positions.count == total { break }
            }
            return positions
          }
        }
        group.addTask {
          try await withThrowingTaskGroup(of: Void.self) { writers in
            for (storeIndex, store) in writerStores.enumerated() {
              for writer in 0..<writersPerStore {
                writers.addTask {
                  let own = StreamName("private-\(storeIndex)x\(writer)")
                  var version: StreamVersion? = nil
                  for round in 0..<rounds {
                    try await store.append(
                      [PostgresStoreTests.event()], to: StreamName("shared-\(round % 2)"),
                      expectedVersion: .any)
                    let result = try await store.append(
                      [
                        PostgresStoreTests.event(), PostgresStoreTests.event(),
                        PostgresStoreTests.event(),
                      ],
                      to: own, expectedVersion: version.map { .exactly($0) } ?? .noStream)
                    version = result.lastVersion
                  }
                }
              }
            }
            try await writers.waitForAll()
          }
          return nil
        }
        group.addTask {
          try await Task.sleep(for: .seconds(120))
          throw TimedOut()
        }
        var results: [[UInt64]] = []
        while let next = try await group.next() {
          if let positions = next { results.append(positions) }
          if results.count == followers.count { break }
        }
        group.cancelAll()
        return results
      }

      for positions in seen {
        #expect(
          positions == Array(1...UInt64(total)), "a follower saw a gap, a repeat or a disorder")
      }
      let log = try await followers[0].readLog(from: .first, limit: total + 10)
      #expect(log.events.map(\.position.rawValue) == Array(1...UInt64(total)))
      #expect(try await followers[0].headPosition().rawValue == UInt64(total))
    }

    /// Eight writer processes (each its own connection pool of three, three appenders in
    /// each) and two follower processes on one log, as programs on several machines would be:
    /// every follower sees 1…N exactly once and in order, every acknowledged position is the
    /// writers' own and no other writer's, and the log ends without a gap.
    @Test("no follower process ever sees a gap, under eight writer processes")
    func noGapUnderWriterProcesses() async throws {
      let url = try TestServer.url()
      let schema = TestServer.freshSchema()
      let processes = 8
      let tasks = 3
      let rounds = 10
      // Each round of each appender: one event to a shared stream, a batch of three to its own.
      let total = processes * tasks * rounds * 4
      // The tables are created once, before the processes race to open the log.
      try await TestServer.withStore(schema: schema) { _ in }

      let followers = try (0..<2).map { _ in
        try StressHelper(
          ["follow", url, schema, String(total)], executable: "PostgresStressHelper")
      }
      let writers = try (0..<processes).map { index in
        try StressHelper(
          ["write", url, schema, "w\(index)", "3", String(tasks), String(rounds)],
          executable: "PostgresStressHelper")
      }
      defer {
        for child in followers + writers where child.process.isRunning {
          child.process.terminate()
        }
      }
      for child in writers + followers {
        let finished = try await child.waitForLines(timeout: .seconds(240)) {
          $0.last == "done"
        }
        #expect(
          finished, "a helper did not finish: \(child.live.lines.suffix(3)) \(child.errors.lines)")
        #expect(await child.wait() == 0)
      }

      var acknowledged: [UInt64] = []
      for writer in writers {
        for line in await writer.lines() where line.hasPrefix("ack ") {
          acknowledged += line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        }
      }
      #expect(acknowledged.count == total)
      #expect(acknowledged.sorted() == Array(1...UInt64(total)), "a position given twice, or none")
      for follower in followers {
        let seen = await follower.lines().compactMap { line -> UInt64? in
          guard line.hasPrefix("seen ") else { return nil }
          return UInt64(line.dropFirst(5))
        }
        #expect(seen == Array(1...UInt64(total)), "a follower saw a gap, a repeat or a disorder")
      }
      try await TestServer.withStore(schema: schema) { store in
        let log = try await store.readLog(from: .first, limit: total + 10)
        #expect(log.events.map(\.position.rawValue) == Array(1...UInt64(total)))
        #expect(try await store.headPosition().rawValue == UInt64(total))
      }
    }

    struct TimedOut: Error {}
  }

  extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
      var results: [T] = []
      for element in self { results.append(try await transform(element)) }
      return results
    }
  }
#endif
