import AutopodSupport
import AutopodCore
import FoundationEssentials

/// `--json` output: stable key order, readable indentation, no escaped slashes.
enum JSONOutput {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The same layout for a value built as `JSONValue`, without `JSONEncoder`'s cost.
    static func encode(json: JSONValue) -> String { json.serialized(pretty: true) }

    /// Writes `value` and a newline to stdout in one write (print() copies a 10 KB document
    /// character by character, about 0.75M instructions).
    static func write<T: Encodable>(_ value: T) throws { StandardStream.output.write(try encode(value) + "\n") }

    static func write(json: JSONValue) { StandardStream.output.write(encode(json: json) + "\n") }
}
