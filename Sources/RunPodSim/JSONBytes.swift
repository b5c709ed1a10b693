import AutopodSupport
import GraphQL

/// A JSON text written straight into bytes, formatted as GraphQLSwift's encoder formats it
/// (`/` escaped, integral numbers without a fraction), so a reply reads the same whichever
/// path produced it. Hand-written because Foundation's encoders take an `Encodable` tree and
/// cost more than producing the reply.
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(64 * 1024) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) { JSONString.append(value, to: &bytes, escapingSlash: true) }

    mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func number(_ value: Double) {
        if value.rounded() == value, abs(value) < 1e15 {
            integer(Int(value))
        } else if value.isFinite {
            bytes.append(contentsOf: "\(value)".utf8)
        } else {
            append("null")
        }
    }

    mutating func map(_ value: Map) {
        switch value {
        case .undefined, .null: append("null")
        case .bool(let bool): append(bool ? "true" : "false")
        case .number(let number): self.number(number.doubleValue)
        case .string(let string): self.string(string)
        case .array(let items):
            append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { append(",") }
                map(item)
            }
            append("]")
        case .dictionary(let entries):
            append("{")
            var first = true
            for (key, item) in entries where !item.isUndefined {
                if !first { append(",") }
                first = false
                string(key)
                append(":")
                map(item)
            }
            append("}")
        }
    }
}
