import SwiftDiagnostics
import SwiftSyntax

/// A stored property of a struct, as the coding macros see it: its name, its declared type, and
/// the value it takes when a record written before it existed ends before it.
struct StoredField {
  var name: String
  var type: TypeSyntax
  /// The property's initial value, or `nil` for an optional without one.
  var defaultValue: ExprSyntax?
  /// Whether an older record may end before this field: it and every field after it are
  /// optional or have a default.
  var mayBeAbsent: Bool
}

/// A mistake in the declaration a macro is attached to, reported at the offending node.
struct MacroError: Error, DiagnosticMessage {
  let message: String
  var diagnosticID: MessageID { MessageID(domain: "EventLogMacros", id: message) }
  var severity: DiagnosticSeverity { .error }

  init(_ message: String) { self.message = message }
}

extension StoredField {
  /// The struct's stored properties in declaration order: the fields of its binary form.
  ///
  /// Static properties, computed properties and constants with an initial value (they are not
  /// part of the memberwise initializer) are left out. A stored property without a type
  /// annotation is an error, because the coding needs its type written out.
  static func fields(of declaration: some DeclGroupSyntax) throws -> [StoredField] {
    var fields: [StoredField] = []
    for member in declaration.memberBlock.members {
      guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
      if variable.modifiers.contains(where: {
        $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class)
      }) {
        continue
      }
      let isConstant = variable.bindingSpecifier.tokenKind == .keyword(.let)
      for binding in variable.bindings {
        if let accessors = binding.accessorBlock, !accessors.isObserversOnly { continue }
        guard let identifier = binding.pattern.as(IdentifierPatternSyntax.self) else {
          throw DiagnosticsError(diagnostics: [
            Diagnostic(
              node: binding.pattern, message: MacroError("a coded field must have a simple name"))
          ])
        }
        if isConstant && binding.initializer != nil { continue }
        guard let type = binding.typeAnnotation?.type ?? variable.sharedType(after: binding) else {
          throw DiagnosticsError(diagnostics: [
            Diagnostic(
              node: binding,
              message: MacroError(
                "the binary form needs the type of '\(identifier.identifier.text)' written out"))
          ])
        }
        fields.append(
          StoredField(
            name: identifier.identifier.trimmedDescription, type: type.trimmed,
            defaultValue: binding.initializer?.value.trimmed,
            mayBeAbsent: type.isOptional || binding.initializer != nil))
      }
    }
    // Only the trailing run of optional or defaulted fields can be missing from an older
    // record: a record that ends before a required field is cut short, not old.
    var trailing = true
    for index in fields.indices.reversed() {
      trailing = trailing && fields[index].mayBeAbsent
      fields[index].mayBeAbsent = trailing
    }
    return fields
  }
}

/// A stored property as synthesized `Encodable` encodes it: every stored instance property,
/// constants with an initial value included, under its name.
struct JSONMember {
  /// The property's name as code refers to it (backticks kept).
  var name: String
  /// The key `Encodable` gives it: the name without backticks.
  var key: String
  /// Whether it is written as an optional, which `Encodable` leaves out when `nil`.
  var isOptional: Bool
  /// Its declared type, when written out.
  var type: TypeSyntax?
  /// Whether `Decodable` reads it: not a constant with an initial value.
  var isDecoded: Bool

  /// The key as a Swift string literal, quotes included: a raw identifier (`` `say "hi"` ``)
  /// may hold a quote or a backslash, which the literal escapes.
  var keyLiteral: String {
    var literal = "\""
    for scalar in key.unicodeScalars {
      switch scalar {
      case "\"": literal += "\\\""
      case "\\": literal += "\\\\"
      case _ where scalar.value < 0x20:
        literal += "\\u{" + String(scalar.value, radix: 16) + "}"
      default: literal.unicodeScalars.append(scalar)
      }
    }
    return literal + "\""
  }

