import EventLogMacroPlugin
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// What the coding macros refuse, and how they say it.
@Suite struct MacroDiagnosticsTests {
  private let specs: [String: MacroSpec] = [
    "BinaryEvent": MacroSpec(type: BinaryEventMacro.self, conformances: ["BinaryEvent"]),
    "BinaryCodable": MacroSpec(
      type: BinaryCodableMacro.self, conformances: ["BinaryEncodable", "BinaryDecodable"]),
    "EventFamily": MacroSpec(type: EventFamilyMacro.self, conformances: ["EventFamily"]),
  ]

  /// Expands `source` and checks that the one diagnostic is `message`, at `line` and `column`.
  private func expectDiagnostic(
    _ source: String, expanded: String, _ message: String, line: Int, column: Int,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    assertMacroExpansion(
      source, expandedSource: expanded,
      diagnostics: [DiagnosticSpec(message: message, line: line, column: column)],
      macroSpecs: specs, indentationWidth: .spaces(2),
      failureHandler: {
        Issue.record(Comment(rawValue: $0.message), sourceLocation: sourceLocation)
      })
  }

  @Test func aFieldWithoutAWrittenTypeIsRefused() {
    expectDiagnostic(
      """
      @BinaryEvent
      struct Noted {
        var text = "x"
      }
      """,
      expanded: """
        struct Noted {
          var text = "x"
        }
        """,
      "the binary form needs the type of 'text' written out", line: 3, column: 7)
  }

  @Test func aClassIsRefused() {
    expectDiagnostic(
      """
      @BinaryCodable
      final class Box {
        var value: Int = 0
      }
      """,
      expanded: """
        final class Box {
          var value: Int = 0
        }
        """,
      "@BinaryCodable applies to a struct", line: 1, column: 1)
  }

  @Test func aFamilyCaseMustWrapOneEvent() {
    expectDiagnostic(
      """
      @EventFamily
      enum Library {
        case lent(BookLent, Int)
      }
      """,
      expanded: """
        enum Library {
          case lent(BookLent, Int)
        }
        """,
      "each case of an event family wraps exactly one event: case lent(SomeEvent)", line: 3,
      column: 8)
  }

  @Test func aFamilyNeedsACase() {
    expectDiagnostic(
      """
      @EventFamily
      enum Library {
      }
      """,
      expanded: """
        enum Library {
        }
        """,
      "an event family needs at least one case", line: 1, column: 1)
  }

  @Test func aSchemaVersionMustBeALiteralInRange() {
    expectDiagnostic(
      """
      @BinaryEvent(version: 0)
      struct Noted {
        var text: String
      }
      """,
      expanded: """
        struct Noted {
          var text: String
        }

        extension Noted: BinaryEvent {
          /// Writes the fields in the order they are declared.
          func encode(to writer: inout EventLog.BinaryWriter) {
            writer.write(self.text)
          }

          /// Reads the fields in the order they are declared; a record that ends before an optional
          /// or defaulted field (one added later) gives it its default.
          init(from reader: inout EventLog.BinaryReader) throws {
            let field0 = try reader.read((String).self)
            self.text = field0
          }

          /// Writes the JSON that `Encodable` gives the stored properties: keys sorted, a `nil`
          /// optional left out.
          func writeJSON(to writer: inout EventLog.JSONWriter) throws {
            writer.beginObject()
            writer.key("text" as StaticString)
            try writer.value(self.text)
            writer.endObject()
          }

          /// Reads what `Decodable` reads for the stored properties: each by its name, an optional
          /// one `nil` when missing or `null`.
          init(json reader: EventLog.JSONReader, at node: Int) throws {
            try reader.object(node)
            let json0 = try reader.value((String).self, at: reader.member("text", of: node))
            self.text = json0
          }

          /// Steps over the fields in the order they are declared, as `init(from:)` reads them.
          static func skipBinary(in reader: inout EventLog.BinaryReader) throws {
            try reader.skip((String).self)
          }

          /// Writes what `writeJSON(to:)` writes for the value `init(from:)` reads, each field
          /// written from its bytes, not read into a value first.
          static func transcodeJSON(
            from reader: inout EventLog.BinaryReader, to writer: inout EventLog.JSONWriter
          ) throws {
            let field0 = reader
            try reader.skip((String).self)
            writer.beginObject()
            var part0 = field0
            writer.key("text" as StaticString)
            try part0.transcodeJSON((String).self, to: &writer)
            writer.endObject()
          }

          /// Writes what `encode(to:)` writes for the value `init(json:at:)` reads, each field
          /// written from its JSON, not read into a value first.
          static func transcodeBinary(
            json reader: EventLog.JSONReader, at node: Int, to writer: inout EventLog.BinaryWriter
          ) throws {
            try reader.object(node)
            try reader.transcodeBinary((String).self, at: reader.member("text", of: node), to: &writer)
          }
        }
        """,
      "the schema version must be an integer literal from 1 to 65535", line: 1, column: 23)
  }
}
