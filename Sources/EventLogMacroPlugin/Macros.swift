import SwiftCompilerPlugin
import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// The extension both struct macros attach: the binary coding of the struct's stored fields.
public protocol StructCodingMacro: ExtensionMacro {}

extension StructCodingMacro {
  public static func expansion(
    of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax,
    providingExtensionsOf type: some TypeSyntaxProtocol, conformingTo protocols: [TypeSyntax],
    in context: some MacroExpansionContext
  ) throws -> [ExtensionDeclSyntax] {
    // A declaration the macro cannot take is reported once, by the member role.
    guard let structure = declaration.as(StructDeclSyntax.self),
      let fields = try? StoredField.fields(of: structure)
    else { return [] }
    return [
      try Coding.codingExtension(
        for: type, declaration: structure, fields: fields, access: structure.modifiers.accessPrefix,
        conformances: protocols)
    ]
  }
}

/// `@BinaryCodable`: a struct's binary form from its stored fields.
public struct BinaryCodableMacro: StructCodingMacro, MemberMacro {
  public static func expansion(
    of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
    conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
  ) throws -> [DeclSyntax] {
    let structure = try requireStruct(declaration, macro: "BinaryCodable")
    let access = structure.modifiers.accessPrefix
    return [
      Coding.memberwiseInitializer(
        for: structure, fields: try StoredField.fields(of: structure), access: access)
    ].compactMap { $0 }
  }
}

/// `@BinaryEvent`: an event struct's binary form, its type name and its schema version.
public struct BinaryEventMacro: StructCodingMacro, MemberMacro {
  public static func expansion(
    of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
    conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
  ) throws -> [DeclSyntax] {
    let structure = try requireStruct(declaration, macro: "BinaryEvent")
    let access = structure.modifiers.accessPrefix
    var members: [DeclSyntax] = []
    if !structure.declaresMember(named: "eventType") {
      members.append(
        """
        /// The event's type name in the log: `\(raw: structure.name.text)`.
        \(raw: access)static let eventType = \(literal: structure.name.text)
        """)
    }
    if let version = try schemaVersion(in: node) {
      members.append(
        """
        /// This declaration's schema version: records of earlier versions need an upcaster.
        \(raw: access)static func schemaVersion(of eventType: String) -> UInt16 { \(raw: version) }
        """)
    }
    if let initializer = Coding.memberwiseInitializer(
      for: structure, fields: try StoredField.fields(of: structure), access: access)
    {
      members.append(initializer)
    }
    return members
  }

  /// The `version:` argument, if given: an integer literal from 1 to 65535.
  private static func schemaVersion(in node: AttributeSyntax) throws -> Int? {
    guard case .argumentList(let arguments) = node.arguments else { return nil }
    for argument in arguments where argument.label?.text == "version" {
      guard let literal = argument.expression.as(IntegerLiteralExprSyntax.self),
        let value = Int(literal.literal.text.filter { $0 != "_" }),
        (1...Int(UInt16.max)).contains(value)
      else {
        throw DiagnosticsError(diagnostics: [
          Diagnostic(
            node: argument.expression,
            message: MacroError("the schema version must be an integer literal from 1 to 65535"))
        ])
      }
      return value
    }
    return nil
  }
}

/// `@EventFamily`: an enum of events, one case per event type, gets its decoder table, its type
/// names, its encoding switch and its list of payload types.
public struct EventFamilyMacro: ExtensionMacro, MemberMacro {
  /// One case of the family: its name and the event type it wraps.
  struct Case {
    var name: String
    var payload: TypeSyntax
  }

  public static func expansion(
    of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax,
    providingExtensionsOf type: some TypeSyntaxProtocol, conformingTo protocols: [TypeSyntax],
    in context: some MacroExpansionContext
  ) throws -> [ExtensionDeclSyntax] {
    // A declaration the macro cannot take is reported once, by the member role.
    guard !protocols.isEmpty, (try? cases(of: declaration)) != nil else { return [] }
    let list = protocols.map(\.trimmedDescription).joined(separator: ", ")
    return [try ExtensionDeclSyntax("extension \(type.trimmed): \(raw: list) {}")]
  }

