import AutopodSupport
import FoundationEssentials

extension JSONValue {
    /// The value as JSON text, keys sorted and slashes left alone. `pretty` gives exactly what
    /// `JSONEncoder` writes with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`
    /// (numbers as `JSONValue`'s `Encodable` conformance sends them), without going through
    /// `Encodable`: the runtime's type lookups behind `JSONEncoder` cost more than all of
    /// `autopod list`'s own work.
    public func serialized(pretty: Bool = false) -> String {
        var writer = JSONValueWriter(pretty: pretty)
        writer.write(self, indent: 0)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// Appends JSON text for a `JSONValue` to a byte buffer.
struct JSONValueWriter {
    let pretty: Bool
    private(set) var bytes: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
        bytes.reserveCapacity(4096)
    }

    mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(Self.text(of: number))
        case .string(let text): writeString(text)
        case .array(let items):
            writeContainer(UInt8(ascii: "["), UInt8(ascii: "]"), count: items.count, indent: indent) { writer, index in
                writer.write(items[index], indent: indent + 1)
            }
        case .object(let fields):
            let sorted = fields.sorted { $0.key < $1.key }
            writeContainer(UInt8(ascii: "{"), UInt8(ascii: "}"), count: sorted.count, indent: indent) { writer, index in
                writer.writeString(sorted[index].key)
                writer.append(writer.pretty ? " : " : ":")
                writer.write(sorted[index].value, indent: indent + 1)
            }
        }
    }

    /// `[`, the elements separated by commas, `]`; pretty: one element per line, and an empty
    /// container as an empty line, the way JSONEncoder lays them out.
    private mutating func writeContainer(
        _ open: UInt8, _ close: UInt8, count: Int, indent: Int, element: (inout JSONValueWriter, Int) -> Void
    ) {
        bytes.append(open)
        if pretty { bytes.append(0x0A) }
        for index in 0..<count {
            if index > 0 {
                bytes.append(UInt8(ascii: ","))
                if pretty { bytes.append(0x0A) }
            }
            if pretty { writeIndent(indent + 1) }
            element(&self, index)
        }
        if pretty {
            bytes.append(0x0A)
            writeIndent(indent)
        }
        bytes.append(close)
    }

    /// Spaces copied from here in one go: `repeatElement` appended them one by one, about a
    /// tenth of `list --json`'s writing.
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    private mutating func writeIndent(_ level: Int) {
        var remaining = 2 * level
        while remaining > 0 {
            let count = min(remaining, Self.spaces.count)
            bytes.append(contentsOf: Self.spaces[..<count])
            remaining -= count
        }
    }

    private mutating func writeString(_ text: String) { JSONString.append(text, to: &bytes) }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Whole numbers below 1e15 as integers (as `JSONValue.encode(to:)` sends them), others in
    /// Swift's shortest form without a trailing `.0`, as JSONEncoder writes a Double. JSON has
    /// no NaN or infinity: those become null.
    static func text(of number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 1e15 {
            return String(Int64(number))
        }
        var text = number.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
