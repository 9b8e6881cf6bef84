import Foundation

/// Writes `Encodable` values as JSON with sorted keys, byte for byte as Foundation's
/// `JSONEncoder` does with `.sortedKeys` (and `.withoutEscapingSlashes` when slashes are not
/// escaped), several times faster.
///
/// It writes straight into one byte buffer instead of building a tree of values first. An
/// object's members are written in the order the value encodes them, and reordered by key
/// (their UTF-8 bytes, as Foundation sorts them) when the object is complete.
///
/// What Foundation encodes in its own ways is left to Foundation: when a value holds a `Date`,
/// `Data`, `URL` or `Decimal`, a float that is not finite, a key given twice, uses a
/// container after one nested in it has moved on, or encodes nothing at the top level,
/// ``encode(_:)`` encodes the whole value with
/// `JSONEncoder` instead. So the output is always what `JSONEncoder` writes.
///
/// ```swift
/// let json = try SortedJSONEncoder().encode(event)   // [UInt8]
/// ```
public struct SortedJSONEncoder: Sendable {
  /// Whether `/` is written `\/`, as `JSONEncoder` does unless told `.withoutEscapingSlashes`.
  public var escapesSlashes: Bool

  /// Creates an encoder; slashes are escaped by default, as `JSONEncoder` escapes them.
  public init(escapesSlashes: Bool = true) {
    self.escapesSlashes = escapesSlashes
  }

  /// The JSON of `value`, keys sorted.
  ///
  /// - Throws: what `JSONEncoder` throws for the value (the value's own errors, a float that
  ///   is not finite).
  public func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
    if let writable = value as? any JSONWritable {
      var writer = JSONWriter(escapesSlashes: escapesSlashes)
      try writable.writeJSON(to: &writer)
      return writer.bytes
    }
    if let bytes = try encodeDirectly(value) { return bytes }
    return try foundationEncode(value)
  }

  /// The JSON of `value` as a part of a larger value: a value that encodes nothing is `{}`,
  /// and a bare number or string is allowed.
  func encodeNested<Value: Encodable>(_ value: Value) throws -> [UInt8] {
    if let bytes = try encodeDirectly(value, topLevel: false) { return bytes }
    return try foundationEncode(value)
  }

  /// What `JSONEncoder` writes for `value`, with this encoder's options.
  private func foundationEncode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      escapesSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
    return Array(try encoder.encode(value))
  }

  /// The JSON of `value` written directly; `nil` when the value needs `JSONEncoder`.
  func encodeDirectly<Value: Encodable>(_ value: Value, topLevel: Bool = true) throws -> [UInt8]? {
    let sink = JSONSink(escapesSlashes: escapesSlashes)
    do {
      try sink.encodeValue(value, topLevel: topLevel)
      try sink.finish()
      return sink.bytes
    } catch is JSONSink.Unsupported {
      return nil
    }
  }
}

/// The buffer a ``SortedJSONEncoder`` writes, and the containers that are open in it.
final class JSONSink {
  /// Something this encoder leaves to `JSONEncoder`.
  struct Unsupported: Error {}

  /// A member of an open object: its key and where its bytes are (a leading comma included).
  struct Member {
    var key: String
    var start: Int
    var end: Int
  }

  /// An object or array being written.
  struct Frame {
    var isObject: Bool
    /// Where its opening bracket is.
    var start: Int
    /// Where its members begin in ``JSONSink/members``.
    var firstMember: Int
    var count = 0
    /// Which frame this is, among all the frames of the value: how containers find theirs.
    var serial: Int
  }

  // The sink is only ever used by one encoding on one thread: the runtime's exclusivity checks
  // on these properties were a quarter of the encoding time.
  @exclusivity(unchecked) var bytes: [UInt8] = []
  @exclusivity(unchecked) var frames: [Frame] = []
  /// The members of the open objects, innermost last.
  @exclusivity(unchecked) var members: [Member] = []
  /// Buffers reused by every sort of an object's members.
  @exclusivity(unchecked) var order: [Int] = []
  @exclusivity(unchecked) var scratch: [UInt8] = []
  @exclusivity(unchecked) var nextSerial = 0
  /// Set when a container was used in a way this encoder does not follow.
  @exclusivity(unchecked) var unsupported = false
  let escapesSlashes: Bool