  public static func expansion(
    of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
    conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
  ) throws -> [DeclSyntax] {
    let cases = try cases(of: declaration)
    let access = declaration.modifiers.accessPrefix
    let family = declaration.as(EnumDeclSyntax.self)?.name.text ?? "Self"
    let payload = payloadProtocol(in: node)
    let entries = cases.map { ".binary(\($0.payload).self, \(family).\($0.name))" }
    let types = cases.map { "\($0.payload).self" }
    let names = cases.map { "case .\($0.name): return \($0.payload).eventType" }
    let encodes = cases.map { "case .\($0.name)(let event): event.encode(to: &writer)" }
    let payloads = cases.map { "case .\($0.name)(let event): return event" }
    let versions = cases.map {
      "case \($0.payload).eventType: return \($0.payload).schemaVersion(of: eventType)"
    }
    return [
      """
      /// Each case's event type and how to read it.
      \(raw: access)static let decoders = EventLog.PayloadDecoders<\(raw: family)>(
        \(raw: entries.joined(separator: ",\n"))
      )
      """,
      """
      /// The event types of the family's cases, in the order of the cases.
      \(raw: access)static let payloadTypes: [any \(raw: payload).Type] = [
        \(raw: types.joined(separator: ", "))
      ]
      """,
      """
      /// The type name of the case's event.
      \(raw: access)var eventType: String {
        switch self {
        \(raw: names.joined(separator: "\n"))
        }
      }
      """,
      """
      /// Writes the case's event in its binary form.
      \(raw: access)func encodePayload(to writer: inout EventLog.BinaryWriter) {
        switch self {
        \(raw: encodes.joined(separator: "\n"))
        }
      }
      """,
      """
      /// The case's event.
      \(raw: access)var payload: any \(raw: payload) {
        switch self {
        \(raw: payloads.joined(separator: "\n"))
        }
      }
      """,
      """
      /// The schema version the case's event type is written with.
      \(raw: access)static func schemaVersion(of eventType: String) -> UInt16 {
        switch eventType {
        \(raw: versions.joined(separator: "\n"))
        default: return 1
        }
      }
      """,
    ]
  }

  /// The protocol every payload conforms to, given as `@EventFamily(SomeEvent.self)`;
  /// `EventLog.BinaryEvent` when none is given.
  private static func payloadProtocol(in node: AttributeSyntax) -> String {
    guard case .argumentList(let arguments) = node.arguments,
      let first = arguments.first?.expression.as(MemberAccessExprSyntax.self),
      first.declName.baseName.text == "self", let base = first.base
    else { return "EventLog.BinaryEvent" }
    return base.trimmedDescription
  }

  /// The enum's cases; each must wrap exactly one event, without a label.
  static func cases(of declaration: some DeclGroupSyntax) throws -> [Case] {
    guard declaration.is(EnumDeclSyntax.self) else {
      throw DiagnosticsError(diagnostics: [
        Diagnostic(node: declaration, message: MacroError("@EventFamily applies to an enum"))
      ])
    }
    var cases: [Case] = []
    for member in declaration.memberBlock.members {
      guard let caseDecl = member.decl.as(EnumCaseDeclSyntax.self) else { continue }
      for element in caseDecl.elements {
        guard let parameters = element.parameterClause?.parameters, parameters.count == 1,
          let parameter = parameters.first, parameter.firstName == nil
        else {
          throw DiagnosticsError(diagnostics: [
            Diagnostic(
              node: element,
              message: MacroError(
                "each case of an event family wraps exactly one event: case \(element.name.text)(SomeEvent)"
              ))
          ])
        }
        cases.append(Case(name: element.name.text, payload: parameter.type.trimmed))
      }
    }
    guard !cases.isEmpty else {
      throw DiagnosticsError(diagnostics: [
        Diagnostic(
          node: declaration, message: MacroError("an event family needs at least one case"))
      ])
    }
    return cases
  }
}

/// The declaration as a struct, or an error naming the macro that needs one.
func requireStruct(_ declaration: some DeclGroupSyntax, macro: String) throws -> StructDeclSyntax {
  guard let structure = declaration.as(StructDeclSyntax.self) else {
    throw DiagnosticsError(diagnostics: [
      Diagnostic(node: declaration, message: MacroError("@\(macro) applies to a struct"))
    ])
  }
  return structure
}

extension DeclGroupSyntax {
  /// Whether the struct declares a property or method of this name itself.
  func declaresMember(named name: String) -> Bool {
    memberBlock.members.contains { member in
      if let variable = member.decl.as(VariableDeclSyntax.self) {
        return variable.bindings.contains {
          $0.pattern.as(IdentifierPatternSyntax.self)?.identifier.text == name
        }
      }
      if let function = member.decl.as(FunctionDeclSyntax.self) {
        return function.name.text == name
      }
      return false
    }
  }
}

/// The compiler plugin that provides CouncilLog's coding macros.
@main
struct EventLogMacroPlugin: CompilerPlugin {
  let providingMacros: [Macro.Type] = [
    BinaryCodableMacro.self, BinaryEventMacro.self, EventFamilyMacro.self,
  ]
}
