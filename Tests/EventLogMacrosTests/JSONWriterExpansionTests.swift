import EventLogMacroPlugin
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// The `writeJSON(to:)` and `init(json:at:)` the struct macros write: keys in the order of
/// their bytes, optionals left out when `nil` (and read as `nil` when missing), constants
/// written and not read, backticks dropped from keys; and neither for a struct that gives
/// itself its own `Codable` form.
@Suite struct JSONWriterExpansionTests {
  private let specs: [String: MacroSpec] = [
    "BinaryCodable": MacroSpec(
      type: BinaryCodableMacro.self,
      conformances: ["BinaryEncodable", "BinaryDecodable", "JSONWritable", "JSONReadable"])
  ]

  private func expect(
    _ source: String, expanded: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    assertMacroExpansion(
      source, expandedSource: expanded, macroSpecs: specs, indentationWidth: .spaces(2),
      failureHandler: {
        Issue.record(Comment(rawValue: $0.message), sourceLocation: sourceLocation)
      })
  }

  @Test func keysAreSortedByTheirBytesAndNilOptionalsLeftOut() {
    expect(
      """
      @BinaryCodable
      struct Place {
        var zone: Int
        let kind = "place"
        var `default`: String?
        var City: String
      }
      """,
      expanded: """
        struct Place {
          var zone: Int
          let kind = "place"
          var `default`: String?
          var City: String
        }

        extension Place: BinaryEncodable, BinaryDecodable, JSONWritable, JSONReadable {
          /// Writes the fields in the order they are declared.
          func encode(to writer: inout EventLog.BinaryWriter) {
            writer.write(self.zone)
            writer.write(self.`default`)
            writer.write(self.City)
          }

          /// Reads the fields in the order they are declared; a record that ends before an optional
          /// or defaulted field (one added later) gives it its default.
          init(from reader: inout EventLog.BinaryReader) throws {
            let field0 = try reader.read((Int).self)
            let field1 = try reader.read((String?).self)
            let field2 = try reader.read((String).self)
            self.zone = field0
            self.`default` = field1
            self.City = field2
          }

          /// Writes the JSON that `Encodable` gives the stored properties: keys sorted, a `nil`
          /// optional left out.
          func writeJSON(to writer: inout EventLog.JSONWriter) throws {
            writer.beginObject()
            writer.key("City" as StaticString)
            try writer.value(self.City)
            if let value = self.`default` {
              writer.key("default" as StaticString)
              try writer.value(value)
            }
            writer.key("kind" as StaticString)
            try writer.value(self.kind)
            writer.key("zone" as StaticString)
            try writer.value(self.zone)
            writer.endObject()
          }

          /// Reads what `Decodable` reads for the stored properties: each by its name, an optional
          /// one `nil` when missing or `null`.
          init(json reader: EventLog.JSONReader, at node: Int) throws {
            try reader.object(node)
            let json0 = try reader.value((Int).self, at: reader.member("zone", of: node))
            let json1: String? = try reader.contains("default", in: node) ? reader.value((String?).self, at: reader.member("default", of: node)) : nil
            let json2 = try reader.value((String).self, at: reader.member("City", of: node))
            self.zone = json0
            self.`default` = json1
            self.City = json2
          }
        }
        """)
  }

