import Foundation

/// Which operation of RunPod's OpenAPI document a `/v2/...` request is (named by the document's
/// `operationId`, which fault rules can target), with its path parameters.
struct RESTRoute: Sendable {
    let operation: String
    let params: [String]

    /// Path patterns ("*" is a parameter) and their operations by method.
    private static let table: [([String], [String: String])] = [
        (["catalog", "gpus"], ["GET": "listGpuTypes"]),
        (["catalog", "gpus", "*"], ["GET": "getGpuType"]),
        (["catalog", "datacenters"], ["GET": "listDataCenters"]),
        (["catalog", "datacenters", "*"], ["GET": "getDataCenter"]),
        (["pods"], ["GET": "listPods", "POST": "createPod"]),
        (["pods", "*"], ["GET": "getPod", "PATCH": "updatePod", "DELETE": "deletePod"]),
        (["pods", "*", "action"], ["POST": "podAction"]),
        (["pods", "*", "logs"], ["GET": "getPodLogs"]),
        (["account", "ssh-keys"], ["GET": "getSshKeys", "PUT": "updateSshKeys"]),
        (["network-volumes"], ["GET": "listNetworkVolumes", "POST": "createNetworkVolume"]),
        (["network-volumes", "*"], ["GET": "getNetworkVolume", "PATCH": "updateNetworkVolume", "DELETE": "deleteNetworkVolume"]),
        (["billing", "pods"], ["GET": "listPodBilling"]),
    ]

    /// Resources RunPod serves that the simulator does not: a clear 501, not a puzzling 404.
    private static let unsimulated: [[String]] = [
        ["clusters"], ["serverless"], ["templates"], ["registries"], ["catalog", "cpus"], ["catalog", "templates"],
        ["billing"],
    ]

    static func match(method: String, segments: [String]) -> Result<RESTRoute, RESTProblem> {
        for (pattern, operations) in table where pattern.count == segments.count {
            let fits = zip(pattern, segments).allSatisfy { $0 == "*" || $0 == $1 }
            guard fits else { continue }
            let params = zip(pattern, segments).filter { $0.0 == "*" }.map(\.1)
            guard let operation = operations[method.uppercased()] else {
                let allowed = operations.keys.sorted().joined(separator: ", ")
                return .failure(
                    RESTProblem(
                        status: 405, detail: "The requested method is not allowed for this path.", headers: [("Allow", allowed)]))
            }
            return .success(RESTRoute(operation: operation, params: params))
        }
        if unsimulated.contains(where: { segments.starts(with: $0) }) {
            return .failure(RESTProblem(status: 501, detail: "runpod-sim does not simulate /v2/\(segments.joined(separator: "/"))"))
        }
        return .failure(.notFound("no such resource: \(method) /v2/\(segments.joined(separator: "/"))"))
    }
}
