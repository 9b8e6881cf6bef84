#if Postgres
  import EventLog
  import EventLogPostgres
  import Testing

  /// A note taken in a stream.
  struct Noted: RecordableEvent, Equatable {
    static let eventTypes = ["noted"]
    var text: String
    var eventType: String { "noted" }

    init(text: String) { self.text = text }

    func encodePayload(to writer: inout BinaryWriter) { writer.write(text) }

    init(eventType: String, schemaVersion: UInt16, payload reader: inout BinaryReader) throws {
      text = try reader.read(String.self)
    }
  }

  /// How many notes, and the last one.
  struct NoteCount: Sendable, Equatable, BinaryCodable {
    var count = 0
    var last = ""

    init() {}

    func encode(to writer: inout BinaryWriter) {
      writer.write(count)
      writer.write(last)
    }

    init(from reader: inout BinaryReader) throws {
      count = try reader.read(Int.self)
      last = try reader.read(String.self)
    }
  }

  struct NoteCountProjection: Projection {
    var name: String { "note-count" }
    var initialState: NoteCount { NoteCount() }

    func apply(_ event: Noted, context: EventContext, to state: inout NoteCount) {
      state.count += 1
      state.last = event.text
    }
  }

  @Suite("PostgresEventStore inline projections")
  struct PostgresInlineProjectionTests {
    static func note(_ text: String) throws -> EventData {
      try EventData(
        Noted(text: text), id: .random(),
        metadata: EventMetadata(time: Timestamp(nanosecondsSince1970: 0)))
    }

    @Test("an inline projection is updated and saved inside the append's transaction")
    func inline() async throws {
      let schema = TestServer.freshSchema()
      try await TestServer.withStore(schema: schema) { store in
        try await store.append(
          [try Self.note("a"), try Self.note("b")], to: "n-1", expectedVersion: .noStream)
        let inline = InlineProjection(NoteCountProjection())
        try await store.register(inline)
        #expect(inline.state.count == 2)
        let result = try await store.append(
          [try Self.note("c")], to: "n-1", expectedVersion: .exactly(2))
        #expect(inline.state.count == 3)
        #expect(inline.state.last == "c")
        #expect(inline.checkpoint == result.lastPosition)
        let saved = try #require(try await store.loadState(NoteCountProjection().stateKey))
        #expect(saved.position == result.lastPosition.rawValue)
        // A refused append changes neither the model nor its saved state.
        await #expect(throws: EventStoreError.self) {
          try await store.append([try Self.note("d")], to: "n-1", expectedVersion: .exactly(1))
        }
        #expect(inline.state.count == 3)
        #expect(try await store.loadState(NoteCountProjection().stateKey) == saved)
      }
      // Another store on the same log appends: the first store's next append folds those in.
      try await TestServer.withStore(schema: schema) { other in
        _ = try await other.append([try Self.note("e")], to: "n-2", expectedVersion: .noStream)
      }
      try await TestServer.withStore(schema: schema) { store in
        let inline = InlineProjection(NoteCountProjection())
        try await store.register(inline)
        #expect(inline.state.count == 4)
        try await TestServer.withStore(schema: schema) { other in
          _ = try await other.append([try Self.note("f")], to: "n-3", expectedVersion: .noStream)
        }
        try await store.append([try Self.note("g")], to: "n-4", expectedVersion: .noStream)
        #expect(inline.state.count == 6)
        #expect(inline.checkpoint == 6)
      }
    }

    @Test("concurrent appends, grouped in one transaction, all reach the model")
    func grouped() async throws {
      try await TestServer.withStore { store in
        let inline = InlineProjection(NoteCountProjection())
        try await store.register(inline)
        try await store.append([try Self.note("first")], to: "fixed-1", expectedVersion: .noStream)
        try await withThrowingTaskGroup(of: Void.self) { group in
          for task in 0..<16 {
            group.addTask {
              for round in 0..<10 {
                try await store.append(
                  [try Self.note("\(task)-\(round)")], to: "n-\(task)", expectedVersion: .any)
              }
            }
          }
          // Conflicting appends in the same groups: refused, without undoing the others.
          group.addTask {
            for _ in 0..<10 {
              await #expect(throws: EventStoreError.self) {
                try await store.append(
                  [try Self.note("x")], to: "fixed-1", expectedVersion: .noStream)
              }
            }
          }
          try await group.waitForAll()
        }
        #expect(try await store.headPosition() == 161)
        #expect(inline.state.count == 161)
        #expect(inline.checkpoint == 161)
        let saved = try #require(try await store.loadState(NoteCountProjection().stateKey))
        #expect(saved.position == 161)
      }
    }
  }
#endif
