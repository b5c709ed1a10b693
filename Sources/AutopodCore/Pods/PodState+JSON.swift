import AutopodSupport
import FoundationEssentials

// Reading `pods.json` from a parsed `JSONValue`. Writing is the types' `Encodable` conformance
// (`PodStateStore.encode`); the field names here must match its coding keys, which the store's
// round-trip tests check field by field.

extension PodState {
    init(json: JSONObjectReader) throws(JSONShapeError) {
        self.init(
            version: try json.int("version"),
            pods: try json.objects("pods", PodRecord.init(json:)),
            pending: try json.objects("pending", PendingCreate.init(json:)))
    }
}

extension PodRecord {
    init(json: JSONObjectReader) throws(JSONShapeError) {
        self.init(
            id: try json.string("id"), name: try json.string("name"), gpuTypeId: try json.string("gpuTypeId"),
            gpuDisplayName: try json.string("gpuDisplayName"), gpuCount: try json.int("gpuCount"),
            cloudType: try json.required("cloudType", "SECURE, COMMUNITY or ALL", CloudType.init(json:)),
            pricePerHour: try json.double("pricePerHour"),
            createdAt: try json.required("createdAt", Self.dateKind, Date.init(json:)),
            intervals: try json.objects("intervals", RunningInterval.init(json:)),
            endpoint: try json.optionalObject("endpoint", PodEndpoint.init(json:)),
            createdByAutopod: try json.bool("createdByAutopod"),
            terminatedAt: try json.optional("terminatedAt", Self.dateKind, Date.init(json:)),
            imageName: try json.optionalString("imageName"), lastStatus: try json.optionalString("lastStatus"))
        hostKeyPinnedRun = try json.optionalInt("hostKeyPinnedRun")
        storage = try json.optionalObject("storage", PodStorage.init(json:)) ?? .none
        hostKeyCheckedStart = try json.optional("hostKeyCheckedStart", Self.dateKind, Date.init(json:))
        hostKeyCheckedAt = try json.optional("hostKeyCheckedAt", Self.dateKind, Date.init(json:))
        guardSettings = try json.optionalObject("guardSettings", GuardSettings.init(json:))
        guardStop = try json.optionalString("guardStop")
        spotBid = try json.optionalDouble("spotBid")
        networkVolumeId = try json.optionalString("networkVolumeId")
    }

    static let dateKind = "an ISO 8601 date such as 2027-01-01T12:00:00.000Z"
}

extension GuardSettings {
    init(json: JSONObjectReader) throws(JSONShapeError) {
        self.init(
            idleLimit: .seconds(try json.int("idleSeconds")), maxRuntime: .seconds(try json.int("maxRuntimeSeconds")),
            budget: try json.double("budget"),
            action: try json.required("action", "stop or terminate", { $0.stringValue.flatMap(GuardAction.init(rawValue:)) }))
    }
}

extension RunningInterval {
    init(json: JSONObjectReader) throws(JSONShapeError) {
        self.init(
            start: try json.required("start", PodRecord.dateKind, Date.init(json:)),
            end: try json.optional("end", PodRecord.dateKind, Date.init(json:)))
    }
}

extension PendingCreate {
    init(json: JSONObjectReader) throws(JSONShapeError) {
        self.init(
            name: try json.string("name"), startedAt: try json.required("startedAt", PodRecord.dateKind, Date.init(json:)),
            cloudType: try json.required("cloudType", "SECURE, COMMUNITY or ALL", CloudType.init(json:)),
            pid: try json.optionalInt("pid").map { Int32(truncatingIfNeeded: $0) })
    }
}

extension PodStorage {
    init(json: JSONObjectReader) throws(JSONShapeError) {
        self.init(
            containerDiskGB: try json.optionalInt("containerDiskGB") ?? 0, volumeGB: try json.optionalInt("volumeGB") ?? 0,
            networkVolumeGB: try json.optionalInt("networkVolumeGB") ?? 0)
    }
}

extension PodEndpoint {
    init(json: JSONObjectReader) throws(JSONShapeError) {
        self.init(host: try json.string("host"), port: try json.int("port"))
    }
}

extension CloudType {
    fileprivate init?(json: JSONValue) {
        guard let text = json.stringValue else { return nil }
        self.init(rawValue: text)
    }
}

extension Date {
    /// The forms autopod writes, read by hand; others (a hand-edited file) by the format styles.
    fileprivate init?(json: JSONValue) {
        guard let text = json.stringValue else { return nil }
        guard
            let date = ISO8601Timestamp.parse(text)
                ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
                ?? (try? Date.ISO8601FormatStyle().parse(text))
        else { return nil }
        self = date
    }
}
