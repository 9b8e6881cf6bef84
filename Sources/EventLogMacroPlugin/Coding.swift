import SwiftSyntax
import SwiftSyntaxBuilder

/// The binary coding both struct macros write: `encode(to:)` and `init(from:)` over the stored
/// fields in declaration order.
enum Coding {
  /// The extension that makes `type` binary-codable.
  ///
  /// Decoding reads every field into a local and then assigns them all, which keeps the
  /// optimizer's job simple (measured faster than reading into the properties one by one). A
  /// field that may be absent (an optional, or one with a default) reads as `nil` or its default
  /// when the record ends before it: that is how a record written before a trailing field was
  /// added still decodes.
  ///
  /// The extension also writes `writeJSON(to:)`, the JSON that Swift's synthesized `Encodable`
  /// gives the struct (see ``jsonWriter(members:access:)``), unless the struct declares its
  /// own `Encodable` form (then `JSONWritable` is left out of its conformances) or its own
  /// `writeJSON(to:)`; and `init(json:at:)`, what synthesized `Decodable` reads (see
  /// ``jsonReader(members:access:)``), on the same terms for `Decodable` and `JSONReadable`.
  static func codingExtension(
    for type: some TypeSyntaxProtocol, declaration: some DeclGroupSyntax, fields: [StoredField],
    access: String, conformances: [TypeSyntax]
  ) throws -> ExtensionDeclSyntax {
    let writesOwnJSON = declaration.declaresMember(named: "writeJSON")
    let ownEncodable = declaration.customizesEncodable
    let readsOwnJSON = declaration.declaresJSONReader
    let ownDecodable = declaration.customizesDecodable
    let listed = conformances.filter {
      let name = $0.trimmedDescription
      if name.hasSuffix("JSONWritable") { return writesOwnJSON || !ownEncodable }
      if name.hasSuffix("JSONReadable") || name.hasSuffix("JSONBinaryTranscodable") {
        return readsOwnJSON || !ownDecodable
      }
      return true
    }
    let members = JSONMember.members(of: declaration)
    let reader =
      readsOwnJSON || ownDecodable ? "" : jsonReader(members: members, access: access)
    // Likewise the transcoder from JSON follows the generated reader.
    let binaryTranscoder =
      readsOwnJSON || ownDecodable
      ? "" : binaryTranscoder(fields: fields, members: members, access: access) ?? ""
    let inheritance =
      listed.isEmpty
      ? "" : ": " + listed.map(\.trimmedDescription).joined(separator: ", ")
    let json =
      writesOwnJSON || ownEncodable
      ? "" : jsonWriter(members: members, access: access)
    // The transcoder follows the generated writer; a struct that writes its own JSON keeps the
    // protocol's, which makes the value and writes it.
    let transcoder =
      writesOwnJSON || ownEncodable
      ? "" : jsonTranscoder(fields: fields, members: members, access: access) ?? ""
    var encode = fields.map { "writer.write(self.\($0.name))" }
    if encode.isEmpty { encode = ["_ = writer"] }
    var decode: [String] = []
    for (index, field) in fields.enumerated() {
      let local = "field\(index)"
      if field.mayBeAbsent {
        let fallback = field.defaultValue?.description ?? "nil"
        decode.append(
          "let \(local): \(field.type) = try reader.isAtEnd ? \(fallback) : reader.read((\(field.type)).self)"
        )
      } else {
        decode.append("let \(local) = try reader.read((\(field.type)).self)")
      }
    }
    if fields.isEmpty { decode.append("_ = reader") }
    for (index, field) in fields.enumerated() {
      decode.append("self.\(field.name) = field\(index)")
    }
    return try ExtensionDeclSyntax(
      """
      extension \(type.trimmed)\(raw: inheritance) {
        /// Writes the fields in the order they are declared.
        \(raw: access)func encode(to writer: inout EventLog.BinaryWriter) {
          \(raw: encode.joined(separator: "\n"))
        }

        /// Reads the fields in the order they are declared; a record that ends before an optional
        /// or defaulted field (one added later) gives it its default.
        \(raw: access)init(from reader: inout EventLog.BinaryReader) throws {
          \(raw: decode.joined(separator: "\n"))
        }\(raw: json)\(raw: reader)\(raw: transcoder)\(raw: binaryTranscoder)
      }
      """)
  }