  init(escapesSlashes: Bool) {
    self.escapesSlashes = escapesSlashes
    bytes.reserveCapacity(512)
    frames.reserveCapacity(8)
    members.reserveCapacity(32)
  }

  /// Closes every frame and reports what could not be followed.
  func finish() throws {
    while !frames.isEmpty { try close() }
    if unsupported { throw Unsupported() }
  }

  // MARK: Frames

  /// Opens an object or an array here.
  func open(isObject: Bool) -> Int {
    nextSerial += 1
    frames.append(
      Frame(isObject: isObject, start: bytes.count, firstMember: members.count, serial: nextSerial))
    bytes.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
    return nextSerial
  }

  /// Makes the frame `serial` the innermost one, closing those nested in it; `false` when it
  /// is closed already (a container used after its value moved on).
  func enter(_ serial: Int) -> Bool {
    while let last = frames.last, last.serial != serial {
      guard last.serial > serial, (try? close()) != nil else {
        unsupported = true
        return false
      }
    }
    if frames.isEmpty {
      unsupported = true
      return false
    }
    return true
  }

  /// Closes the innermost frame: an object's members are put in key order. The member of the
  /// enclosing object that holds it now ends after it.
  func close() throws {
    guard let frame = frames.popLast() else { return }
    if frame.isObject {
      try sortMembers(of: frame)
      members.removeSubrange(frame.firstMember...)
      bytes.append(UInt8(ascii: "}"))
    } else {
      bytes.append(UInt8(ascii: "]"))
    }
    if let enclosing = frames.last, enclosing.isObject, members.count > enclosing.firstMember {
      members[members.count - 1].end = bytes.count
    }
  }

  /// Whether `a` sorts before `b` by their UTF-8 bytes, as `JSONEncoder` sorts keys.
  static func precedes(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { a in
      b.withUTF8 { b in
        let common = min(a.count, b.count)
        if common > 0, let aBase = a.baseAddress, let bBase = b.baseAddress {
          let order = memcmp(aBase, bBase, common)
          if order != 0 { return order < 0 }
        }
        return a.count < b.count
      }
    }
  }

