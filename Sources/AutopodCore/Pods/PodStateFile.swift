import AutopodSupport
import FoundationEssentials

/// What `pods.json` may hold beyond what this autopod knows: a version number from a newer
/// autopod (the file is then read but never written), and fields a newer autopod added (kept
/// on every write, so running an older autopod in between loses nothing).
enum PodStateFile {
    /// The `version` this autopod writes and fully understands.
    static let currentVersion = 1

    static let topFields: Set<String> = ["version", "pods", "pending"]
    static let podFields: Set<String> = [
        "id", "name", "gpuTypeId", "gpuDisplayName", "gpuCount", "cloudType", "pricePerHour", "createdAt", "intervals", "endpoint",
        "createdByAutopod", "terminatedAt", "imageName", "lastStatus", "hostKeyPinnedRun", "storage", "hostKeyCheckedStart",
        "hostKeyCheckedAt", "guardSettings", "guardStop", "spotBid", "networkVolumeId",
    ]
    static let pendingFields: Set<String> = ["name", "startedAt", "cloudType", "pid"]

    /// `encoded` (this autopod's document) with the fields of `original` it does not know put
    /// back: at the top level, in each pod (matched by id) and each pending create (by name).
    /// Nil when `original` has no such fields, so the usual write stays byte for byte the same.
    static func keepingUnknownFields(of original: Data, in encoded: Data) -> Data? {
        guard case .object(let old)? = try? JSONValue.parse(original), hasUnknown(old),
            case .object(var new)? = try? JSONValue.parse(encoded)
        else { return nil }
        for (key, value) in old where !topFields.contains(key) { new[key] = value }
        new["pods"] = merge(old["pods"], into: new["pods"], matchedBy: "id", known: podFields)
        new["pending"] = merge(old["pending"], into: new["pending"], matchedBy: "name", known: pendingFields)
        var data = Data(JSONValue.object(new).serialized(pretty: true).utf8)
        data.append(0x0A)
        return data
    }

    private static func hasUnknown(_ top: [String: JSONValue]) -> Bool {
        if top.keys.contains(where: { !topFields.contains($0) }) { return true }
        func anyUnknown(_ list: JSONValue?, _ known: Set<String>) -> Bool {
            list?.arrayValue?.contains { item in
                if case .object(let fields) = item { return fields.keys.contains { !known.contains($0) } }
                return false
            } ?? false
        }
        return anyUnknown(top["pods"], podFields) || anyUnknown(top["pending"], pendingFields)
    }

    private static func merge(_ old: JSONValue?, into new: JSONValue?, matchedBy key: String, known: Set<String>) -> JSONValue? {
        guard let oldItems = old?.arrayValue, let newItems = new?.arrayValue else { return new }
        var extras: [String: [String: JSONValue]] = [:]
        for case .object(let fields) in oldItems {
            guard let id = fields[key]?.stringValue else { continue }
            let unknown = fields.filter { !known.contains($0.key) }
            if !unknown.isEmpty { extras[id] = unknown }
        }
        return .array(
            newItems.map { item in
                guard case .object(var fields) = item, let id = fields[key]?.stringValue, let unknown = extras[id] else { return item }
                for (name, value) in unknown where fields[name] == nil { fields[name] = value }
                return .object(fields)
            })
    }
}
