/// What a store must let the shared append logic look up and write, inside one atomic step
/// (a lock, or a write transaction).
package protocol AppendTransaction {
  /// The log's head before this append.
  func head() throws(EventStoreError) -> LogPosition
  /// The recorded time of the last event in the log, `nil` when the log is empty.
  func lastRecordedTime() throws(EventStoreError) -> Timestamp?
  /// The stream's current version, `nil` when it does not exist. (Mutating, so that a store
  /// may keep what it looked up for the write that follows.)
  mutating func currentVersion(of stream: StreamName) throws(EventStoreError) -> StreamVersion?
  /// The position of an already recorded event ID.
  func position(of id: EventID) throws(EventStoreError) -> LogPosition?
  /// The stream and version of the record at `position`.
  func streamAndVersion(at position: LogPosition) throws(EventStoreError)
    -> (StreamName, StreamVersion)
  /// The interned numbers of an event type and of a category, interning them if new.
  mutating func internNames(eventType: String, category: String) throws(EventStoreError)
    -> (type: UInt32, category: UInt32)
  /// Stores one encoded record at `position`, indexed under its ID (and, if the store indexes
  /// streams per event, under its stream and version).
  ///
  /// - Throws: ``EventStoreError/Code/duplicateEventID`` when the ID is recorded already.
  mutating func write(
    record: [UInt8], at position: LogPosition, stream: StreamName, version: StreamVersion,
    id: EventID) throws(EventStoreError)
  /// Records a batch written to `stream`: versions `first...last` at consecutive positions
  /// from `firstPosition`. The stream's version is now `last`.
  mutating func recordBatch(
    of stream: StreamName, first: StreamVersion, last: StreamVersion, at firstPosition: LogPosition
  ) throws(EventStoreError)
}

private enum PlannedAppend {
  case replay(AppendResult)
  case write(StreamAppend, firstVersion: StreamVersion)
  /// A condition met: the stream's version when it was checked.
  case condition(StreamName, StreamVersion?)
}

extension AppendTransaction {
  /// Checks every append against the current state, then writes them all: the shared
  /// semantics of expected versions, idempotent retries, conditions and multi-stream
  /// atomicity.
  ///
  /// A condition (an append with no events) is checked like any other append and writes
  /// nothing; it is checked again on an idempotent retry of its batch.
  ///
  /// Nothing is written unless every check passes. A store that rolls back on a thrown error
  /// (LMDB) and one that does not (memory) both stay untouched on failure, since all checks
  /// come before the first write.
  ///
  /// Each event is stamped with its recorded time: `now` (the store's clock at commit), or
  /// the time the event carries when copied from another log, and never earlier than the
  /// event before it — an earlier carried time is refused with
  /// ``EventStoreError/Code/timeOrder``.
  ///
  /// - Parameter repeats: what `validate()` returned for `appends`, when the
  ///   caller has validated them already; `nil` validates them here.
  package mutating func perform(
    _ appends: [StreamAppend], now: Timestamp, repeats validatedRepeats: Bool? = nil
  )
    throws(EventStoreError)
    -> (results: [AppendResult], head: LogPosition)
  {
    let repeats: Bool
    if let known = validatedRepeats {
      repeats = known
    } else {
      repeats = try appends.validate()
    }
    var plans: [PlannedAppend] = []
    plans.reserveCapacity(appends.count)
    // The versions the appends planned so far leave, for a stream the batch writes again.
    var planned: [StreamName: StreamVersion] = [:]
    for append in appends {
      if let replay = try replayResult(of: append) {
        plans.append(.replay(replay))
        continue
      }
      let current: StreamVersion?
      if repeats, let version = planned[append.stream] {
        current = version
      } else {
        current = try currentVersion(of: append.stream)
      }
      guard append.expectedVersion.isSatisfied(by: current) else {
        throw .wrongExpectedVersion(
          append.stream, expected: append.expectedVersion, actual: current)
      }
      if append.isCondition {
        plans.append(.condition(append.stream, current))
      } else {
        let first = StreamVersion((current?.rawValue ?? 0) + 1)
        plans.append(.write(append, firstVersion: first))
        if repeats {
          planned[append.stream] = StreamVersion(
            first.rawValue + UInt64(append.events.count) - 1)
        }
      }
    }

    var position = try head()
    // An empty log sets no lower bound.
    var recorded = try lastRecordedTime() ?? Timestamp(nanosecondsSince1970: .min)
    var results: [AppendResult] = []
    results.reserveCapacity(appends.count)
    var writer = BinaryWriter(capacity: 256)
    for plan in plans {
      switch plan {
      case .replay(let result):
        results.append(result)
      case .condition(let stream, let version):
        results.append(.condition(stream, version: version, after: position))
      case .write(let append, let firstVersion):
        let category = append.stream.category
        var version = firstVersion
        let firstPosition = position.next
        // A batch is usually of one type: intern a name only when it changes.
        var interned: (eventType: String, numbers: (type: UInt32, category: UInt32))?
        for index in append.events.indices {
          position = position.next
          if let carried = append.events[index].recordedTime {
            guard carried >= recorded else {
              throw EventStoreError(
                .timeOrder,
                "recorded time \(carried) is earlier than the event before it (\(recorded))",
                stream: append.stream, version: version, position: position,
                eventType: append.events[index].eventType, eventID: append.events[index].id)
            }
            recorded = carried
          } else if now > recorded {
            recorded = now
          }
          let eventType = append.events[index].eventType
          let numbers: (type: UInt32, category: UInt32)
          if let last = interned, last.eventType == eventType {
            numbers = last.numbers
          } else {
            numbers = try internNames(eventType: eventType, category: category)
            interned = (eventType, numbers)
          }
          RecordFormat.encode(
            append.events[index], stream: append.stream, version: version, typeID: numbers.type,
            categoryID: numbers.category, recordedTime: recorded, into: &writer)
          try write(
            record: writer.bytes, at: position, stream: append.stream, version: version,
            id: append.events[index].id)
          version = version.next
        }
        let lastVersion = StreamVersion(version.rawValue - 1)
        try recordBatch(
          of: append.stream, first: firstVersion, last: lastVersion, at: firstPosition)
        results.append(
          AppendResult(
            stream: append.stream, firstVersion: firstVersion, lastVersion: lastVersion,
            firstPosition: firstPosition, lastPosition: position))
      }
    }
    return (results, position)
  }

