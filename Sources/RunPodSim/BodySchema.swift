import Foundation

/// The part of RunPod's request-body schemas (api-reference-v2/openapi.json) the simulator
/// enforces: types, required properties, enums, bounds, patterns, and closed objects
/// (`additionalProperties: false` / `unevaluatedProperties: false`). A body that breaks one is
/// a contract violation: 422 with one `errors` entry per violation, worded as RunPod's example
/// ("$: additional properties 'bogus' not allowed").
indirect enum BodySchema: Sendable {
    case string(minLength: Int = 0, pattern: String? = nil, oneOf: [String]? = nil)
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case boolean
    case array(BodySchema, maxItems: Int? = nil)
    /// An object whose values all follow one schema (`env`).
    case map(BodySchema)
    /// `closed`: properties not listed are rejected.
    case object([String: BodySchema], required: [String] = [], closed: Bool = true, minProperties: Int = 0)
    case nullable(BodySchema)

    /// Every violation in `value`, each prefixed by its JSON path.
    func violations(_ value: JSONNode, at path: String = "$") -> [String] {
        switch self {
        case .nullable(let inner):
            return value.isNull ? [] : inner.violations(value, at: path)
        case .string(let minLength, let pattern, let oneOf):
            guard case .string(let text) = value else { return [Self.typeError(path, "string", value)] }
            if let oneOf, !oneOf.contains(text) {
                return ["\(path): value must be one of \(oneOf.map { "'\($0)'" }.joined(separator: ", "))"]
            }
            if text.count < minLength { return ["\(path): length must be >= \(minLength), but got \(text.count)"] }
            if let pattern, text.range(of: pattern, options: .regularExpression) == nil {
                return ["\(path): '\(text)' does not match pattern '\(pattern)'"]
            }
            return []
        case .integer(let minimum, let maximum):
            guard let number = value.int, value.bool == nil else { return [Self.typeError(path, "integer", value)] }
            if let minimum, number < minimum { return ["\(path): must be >= \(minimum) but found \(number)"] }
            if let maximum, number > maximum { return ["\(path): must be <= \(maximum) but found \(number)"] }
            return []
        case .boolean:
            return value.bool == nil ? [Self.typeError(path, "boolean", value)] : []
        case .array(let items, let maxItems):
            guard let elements = value.array else { return [Self.typeError(path, "array", value)] }
            if let maxItems, elements.count > maxItems {
                return ["\(path): minItems/maxItems: got \(elements.count), want at most \(maxItems)"]
            }
            return elements.enumerated().flatMap { items.violations($0.element, at: "\(path)[\($0.offset)]") }
        case .map(let values):
            guard let members = value.members else { return [Self.typeError(path, "object", value)] }
            return members.flatMap { values.violations($0.1, at: "\(path).\($0.0)") }
        case .object(let properties, let required, let closed, let minProperties):
            guard let members = value.members else { return [Self.typeError(path, "object", value)] }
            var problems: [String] = []
            let missing = required.filter { name in !members.contains { $0.0 == name } }
            if !missing.isEmpty {
                problems.append("\(path): missing properties \(missing.map { "'\($0)'" }.joined(separator: ", "))")
            }
            if members.count < minProperties {
                problems.append("\(path): minProperties: got \(members.count), want \(minProperties)")
            }
            let unknown = members.map(\.0).filter { properties[$0] == nil }
            if closed, !unknown.isEmpty {
                problems.append("\(path): additional properties \(unknown.map { "'\($0)'" }.joined(separator: ", ")) not allowed")
            }
            for (name, member) in members {
                if let schema = properties[name] { problems += schema.violations(member, at: "\(path).\(name)") }
            }
            return problems
        }
    }

    private static func typeError(_ path: String, _ expected: String, _ value: JSONNode) -> String {
        let actual: String
        switch value {
        case .null: actual = "null"
        case .bool: actual = "boolean"
        case .int: actual = "integer"
        case .double: actual = "number"
        case .string: actual = "string"
        case .array: actual = "array"
        case .object: actual = "object"
        }
        return "\(path): got \(actual), want \(expected)"
    }

    // MARK: RunPod's request schemas

    /// `BaseContainerConfig` + `ContainerConfig`'s `registry`: shared by create and update.
    private static let containerConfig: [String: BodySchema] = [
        "args": .string(),
        "disk": .integer(minimum: 1),
        "env": .map(.string()),
        "image": .string(),
        "ports": .array(.string()),
        "registry": .nullable(.string()),
    ]

    static let cudaVersion = #"^\d+\.\d+$"#

    static let mounts: BodySchema = .object([
        "persistent": .object(["size": .integer(minimum: 10), "path": .string()], required: ["size", "path"]),
        "network": .array(.object(["volumeId": .string(), "path": .string()], required: ["volumeId", "path"]), maxItems: 1),
    ])

    static let cloud: BodySchema = .string(oneOf: ["SECURE", "COMMUNITY"])

    /// `CreatePodRequest` (`image` required unless `templateId` is checked by the handler).
    static let createPod: BodySchema = .object(
        containerConfig.merging([
            "name": .string(minLength: 1),
            "cloud": cloud,
            "cpu": .object(["id": .string(minLength: 1), "vcpuCount": .integer(minimum: 2)], required: ["id", "vcpuCount"]),
            "dataCenterIds": .array(.string()),
            "globalNetworking": .boolean,
            "gpu": .object(
                [
                    "id": .string(), "count": .integer(minimum: 1),
                    "allowedCudaVersions": .array(.string(pattern: cudaVersion)),
                    "minCudaVersion": .string(pattern: cudaVersion),
                ], required: ["id"]),
            "mounts": mounts,
            "startJupyter": .boolean,
            "startSsh": .boolean,
            "templateId": .string(minLength: 1),
        ]) { $1 },
        required: ["name"])

    /// `UpdatePodRequest`.
    static let updatePod: BodySchema = .object(
        containerConfig.merging([
            "globalNetworking": .boolean, "locked": .boolean, "mounts": mounts, "name": .string(minLength: 1),
            "templateId": .string(),
        ]) { $1 })

    /// `PodActionRequest`.
    static let podAction: BodySchema = .object(
        ["action": .string(oneOf: ["start", "stop", "restart", "terminate"])], required: ["action"])

    /// `UpdateSshKeysRequest`.
    static let sshKeys: BodySchema = .object(
        ["keys": .array(.string(pattern: #"^(ssh|ecdsa|sk)-[^\s]+ [^\s]+([ \t][^\n\r]*)?$"#))], required: ["keys"])

    /// `CreateNetworkVolumeRequest`.
    static let createNetworkVolume: BodySchema = .object(
        [
            "dataCenter": .string(minLength: 1), "name": .string(minLength: 1),
            "size": .integer(minimum: 10, maximum: 4096), "type": .string(oneOf: ["STANDARD", "HIGH_PERFORMANCE"]),
        ], required: ["name", "size", "dataCenter"])

    /// `UpdateNetworkVolumeRequest`.
    static let updateNetworkVolume: BodySchema = .object(
        ["name": .string(minLength: 1), "size": .integer(minimum: 10, maximum: 4096)], minProperties: 1)
}
