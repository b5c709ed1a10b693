import AutopodSupport
import Foundation

/// A JSON value for the REST API, both ways: request bodies decode into it (booleans, integers
/// and fractions kept apart, which `JSONSerialization`'s NSNumbers do not do, so a body can be
/// checked against RunPod's schema), and replies are built from it and written with keys in
/// the order given and `/` unescaped, as RunPod's Go server writes them.
enum JSONNode: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONNode])
    case object([(String, JSONNode)])

    static func == (lhs: JSONNode, rhs: JSONNode) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    init(from decoder: any Decoder) throws {
        if var items = try? decoder.unkeyedContainer() {
            var array: [JSONNode] = []
            while !items.isAtEnd { array.append(try items.decode(JSONNode.self)) }
            self = .array(array)
            return
        }
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            // The decoder does not keep the text's key order; sorted keys keep errors stable.
            self = .object(
                try keyed.allKeys.map(\.stringValue).sorted().map { ($0, try keyed.decode(JSONNode.self, forKey: AnyKey($0))) })
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int.self) {
            self = .int(value)
        } else if let value = try? single.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    /// Parses a request body; nil when it is not JSON.
    static func parse(_ data: Data) -> JSONNode? {
        try? JSONDecoder().decode(JSONNode.self, from: data)
    }

    // MARK: Reading

    subscript(key: String) -> JSONNode? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: return nil
        }
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONNode]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var members: [(String, JSONNode)]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    // MARK: Building

    static func object(_ members: KeyValuePairs<String, JSONNode>) -> JSONNode {
        .object(members.map { ($0.key, $0.value) })
    }

    static func strings(_ values: [String]) -> JSONNode { .array(values.map { .string($0) }) }

    static func optional(_ value: String?) -> JSONNode { value.map { .string($0) } ?? .null }

    // MARK: Writing

    var data: Data { Data(bytes) }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value):
            if value.rounded() == value, abs(value) < 1e15 {
                // 0.0 stays a number JSON Schema calls both "number" and "integer"; written
                // with a fraction so a float field never looks like an integer one.
                out.append(contentsOf: (String(Int(value)) + ".0").utf8)
            } else if value.isFinite {
                out.append(contentsOf: "\(value)".utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let value): JSONString.append(value, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.append(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension JSONNode: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
}