  @Test func theTranscoderStepsOverTheFieldsInOrderAndWritesThemInKeyOrder() {
    expect(
      """
      @BinaryCodable
      struct Visit {
        var place: String
        var day: Int
        var note: String?
      }
      """,
      expanded: """
        struct Visit {
          var place: String
          var day: Int
          var note: String?
        }

        extension Visit: BinaryEncodable, BinaryDecodable, JSONWritable, JSONReadable {
          /// Writes the fields in the order they are declared.
          func encode(to writer: inout EventLog.BinaryWriter) {
            writer.write(self.place)
            writer.write(self.day)
            writer.write(self.note)
          }

          /// Reads the fields in the order they are declared; a record that ends before an optional
          /// or defaulted field (one added later) gives it its default.
          init(from reader: inout EventLog.BinaryReader) throws {
            let field0 = try reader.read((String).self)
            let field1 = try reader.read((Int).self)
            let field2: String? = try reader.isAtEnd ? nil : reader.read((String?).self)
            self.place = field0
            self.day = field1
            self.note = field2
          }

          /// Writes the JSON that `Encodable` gives the stored properties: keys sorted, a `nil`
          /// optional left out.
          func writeJSON(to writer: inout EventLog.JSONWriter) throws {
            writer.beginObject()
            writer.key("day" as StaticString)
            try writer.value(self.day)
            if let value = self.note {
              writer.key("note" as StaticString)
              try writer.value(value)
            }
            writer.key("place" as StaticString)
            try writer.value(self.place)
            writer.endObject()
          }

          /// Reads what `Decodable` reads for the stored properties: each by its name, an optional
          /// one `nil` when missing or `null`.
          init(json reader: EventLog.JSONReader, at node: Int) throws {
            try reader.object(node)
            let json0 = try reader.value((String).self, at: reader.member("place", of: node))
            let json1 = try reader.value((Int).self, at: reader.member("day", of: node))
            let json2: String? = try reader.contains("note", in: node) ? reader.value((String?).self, at: reader.member("note", of: node)) : nil
            self.place = json0
            self.day = json1
            self.note = json2
          }

          /// Steps over the fields in the order they are declared, as `init(from:)` reads them.
          static func skipBinary(in reader: inout EventLog.BinaryReader) throws {
            try reader.skip((String).self)
            try reader.skip((Int).self)
            if reader.isAtEnd {
              return
            }
            try reader.skip((String?).self)
          }

          /// Writes what `writeJSON(to:)` writes for the value `init(from:)` reads, each field
          /// written from its bytes, not read into a value first.
          static func transcodeJSON(
            from reader: inout EventLog.BinaryReader, to writer: inout EventLog.JSONWriter
          ) throws {
            let start = reader
            let field0 = reader
            try reader.skip((String).self)
            let field1 = reader
            try reader.skip((Int).self)
            let field2 = reader
            if reader.isAtEnd {
              reader = start
              try Self(from: &reader).writeJSON(to: &writer)
              return
            }
            try reader.skip((String?).self)
            writer.beginObject()
            var part1 = field1
            writer.key("day" as StaticString)
            try part1.transcodeJSON((Int).self, to: &writer)
            var part2 = field2
            if try part2.readPresence() {
              writer.key("note" as StaticString)
              try part2.transcodeJSON((String).self, to: &writer)
            }
            var part0 = field0
            writer.key("place" as StaticString)
            try part0.transcodeJSON((String).self, to: &writer)
            writer.endObject()
          }

          /// Writes what `encode(to:)` writes for the value `init(json:at:)` reads, each field
          /// written from its JSON, not read into a value first.
          static func transcodeBinary(
            json reader: EventLog.JSONReader, at node: Int, to writer: inout EventLog.BinaryWriter
          ) throws {
            try reader.object(node)
            try reader.transcodeBinary((String).self, at: reader.member("place", of: node), to: &writer)
            try reader.transcodeBinary((Int).self, at: reader.member("day", of: node), to: &writer)
            if reader.contains("note", in: node) {
              try reader.transcodeBinary((String?).self, at: reader.member("note", of: node), to: &writer)
            } else {
              writer.writeByte(0)
            }
          }
        }
        """)
  }

  @Test func aStructWithItsOwnCodableFormIsNotMadeJSONWritableNorReadable() {
    expect(
      """
      @BinaryCodable
      struct Code {
        var text: String
        func encode(to encoder: any Encoder) throws {}
        init(from decoder: any Decoder) throws { text = "" }
      }
      """,
      expanded: """
        struct Code {
          var text: String
          func encode(to encoder: any Encoder) throws {}
          init(from decoder: any Decoder) throws { text = "" }
        }

        extension Code: BinaryEncodable, BinaryDecodable {
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
        }
        """)
  }
}