  /// `init(json:at:)` over `members`: each read by its key as synthesized `Decodable` reads
  /// it, an optional one `nil` when missing or `null`, a constant with an initial value not
  /// read.
  static func jsonReader(members: [JSONMember], access: String) -> String {
    let decoded = members.filter(\.isDecoded)
    var body = ["try reader.object(node)"]
    for (index, member) in decoded.enumerated() {
      // A member without a written type is a constant with a value, which is not decoded.
      let type = member.type?.description ?? "Never"
      if member.isOptional {
        body.append(
          "let json\(index): \(type) = try reader.contains(\(member.keyLiteral), in: node) ? reader.value((\(type)).self, at: reader.member(\(member.keyLiteral), of: node)) : nil"
        )
      } else {
        body.append(
          "let json\(index) = try reader.value((\(type)).self, at: reader.member(\(member.keyLiteral), of: node))"
        )
      }
    }
    for (index, member) in decoded.enumerated() {
      body.append("self.\(member.name) = json\(index)")
    }
    return """


      /// Reads what `Decodable` reads for the stored properties: each by its name, an optional
      /// one `nil` when missing or `null`.
      \(access)init(json reader: EventLog.JSONReader, at node: Int) throws {
        \(body.joined(separator: "\n  "))
      }
      """
  }

  /// `writeJSON(to:)` over `members`: an object whose keys are the members' names in the order
  /// of their UTF-8 bytes (as `JSONEncoder` sorts them with `.sortedKeys`), a `nil` optional
  /// left out (as synthesized `Encodable` leaves it out with `encodeIfPresent`).
  static func jsonWriter(members: [JSONMember], access: String) -> String {
    var body = ["writer.beginObject()"]
    for member in JSONMember.inKeyOrder(members) {
      let key = member.writtenKey
      if member.isOptional {
        body.append("if let value = self.\(member.name) {")
        body.append("  writer.key(\(key))")
        body.append("  try writer.value(value)")
        body.append("}")
      } else {
        body.append("writer.key(\(key))")
        body.append("try writer.value(self.\(member.name))")
      }
    }
    body.append("writer.endObject()")
    return """


      /// Writes the JSON that `Encodable` gives the stored properties: keys sorted, a `nil`
      /// optional left out.
      \(access)func writeJSON(to writer: inout EventLog.JSONWriter) throws {
        \(body.joined(separator: "\n  "))
      }
      """
  }

  /// `skipBinary(in:)` and `transcodeJSON(from:to:)` over `fields`: the fields stepped over in
  /// the order they are declared, then each written from its bytes in the order of the keys
  /// ``jsonWriter(members:access:)`` writes, a `nil` optional left out. A record that ends
  /// before a field added later is written through the value, as it decodes.
  ///
  /// `nil` (the protocol's transcoder, which makes the value, is kept) when the JSON members
  /// are not the binary fields one for one, or an optional is not written `T?`.
  static func jsonTranscoder(fields: [StoredField], members: [JSONMember], access: String)
    -> String?
  {
    var indexByName: [String: Int] = [:]
    for (index, field) in fields.enumerated() { indexByName[field.name] = index }
    guard members.count == fields.count, Set(members.map(\.name)).count == members.count,
      members.allSatisfy({ $0.isDecoded && indexByName[$0.name] != nil })
    else { return nil }
    var skip: [String] = []
    var read = fields.contains(where: \.mayBeAbsent) ? ["let start = reader"] : []
    for (index, field) in fields.enumerated() {
      if field.mayBeAbsent {
        skip += ["if reader.isAtEnd {", "  return", "}"]
      }
      read.append("let field\(index) = reader")
      if field.mayBeAbsent {
        read += [
          "if reader.isAtEnd {", "  reader = start",
          "  try Self(from: &reader).writeJSON(to: &writer)",
          "  return", "}",
        ]
      }
      skip.append("try reader.skip((\(field.type)).self)")
      read.append("try reader.skip((\(field.type)).self)")
    }
    if fields.isEmpty {
      skip.append("_ = reader")
      read.append("_ = reader")
    }
    read.append("writer.beginObject()")
    for member in JSONMember.inKeyOrder(members) {
      guard let index = indexByName[member.name] else { return nil }
      let key = member.writtenKey
      read.append("var part\(index) = field\(index)")
      if member.isOptional {
        guard let wrapped = fields[index].type.as(OptionalTypeSyntax.self)?.wrappedType else {
          return nil
        }
        read.append("if try part\(index).readPresence() {")
        read.append("  writer.key(\(key))")
        read.append("  try part\(index).transcodeJSON((\(wrapped.trimmed)).self, to: &writer)")
        read.append("}")
      } else {
        read.append("writer.key(\(key))")
        read.append("try part\(index).transcodeJSON((\(fields[index].type)).self, to: &writer)")
      }
    }
    read.append("writer.endObject()")
    return """


      /// Steps over the fields in the order they are declared, as `init(from:)` reads them.
      \(access)static func skipBinary(in reader: inout EventLog.BinaryReader) throws {
        \(skip.joined(separator: "\n  "))
      }

      /// Writes what `writeJSON(to:)` writes for the value `init(from:)` reads, each field
      /// written from its bytes, not read into a value first.
      \(access)static func transcodeJSON(
        from reader: inout EventLog.BinaryReader, to writer: inout EventLog.JSONWriter
      ) throws {
        \(read.joined(separator: "\n  "))
      }
      """
  }