  /// Whether JSON writes the key with an escape: a quote, a backslash or a control character
  /// always, a slash when slashes are escaped. (An ordinary identifier never has one; a raw
  /// identifier may.)
  var keyNeedsEscape: Bool {
    key.utf8.contains {
      $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "/")
    }
  }

  /// The argument of `writer.key(…)` for this member: a key that needs no escape is written as
  /// it stands (a static string: no scan for characters to escape at run time); one that does
  /// is escaped as it is written.
  var writtenKey: String {
    keyNeedsEscape ? keyLiteral : keyLiteral + " as StaticString"
  }

  /// `members` in the order `JSONEncoder` writes them with `.sortedKeys`: by their keys' UTF-8
  /// bytes.
  static func inKeyOrder(_ members: [JSONMember]) -> [JSONMember] {
    members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
  }

  /// The stored properties of `declaration`, in declaration order.
  static func members(of declaration: some DeclGroupSyntax) -> [JSONMember] {
    var members: [JSONMember] = []
    for member in declaration.memberBlock.members {
      guard let variable = member.decl.as(VariableDeclSyntax.self),
        !variable.modifiers.contains(where: {
          $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class)
        })
      else { continue }
      for binding in variable.bindings {
        if let accessors = binding.accessorBlock, !accessors.isObserversOnly { continue }
        guard let identifier = binding.pattern.as(IdentifierPatternSyntax.self) else { continue }
        let type = binding.typeAnnotation?.type ?? variable.sharedType(after: binding)
        let name = identifier.identifier.trimmedDescription
        let isConstant = variable.bindingSpecifier.tokenKind == .keyword(.let)
        members.append(
          JSONMember(
            name: name, key: name.filter { $0 != "`" }, isOptional: type?.isOptional ?? false,
            type: type?.trimmed, isDecoded: !(isConstant && binding.initializer != nil)))
      }
    }
    return members
  }
}

extension DeclGroupSyntax {
  /// Whether the declaration reads itself in a `Decodable` way of its own: it declares
  /// `init(from:)` taking a `Decoder`, or `CodingKeys`.
  var customizesDecodable: Bool {
    memberBlock.members.contains { member in
      if let initializer = member.decl.as(InitializerDeclSyntax.self) {
        guard let parameter = initializer.signature.parameterClause.parameters.first else {
          return false
        }
        return parameter.firstName.text == "from"
          && parameter.type.trimmedDescription.contains("Decoder")
      }
      return member.decl.declaresCodingKeys
    }
  }

  /// Whether the declaration declares `init(json:at:)` itself.
  var declaresJSONReader: Bool {
    memberBlock.members.contains { member in
      guard let initializer = member.decl.as(InitializerDeclSyntax.self),
        let parameter = initializer.signature.parameterClause.parameters.first
      else { return false }
      return parameter.firstName.text == "json"
    }
  }

  /// Whether the declaration gives itself an `Encodable` form of its own: it declares
  /// `encode(to:)` taking an `Encoder`, or `CodingKeys`.
  var customizesEncodable: Bool {
    memberBlock.members.contains { member in
      if let function = member.decl.as(FunctionDeclSyntax.self) {
        if function.name.text == "encode",
          let parameter = function.signature.parameterClause.parameters.first,
          parameter.type.trimmedDescription.contains("Encoder")
        {
          return true
        }
        return false
      }
      return member.decl.declaresCodingKeys
    }
  }
}

extension DeclSyntax {
  /// Whether this is a type or alias named `CodingKeys`.
  var declaresCodingKeys: Bool {
    if let enumeration = self.as(EnumDeclSyntax.self) {
      return enumeration.name.text == "CodingKeys"
    }
    if let structure = self.as(StructDeclSyntax.self) {
      return structure.name.text == "CodingKeys"
    }
    if let alias = self.as(TypeAliasDeclSyntax.self) {
      return alias.name.text == "CodingKeys"
    }
    return false
  }
}

extension AccessorBlockSyntax {
  /// Whether the block only observes a stored property (`willSet`, `didSet`).
  var isObserversOnly: Bool {
    guard case .accessors(let list) = accessors else { return false }
    return list.allSatisfy {
      $0.accessorSpecifier.tokenKind == .keyword(.willSet)
        || $0.accessorSpecifier.tokenKind == .keyword(.didSet)
    }
  }
}

extension VariableDeclSyntax {
  /// The type of `var a, b: Int`: a binding without its own annotation takes the next one's.
  func sharedType(after binding: PatternBindingSyntax) -> TypeSyntax? {
    var found = false
    for other in bindings {
      if found, let type = other.typeAnnotation?.type { return type }
      if other.id == binding.id { found = true }
    }
    return nil
  }
}

extension TypeSyntax {
  /// Whether the type is written as an optional (`T?` or `Optional<T>`).
  var isOptional: Bool {
    if self.is(OptionalTypeSyntax.self) { return true }
    if let identifier = self.as(IdentifierTypeSyntax.self), identifier.name.text == "Optional" {
      return true
    }
    if let member = self.as(MemberTypeSyntax.self), member.name.text == "Optional" { return true }
    return false
  }
}

extension DeclModifierListSyntax {
  /// The access level to give generated members: the declaration's own, so that a public type
  /// gets public coding and initializers, and a private one stays out of sight.
  var accessPrefix: String {
    for modifier in self {
      switch modifier.name.tokenKind {
      case .keyword(.public), .keyword(.open): return "public "
      case .keyword(.package): return "package "
      case .keyword(.fileprivate), .keyword(.private): return "fileprivate "
      default: continue
      }
    }
    return ""
  }
}
