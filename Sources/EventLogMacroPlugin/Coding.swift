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
  static func codingExtension(
    for type: some TypeSyntaxProtocol, fields: [StoredField], access: String,
    conformances: [TypeSyntax]
  ) throws -> ExtensionDeclSyntax {
    let inheritance =
      conformances.isEmpty
      ? "" : ": " + conformances.map(\.trimmedDescription).joined(separator: ", ")
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
        }
      }
      """)
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
