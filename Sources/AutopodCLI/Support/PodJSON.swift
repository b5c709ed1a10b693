import AutopodSupport
import AutopodCore
import FoundationEssentials

/// A pod in `--json` output. Keys are stable; nothing secret is included. Built as a
/// `JSONValue` and written by `JSONOutput.encode(json:)`: `list --json` is meant for scripts
/// that call it often, and `JSONEncoder` cost more than the rest of the command's own work.
struct PodJSON: Encodable {
    let json: JSONValue

    /// `endpoint` overrides what the view knows (connect has just checked it answers).
    init(_ view: PodView, endpoint known: PodEndpoint? = nil) {
        let record = view.record
        let endpoint = known ?? (view.status == .running ? (view.remote?.sshEndpoint ?? record.endpoint) : nil)
        var fields: [String: JSONValue] = [
            "id": .string(record.id),
            "name": .string(record.name),
            "status": .string(known != nil ? PodStatus.running.rawValue : view.status.rawValue),
            "gpuTypeId": .string(record.gpuTypeId),
            "gpuDisplayName": .string(record.gpuDisplayName),
            "gpuCount": .number(Double(record.gpuCount)),
            "cloudType": .string(record.cloudType.rawValue),
            "pricePerHour": .number(record.pricePerHour),
            "costSoFar": .number((view.cost * 10000).rounded() / 10000),
            "runningSeconds": .number((view.runningSeconds * 10).rounded() / 10),
            "createdAt": Self.date(record.createdAt),
            "createdByAutopod": .bool(record.createdByAutopod),
            "intervals": .array(
                record.intervals.map { interval in
                    var fields: [String: JSONValue] = ["start": Self.date(interval.start)]
                    if let end = interval.end { fields["end"] = Self.date(end) }
                    return .object(fields)
                }),
        ]
        fields.merge(Self.costFields(view)) { $1 }
        // Absent rather than null, as before.
        if let terminatedAt = record.terminatedAt { fields["terminatedAt"] = Self.date(terminatedAt) }
        if let image = record.imageName { fields["image"] = .string(image) }
        // What `info` shows as "ports": RunPod's `8888/http,22/tcp`, when it said.
        if let ports = view.remote?.ports { fields["ports"] = .string(ports) }
        // RunPod's HTTPS proxy of each `http` port, as `info` shows them: `{"8888": "https://…"}`.
        let httpPorts = RunPodProxyURL.httpPorts(view.remote?.ports)
        if !httpPorts.isEmpty {
            fields["proxyURLs"] = .object(
                Dictionary(uniqueKeysWithValues: httpPorts.map { (String($0), .string(RunPodProxyURL.url(podID: record.id, port: $0))) }))
        }
        if let reason = record.guardStop, view.guardNote != nil { fields["stoppedByGuard"] = .string(reason) }
        if let bid = record.spotBid { fields["spotBid"] = .number(bid) }
        if let volume = record.networkVolumeId { fields["networkVolumeId"] = .string(volume) }
        if let endpoint {
            fields["sshHost"] = .string(endpoint.host)
            fields["sshPort"] = .number(Double(endpoint.port))
        }
        if view.status == .running, let utilization = view.remote?.utilization {
            fields["utilization"] = Self.json(utilization)
        }
        json = .object(fields)
    }

    /// `{"gpus": [{"util", "memoryUtil"}], "cpu", "memory"}` in percent; a figure the cloud
    /// left out is absent.
    static func json(_ utilization: PodUtilization) -> JSONValue {
        func number(_ value: Int?) -> JSONValue? { value.map { .number(Double($0)) } }
        var fields: [String: JSONValue] = [
            "gpus": .array(
                utilization.gpus.map { gpu in
                    .object(["util": number(gpu.util), "memoryUtil": number(gpu.memoryUtil)].compactMapValues { $0 })
                })
        ]
        if let cpu = number(utilization.cpu) { fields["cpu"] = cpu }
        if let memory = number(utilization.memory) { fields["memory"] = memory }
        return .object(fields)
    }

    /// For outputs that wrap a pod in an `Encodable` (stop, start, kill).
    func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// ISO 8601 to the second, as `JSONEncoder`'s `.iso8601` wrote it.
    private static func date(_ date: Date) -> JSONValue { .string(ISO8601Timestamp.format(date, milliseconds: false)) }
}
