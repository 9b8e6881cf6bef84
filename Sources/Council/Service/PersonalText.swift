import EventLog
import Foundation

/// The personal values of an interchange line read as text, in the exact form an export writes
/// them, so that an import need not parse the line twice:
///
/// - a sealed value with its keys, `{"keys":[{"id":"HEX","wrapped":"BASE64"},…],"sealed":"BASE64","subject":"KIND:ID"}`;
/// - an erased value, `{"erased":true,"subject":"KIND:ID"}`.
///
/// A line whose `"wrapped":` or `"erased":true` is anywhere else, or written otherwise (other
/// spacing or key order, a value that does not read), gets `nil`: it is read as JSON instead.
enum PersonalText {
  static let wrappedMark = Array(#""wrapped":"#.utf8)
  static let erasedMark = Array(#""erased":true"#.utf8)
  static let objectOpening = Array(#"{""#.utf8)
  static let keysOpening = Array(#"{"keys":["#.utf8)
  static let erasedOpening = Array(#"{"erased":true,"subject":""#.utf8)
  static let keyOpening = Array(#"{"id":""#.utf8)
  static let keyMiddle = Array(#"","wrapped":""#.utf8)
  static let sealedOpening = Array(#"],"sealed":""#.utf8)
  static let subjectOpening = Array(#"","subject":""#.utf8)

  /// The wrapped keys and the erased subjects of `line`, or `nil` when it is not written as an
  /// export writes it.
  static func scan(_ line: [UInt8]) -> (keys: [WrappedDataKey], erased: Set<DataSubject>)? {
    var keys: [WrappedDataKey] = []
    var erased: Set<DataSubject> = []
    var wrappedSeen = 0
    var erasedSeen = 0
    var index = 0
    // From one `{"` to the next (both openings start so).
    while let opening = line.firstOffset(of: objectOpening, from: index) {
      index = opening
      if has(keysOpening, in: line, at: index) {
        guard sealedValue(in: line, at: &index, keys: &keys, count: &wrappedSeen) else {
          return nil
        }
        continue
      }
      if has(erasedOpening, in: line, at: index) {
        index += erasedOpening.count
        guard let text = string(in: line, at: &index),
          has([UInt8(ascii: "}")], in: line, at: index),
          let subject = DataSubject(text)
        else { return nil }
        index += 1
        erased.insert(subject)
        erasedSeen += 1
        continue
      }
      index += 1
    }
    // Every mark was inside a value read here, or the line is read as JSON.
    guard occurrences(of: wrappedMark, in: line) == wrappedSeen,
      occurrences(of: erasedMark, in: line) == erasedSeen
    else { return nil }
    return (keys, erased)
  }

  /// Reads the sealed value with keys at `index` (at its `{`), moving `index` past it.
  private static func sealedValue(
    in line: [UInt8], at index: inout Int, keys: inout [WrappedDataKey], count: inout Int
  ) -> Bool {
    index += keysOpening.count
    var found: [(id: UInt64, wrapped: [UInt8])] = []
    while true {
      guard has(keyOpening, in: line, at: index) else { return false }
      index += keyOpening.count
      // The hexadecimal ID, then its closing quote and `,"wrapped":"`.
      guard let idText = string(in: line, at: &index, closing: false),
        let id = UInt64(idText, radix: 16), id != 0, has(keyMiddle, in: line, at: index)
      else { return false }
      index += keyMiddle.count
      guard let base64 = string(in: line, at: &index), let wrapped = Data(base64Encoded: base64),
        has([UInt8(ascii: "}")], in: line, at: index)
      else { return false }
      index += 1
      found.append((id, Array(wrapped)))
      count += 1
      if has([UInt8(ascii: ",")], in: line, at: index) {
        index += 1
        continue
      }
      break
    }
    guard has(sealedOpening, in: line, at: index) else { return false }
    index += sealedOpening.count
    guard string(in: line, at: &index, closing: false) != nil,
      has(subjectOpening, in: line, at: index)
    else { return false }
    index += subjectOpening.count
    guard let text = string(in: line, at: &index), has([UInt8(ascii: "}")], in: line, at: index),
      let subject = DataSubject(text)
    else { return false }
    index += 1
    for key in found {
      keys.append(WrappedDataKey(subject: subject, id: key.id, wrapped: key.wrapped))
    }
    return true
  }

  /// The text of a JSON string from `index` (just past its opening quote) to its closing quote,
  /// past which `index` is moved (or onto which, when not `closing`); `nil` for an escape other
  /// than `\/`, or no closing quote.
  private static func string(in line: [UInt8], at index: inout Int, closing: Bool = true)
    -> String?
  {
    var text: [UInt8] = []
    while index < line.count {
      let byte = line[index]
      if byte == UInt8(ascii: "\"") {
        if closing { index += 1 }
        return String(decoding: text, as: UTF8.self)
      }
      if byte == UInt8(ascii: "\\") {
        guard index + 1 < line.count, line[index + 1] == UInt8(ascii: "/") else { return nil }
        text.append(UInt8(ascii: "/"))
        index += 2
        continue
      }
      text.append(byte)
      index += 1
    }
    return nil
  }

  private static func has(_ pattern: [UInt8], in line: [UInt8], at index: Int) -> Bool {
    guard line.count - index >= pattern.count else { return false }
    for offset in 0..<pattern.count where line[index + offset] != pattern[offset] { return false }
    return true
  }

  private static func occurrences(of pattern: [UInt8], in line: [UInt8]) -> Int {
    var count = 0
    var index = 0
    while let found = line.firstOffset(of: pattern, from: index) {
      count += 1
      index = found + pattern.count
    }
    return count
  }
}

/// The personal values of an interchange line read from the line's parsed JSON, in the same
/// pass that reads its event: the wrapped keys and the erased subjects that
/// ``PersonalJSON/collectKeys(_:into:)`` and ``PersonalJSON/collectErased(_:into:)`` find in
/// the line's `JSONSerialization` form, found without searching the text again.
enum PersonalTape {
  /// The wrapped keys and the erased subjects in the value at `node`; `nil` when the line must
  /// be read as before (``PersonalText``, then `JSONSerialization`, which also words the error):
  /// an escaped key, a key this reads given twice in one object, a list of keys that does
  /// not read, or an `"erased"` that is not `true` or `false`.
  static func collect(_ reader: JSONReader, at node: Int) -> (
    keys: [WrappedDataKey], erased: Set<DataSubject>
  )? {
    var found = Found()
    guard found.walk(reader, node, keys: true, erased: true) else { return nil }
    return (found.keys, found.erased)
  }

  private struct Found {
    var keys: [WrappedDataKey] = []
    var erased: Set<DataSubject> = []

    /// Walks the value at `node`, looking for lists of keys and erased values while `keys` and
    /// `erased` say so: as `PersonalJSON` does, a list of keys is not looked into for more,
    /// nor an erased value for more erased values.
    mutating func walk(
      _ reader: JSONReader, _ node: Int, keys lookForKeys: Bool, erased lookForErased: Bool
    )
      -> Bool
    {
      switch reader.kind(of: node) {
      case .array:
        var readable = true
        reader.forEachElement(of: node) { element in
          if readable {
            readable = walk(reader, element, keys: lookForKeys, erased: lookForErased)
          }
        }
        return readable
      case .object:
        break
      default:
        return true
      }
      var subject: Int?
      var list: Int?
      var erasedFlag: Int?
      var twice = false
      guard
        reader.forEachMember(
          of: node,
          { key, value in
            if reader.key(key, is: "subject") {
              twice = twice || subject != nil
              subject = value
            } else if reader.key(key, is: "keys") {
              twice = twice || list != nil
              list = value
            } else if reader.key(key, is: "erased") {
              twice = twice || erasedFlag != nil
              erasedFlag = value
            }
          }), !twice
      else { return false }
      let subjectText = subject.flatMap {
        reader.kind(of: $0) == .string ? try? reader.string(at: $0) : nil
      }
      var keysHere = lookForKeys
      var erasedHere = lookForErased
      if lookForKeys, let subjectText, let list {
        switch keyList(reader, list) {
        case .list(let entries):
          guard let owner = DataSubject(subjectText) else { return false }
          for entry in entries {
            guard let id = entry.id.flatMap({ UInt64($0, radix: 16) }), id != 0,
              let wrapped = entry.wrapped.flatMap({ Data(base64Encoded: $0) })
            else { return false }
            keys.append(WrappedDataKey(subject: owner, id: id, wrapped: Array(wrapped)))
          }
          keysHere = false
        case .other: break
        case .unreadable: return false
        }
      }
      if lookForErased, let erasedFlag {
        switch reader.kind(of: erasedFlag) {
        case .true:
          if let subjectText, let owner = DataSubject(subjectText) {
            erased.insert(owner)
            erasedHere = false
          }
        case .false: break
        default: return false
        }
      }
      guard keysHere || erasedHere else { return true }
      var readable = true
      let walked = reader.forEachMember(of: node) { _, value in
        if readable { readable = walk(reader, value, keys: keysHere, erased: erasedHere) }
      }
      return walked && readable
    }

    /// What a member named `"keys"` holds.
    private enum KeyList {
      /// An array of objects whose members are all strings (what `as? [[String: String]]`
      /// takes): each entry's `"id"` and `"wrapped"`, `nil` when missing (an entry without
      /// them is then refused as `PersonalJSON` refuses it).
      case list([(id: String?, wrapped: String?)])
      /// Anything else, which is walked into like any other value.
      case other
      /// An entry with an escaped key, or with `"id"` or `"wrapped"` twice.
      case unreadable
    }

    private func keyList(_ reader: JSONReader, _ node: Int) -> KeyList {
      guard reader.kind(of: node) == .array else { return .other }
      var entries: [(id: String?, wrapped: String?)] = []
      var result: KeyList?
      reader.forEachElement(of: node) { element in
        guard result == nil else { return }
        guard reader.kind(of: element) == .object else {
          result = .other
          return
        }
        var id: String?
        var wrapped: String?
        let plain = reader.forEachMember(of: element) { key, value in
          guard result == nil else { return }
          guard reader.kind(of: value) == .string, let text = try? reader.string(at: value) else {
            result = .other
            return
          }
          if reader.key(key, is: "id") {
            if id != nil { result = .unreadable }
            id = text
          } else if reader.key(key, is: "wrapped") {
            if wrapped != nil { result = .unreadable }
            wrapped = text
          }
        }
        if !plain { result = .unreadable }
        entries.append((id, wrapped))
      }
      return result ?? .list(entries)
    }
  }
}
