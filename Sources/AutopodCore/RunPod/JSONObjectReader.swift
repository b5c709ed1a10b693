import AutopodSupport
import FoundationEssentials

/// Reads the fields of one JSON object as typed values, the way a synthesized `Decodable` would:
/// a missing or null required field and a value of the wrong kind are errors naming where in the
/// document they are; unknown fields are ignored. Used for `pods.json`, which `JSONDecoder` read
/// at several times the cost (runtime type lookups for every field).
struct JSONObjectReader {
    private let fields: [String: JSONValue]
    /// Where this object is, as `pods.[2].endpoint`; empty for the top level.
    let path: String

    init(_ value: JSONValue, path: String = "") throws(JSONShapeError) {
        guard case .object(let fields) = value else { throw JSONShapeError(.wrongKind(expected: "an object"), at: path) }
        self.fields = fields
        self.path = path
    }

    /// A required field converted by `convert` (nil from it means the wrong kind of value).
    func required<T>(_ key: String, _ expected: String, _ convert: (JSONValue) -> T?) throws(JSONShapeError) -> T {
        guard let value = fields[key], value != .null else { throw JSONShapeError(.missing(key), at: path) }
        guard let converted = convert(value) else { throw JSONShapeError(.wrongKind(expected: expected), at: child(key)) }
        return converted
    }

    /// An optional field: absent and null are both nil.
    func optional<T>(_ key: String, _ expected: String, _ convert: (JSONValue) -> T?) throws(JSONShapeError) -> T? {
        guard let value = fields[key], value != .null else { return nil }
        guard let converted = convert(value) else { throw JSONShapeError(.wrongKind(expected: expected), at: child(key)) }
        return converted
    }

    func string(_ key: String) throws(JSONShapeError) -> String { try required(key, "a string", \.stringValue) }
    func optionalString(_ key: String) throws(JSONShapeError) -> String? { try optional(key, "a string", \.stringValue) }
    func double(_ key: String) throws(JSONShapeError) -> Double { try required(key, "a number", \.doubleValue) }
    func bool(_ key: String) throws(JSONShapeError) -> Bool { try required(key, "true or false", \.boolValue) }
    func int(_ key: String) throws(JSONShapeError) -> Int { try required(key, "a whole number", Self.wholeNumber) }
    func optionalInt(_ key: String) throws(JSONShapeError) -> Int? { try optional(key, "a whole number", Self.wholeNumber) }
    func optionalDouble(_ key: String) throws(JSONShapeError) -> Double? { try optional(key, "a number", \.doubleValue) }

    /// An optional nested object, read by `read`.
    func optionalObject<T>(_ key: String, _ read: (JSONObjectReader) throws(JSONShapeError) -> T) throws(JSONShapeError) -> T? {
        guard let value = fields[key], value != .null else { return nil }
        return try read(JSONObjectReader(value, path: child(key)))
    }

    /// An array of objects, each read by `read`.
    func objects<T>(_ key: String, _ read: (JSONObjectReader) throws(JSONShapeError) -> T) throws(JSONShapeError) -> [T] {
        let items = try required(key, "an array", \.arrayValue)
        var result: [T] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            result.append(try read(JSONObjectReader(item, path: "\(child(key)).[\(index)]")))
        }
        return result
    }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private static func wholeNumber(_ value: JSONValue) -> Int? {
        guard let number = value.doubleValue, number == number.rounded(), abs(number) < 9e15 else { return nil }
        return Int(number)
    }
}

/// A JSON document that parses but does not have the shape expected.
struct JSONShapeError: Error, Sendable, CustomStringConvertible {
    enum Problem: Sendable {
        case missing(String)
        case wrongKind(expected: String)
    }

    let problem: Problem
    /// Where: `pods.[0].gpuCount`; empty for the top level.
    let path: String

    init(_ problem: Problem, at path: String) {
        self.problem = problem
        self.path = path
    }

    var description: String {
        let place = path.isEmpty ? "" : " at \(path)"
        switch problem {
        case .missing(let key): return "\"\(key)\" is missing\(place)"
        case .wrongKind(let expected): return "wrong kind of value\(place): expected \(expected)"
        }
    }
}