  /// Rewrites the members of `frame` (an object being closed) in the order of their keys; a
  /// key given twice is left to `JSONEncoder` (which keeps the last value).
  private func sortMembers(of frame: Frame) throws {
    let range = frame.firstMember..<members.count
    var sorted = true
    for index in range.dropFirst()
    where !Self.precedes(members[index - 1].key, members[index].key) {
      if !Self.precedes(members[index].key, members[index - 1].key) { throw Unsupported() }
      sorted = false
    }
    guard !sorted else { return }
    // An insertion sort of the members' indices (objects are small), into reused buffers.
    order.removeAll(keepingCapacity: true)
    for index in range {
      var slot = order.count
      order.append(index)
      while slot > 0, Self.precedes(members[index].key, members[order[slot - 1]].key) {
        order[slot] = order[slot - 1]
        slot -= 1
      }
      order[slot] = index
      if slot > 0, !Self.precedes(members[order[slot - 1]].key, members[index].key) {
        throw Unsupported()
      }
    }
    let base = frame.start + 1
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: bytes[base...])
    bytes.removeSubrange(base...)
    for (position, index) in order.enumerated() {
      var from = members[index].start - base
      if scratch[from] == UInt8(ascii: ",") { from += 1 }
      if position > 0 { bytes.append(UInt8(ascii: ",")) }
      bytes.append(contentsOf: scratch[from..<(members[index].end - base)])
    }
  }

  /// Starts a member of the object `serial`: the comma, the key and the colon.
  func beginMember(_ key: String, in serial: Int) throws {
    guard enter(serial) else { throw Unsupported() }
    let start = bytes.count
    if frames[frames.count - 1].count > 0 { bytes.append(UInt8(ascii: ",")) }
    frames[frames.count - 1].count += 1
    writeString(key)
    bytes.append(UInt8(ascii: ":"))
    members.append(Member(key: key, start: start, end: start))
  }

  /// Ends the member begun last in the object `serial`, closing what its value opened.
  func endMember(in serial: Int) throws {
    guard enter(serial) else { throw Unsupported() }
    members[members.count - 1].end = bytes.count
  }

  /// Starts an element of the array `serial`: the comma.
  func beginElement(in serial: Int) throws {
    guard enter(serial) else { throw Unsupported() }
    if frames[frames.count - 1].count > 0 { bytes.append(UInt8(ascii: ",")) }
    frames[frames.count - 1].count += 1
  }

  /// The number of elements written to the array `serial`.
  func count(of serial: Int) -> Int {
    frames.last { $0.serial == serial }?.count ?? 0
  }

  // MARK: Values

  /// Writes any value: the types Foundation encodes its own way are not followed, nor a
  /// top-level value that encodes nothing (which `JSONEncoder` refuses).
  func encodeValue<Value: Encodable>(_ value: Value, topLevel: Bool = false) throws {
    if Value.self == Date.self || Value.self == Data.self || Value.self == URL.self
      || Value.self == Decimal.self
    {
      throw Unsupported()
    }
    let depth = frames.count
    let start = bytes.count
    try value.encode(to: JSONValueEncoder(sink: self, depth: depth))
    if unsupported { throw Unsupported() }
    while frames.count > depth { try close() }
    // A value that encodes nothing is an empty object, as `JSONEncoder` writes it.
    if bytes.count == start {
      if topLevel { throw Unsupported() }
      bytes.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
    }
  }

  func writeNull() { bytes.append(contentsOf: "null".utf8) }

  func write(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }

  func writeInteger<Integer: FixedWidthInteger>(_ value: Integer) {
    JSONText.appendInteger(value, to: &bytes)
  }

  /// A float as `JSONEncoder` writes it: its shortest form, without a trailing `.0`.
  func writeFloat<Float: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Float) throws {
    guard value.isFinite else { throw Unsupported() }
    var text = value.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    bytes.append(contentsOf: text.utf8)
  }

  /// A string, quoted and escaped as `JSONEncoder` escapes it.
  func writeString(_ value: String) {
    JSONText.appendString(value, escapesSlashes: escapesSlashes, to: &bytes)
  }
}

/// The `Encoder` a value encodes itself to: its containers write into the sink.
struct JSONValueEncoder: Encoder {
  let sink: JSONSink
  /// How many frames were open when the value began: the frames it opens are above them.
  let depth: Int

  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  /// The value's object: opened on the first call, the same one on the next.
  private func objectSerial() -> Int {
    if sink.frames.count > depth, sink.frames[depth].isObject {
      return sink.frames[depth].serial
    }
    if sink.frames.count > depth { sink.unsupported = true }
    return sink.open(isObject: true)
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    KeyedEncodingContainer(JSONKeyedContainer<Key>(sink: sink, serial: objectSerial()))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if sink.frames.count > depth { sink.unsupported = true }
    return JSONUnkeyedContainer(sink: sink, serial: sink.open(isObject: false))
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    JSONSingleValueContainer(sink: sink)
  }
}

struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let sink: JSONSink
  let serial: Int

  var codingPath: [any CodingKey] { [] }

  @inline(__always)
  private func member(_ key: Key, _ write: () throws -> Void) throws {
    try sink.beginMember(key.stringValue, in: serial)
    try write()
    try sink.endMember(in: serial)
  }

  mutating func encodeNil(forKey key: Key) throws { try member(key) { sink.writeNull() } }
  mutating func encode(_ value: Bool, forKey key: Key) throws {
    try member(key) { sink.write(value) }
  }
  mutating func encode(_ value: String, forKey key: Key) throws {
    try member(key) { sink.writeString(value) }
  }
  mutating func encode(_ value: Double, forKey key: Key) throws {
    try member(key) { try sink.writeFloat(value) }
  }
  mutating func encode(_ value: Float, forKey key: Key) throws {
    try member(key) { try sink.writeFloat(value) }
  }
  mutating func encode(_ value: Int, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: Int8, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: Int16, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: Int32, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: Int64, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: UInt, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: UInt8, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: UInt16, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: UInt32, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode(_ value: UInt64, forKey key: Key) throws {
    try member(key) { sink.writeInteger(value) }
  }
  mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
    try member(key) { try sink.encodeValue(value) }
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    KeyedEncodingContainer(
      JSONKeyedContainer<NestedKey>(sink: sink, serial: nested(isObject: true, forKey: key)))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    JSONUnkeyedContainer(sink: sink, serial: nested(isObject: false, forKey: key))
  }

  /// A member whose value is a container of its own, closed when this container moves on.
  private func nested(isObject: Bool, forKey key: Key) -> Int {
    guard (try? sink.beginMember(key.stringValue, in: serial)) != nil else { return -1 }
    // The member ends where the nested container closes (see `JSONSink.close()`).
    return sink.open(isObject: isObject)
  }

  mutating func superEncoder() -> any Encoder {
    sink.unsupported = true
    return JSONValueEncoder(sink: sink, depth: sink.frames.count)
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    sink.unsupported = true
    return JSONValueEncoder(sink: sink, depth: sink.frames.count)
  }
}

struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
  let sink: JSONSink
  let serial: Int

  var codingPath: [any CodingKey] { [] }
  var count: Int { sink.count(of: serial) }

  @inline(__always)
  private func element(_ write: () throws -> Void) throws {
    try sink.beginElement(in: serial)
    try write()
  }

  mutating func encodeNil() throws { try element { sink.writeNull() } }
  mutating func encode(_ value: Bool) throws { try element { sink.write(value) } }
  mutating func encode(_ value: String) throws { try element { sink.writeString(value) } }
  mutating func encode(_ value: Double) throws { try element { try sink.writeFloat(value) } }
  mutating func encode(_ value: Float) throws { try element { try sink.writeFloat(value) } }
  mutating func encode(_ value: Int) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: Int8) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: Int16) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: Int32) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: Int64) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: UInt) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: UInt8) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: UInt16) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: UInt32) throws { try element { sink.writeInteger(value) } }
  mutating func encode(_ value: UInt64) throws { try element { sink.writeInteger(value) } }
  mutating func encode<Value: Encodable>(_ value: Value) throws {
    try element { try sink.encodeValue(value) }
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    KeyedEncodingContainer(
      JSONKeyedContainer<NestedKey>(sink: sink, serial: nested(isObject: true)))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    JSONUnkeyedContainer(sink: sink, serial: nested(isObject: false))
  }

  private func nested(isObject: Bool) -> Int {
    guard (try? sink.beginElement(in: serial)) != nil else { return -1 }
    return sink.open(isObject: isObject)
  }

  mutating func superEncoder() -> any Encoder {
    sink.unsupported = true
    return JSONValueEncoder(sink: sink, depth: sink.frames.count)
  }
}

struct JSONSingleValueContainer: SingleValueEncodingContainer {
  let sink: JSONSink

  var codingPath: [any CodingKey] { [] }

  mutating func encodeNil() throws { sink.writeNull() }
  mutating func encode(_ value: Bool) throws { sink.write(value) }
  mutating func encode(_ value: String) throws { sink.writeString(value) }
  mutating func encode(_ value: Double) throws { try sink.writeFloat(value) }
  mutating func encode(_ value: Float) throws { try sink.writeFloat(value) }
  mutating func encode(_ value: Int) throws { sink.writeInteger(value) }
  mutating func encode(_ value: Int8) throws { sink.writeInteger(value) }
  mutating func encode(_ value: Int16) throws { sink.writeInteger(value) }
  mutating func encode(_ value: Int32) throws { sink.writeInteger(value) }
  mutating func encode(_ value: Int64) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt8) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt16) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt32) throws { sink.writeInteger(value) }
  mutating func encode(_ value: UInt64) throws { sink.writeInteger(value) }
  mutating func encode<Value: Encodable>(_ value: Value) throws { try sink.encodeValue(value) }
}