  /// The first result of an append whose event IDs are all recorded already, at the same
  /// place; `nil` when its first event's ID is not recorded (a later ID that is recorded is
  /// refused by ``write(record:at:stream:version:id:)``, before anything is committed). Any
  /// other overlap is an error.
  private mutating func replayResult(of append: StreamAppend) throws(EventStoreError)
    -> AppendResult?
  {
    guard let first = append.events.first, try position(of: first.id) != nil else { return nil }
    var positions: [LogPosition] = []
    var firstVersion: StreamVersion?
    for (index, event) in append.events.enumerated() {
      guard let position = try position(of: event.id) else {
        throw duplicate(event, append, "the batch is partly recorded already")
      }
      guard positions.count == index else {
        throw duplicate(event, append, "the event is recorded already, in another batch")
      }
      let (stream, version) = try streamAndVersion(at: position)
      guard stream == append.stream else {
        var error = duplicate(event, append, "the event is recorded already in stream \(stream)")
        error.position = position
        throw error
      }
      if let first = firstVersion {
        guard version.rawValue == first.rawValue + UInt64(index) else {
          throw duplicate(event, append, "the event is recorded already at version \(version)")
        }
      } else {
        firstVersion = version
      }
      positions.append(position)
    }
    guard let firstVersion, let first = positions.first, let last = positions.last else {
      return nil
    }
    let before: StreamVersion? =
      firstVersion.rawValue > 1 ? StreamVersion(firstVersion.rawValue - 1) : nil
    guard append.expectedVersion.isSatisfied(by: before) else {
      var error = EventStoreError.wrongExpectedVersion(
        append.stream, expected: append.expectedVersion,
        actual: try currentVersion(of: append.stream))
      error.message =
        "the batch is recorded already, after version \(before.map(String.init(describing:)) ?? "none")"
      throw error
    }
    return AppendResult(
      stream: append.stream, firstVersion: firstVersion,
      lastVersion: StreamVersion(firstVersion.rawValue + UInt64(positions.count - 1)),
      firstPosition: first, lastPosition: last)
  }

  private func duplicate(_ event: EventData, _ append: StreamAppend, _ message: String)
    -> EventStoreError
  {
    EventStoreError(
      .duplicateEventID, message, stream: append.stream, eventType: event.eventType,
      eventID: event.id)
  }
}

/// Whether a record passes a filter, by the interned numbers in its header.
package struct CompiledFilter {
  // Lookup tables indexed by interned number: one load and compare per record.
  let types: [Bool]?
  let categories: [Bool]?

  /// Resolves the filter's names to numbers; a name that has no number matches nothing.
  package init(_ filter: LogFilter, types: NameTable, categories: NameTable) {
    func table(_ names: Set<String>?, _ interned: NameTable) -> [Bool]? {
      guard let names else { return nil }
      var table = Array(repeating: false, count: interned.names.count + 1)
      for name in names { if let number = interned.number(of: name) { table[Int(number)] = true } }
      return table
    }
    self.types = table(filter.eventTypes, types)
    self.categories = table(filter.categories, categories)
  }

  /// Whether the record bytes pass; reads only the fixed header.
  @inline(__always)
  package func matches(_ record: UnsafeRawBufferPointer) -> Bool {
    guard record.count >= RecordFormat.version1HeaderSize else { return true }  // reported later
    if let types {
      let type = Int(UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
      guard type < types.count, types[type] else { return false }
    }
    if let categories {
      let category = Int(
        UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
      guard category < categories.count, categories[category] else { return false }
    }
    return true
  }
}