  /// `transcodeBinary(json:at:to:)` over `fields`: each field's JSON, found by its key as
  /// ``jsonReader(members:access:)`` finds it, written in its binary form in the order the
  /// fields are declared; an optional one that is missing written as absent.
  ///
  /// `nil` (the protocol's transcoder, which reads the value, is kept) when the JSON members
  /// are not the binary fields one for one.
  static func binaryTranscoder(fields: [StoredField], members: [JSONMember], access: String)
    -> String?
  {
    var memberByName: [String: JSONMember] = [:]
    for member in members { memberByName[member.name] = member }
    guard members.count == fields.count, memberByName.count == members.count,
      members.allSatisfy(\.isDecoded), fields.allSatisfy({ memberByName[$0.name] != nil })
    else { return nil }
    var body = ["try reader.object(node)"]
    for field in fields {
      guard let member = memberByName[field.name] else { return nil }
      let found = "reader.member(\(member.keyLiteral), of: node)"
      if member.isOptional {
        body += [
          "if reader.contains(\(member.keyLiteral), in: node) {",
          "  try reader.transcodeBinary((\(field.type)).self, at: \(found), to: &writer)",
          "} else {",
          "  writer.writeByte(0)",
          "}",
        ]
      } else {
        body.append("try reader.transcodeBinary((\(field.type)).self, at: \(found), to: &writer)")
      }
    }
    return """


      /// Writes what `encode(to:)` writes for the value `init(json:at:)` reads, each field
      /// written from its JSON, not read into a value first.
      \(access)static func transcodeBinary(
        json reader: EventLog.JSONReader, at node: Int, to writer: inout EventLog.BinaryWriter
      ) throws {
        \(body.joined(separator: "\n  "))
      }
      """
  }

  /// A memberwise initializer with the type's own access level, for a public or package type
  /// that declares no initializer (Swift's implicit one is internal).
  static func memberwiseInitializer(
    for declaration: some DeclGroupSyntax, fields: [StoredField], access: String
  ) -> DeclSyntax? {
    guard access == "public " || access == "package " else { return nil }
    let declaresInit = declaration.memberBlock.members.contains {
      $0.decl.is(InitializerDeclSyntax.self)
    }
    guard !declaresInit else { return nil }
    let parameters = fields.map { field -> String in
      if let value = field.defaultValue { return "\(field.name): \(field.type) = \(value)" }
      if field.type.isOptional { return "\(field.name): \(field.type) = nil" }
      return "\(field.name): \(field.type)"
    }
    let assignments = fields.map { "self.\($0.name) = \($0.name)" }
    return """
      /// Creates the value from all of its fields.
      \(raw: access)init(\(raw: parameters.joined(separator: ", "))) {
        \(raw: assignments.joined(separator: "\n"))
      }
      """
  }
}
