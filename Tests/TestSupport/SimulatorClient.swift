import AutopodCore
import Foundation

/// Talks to a runpod-sim (in-process or a subprocess) over real HTTP with autopod's libcurl
/// client: GraphQL calls as RunPod's clients make them, and the `/_sim/` control API.
public final class SimulatorClient: @unchecked Sendable {
    public let baseURL: String
    public let apiKey: String
    private let http = HTTPClient(transport: CurlHTTPClient())

    /// A reply with its JSON body parsed (nil when the body is not JSON).
    public struct Reply: @unchecked Sendable {
        public let status: Int
        public let json: [String: Any]?
        public let body: Data
        /// `data.<field>` of a GraphQL reply.
        public func data(_ field: String) -> Any? { (json?["data"] as? [String: Any])?[field] }
        public var errors: [[String: Any]] { json?["errors"] as? [[String: Any]] ?? [] }
        public var firstErrorMessage: String? { errors.first?["message"] as? String }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public init(baseURL: String, apiKey: String) {
        self.baseURL = baseURL
        self.apiKey = apiKey
    }

    /// POST /graphql with `Authorization: Bearer` (or `?api_key=` when `keyInQuery`).
    public func graphQL(
        _ query: String, variables: [String: Any]? = nil, operationName: String? = nil, apiKey: String? = nil,
        keyInQuery: Bool = false, timeout: Double = 30
    ) throws -> Reply {
        var payload: [String: Any] = ["query": query]
        if let variables { payload["variables"] = variables }
        if let operationName { payload["operationName"] = operationName }
        let key = apiKey ?? self.apiKey
        var headers = ["Content-Type": "application/json"]
        var url = baseURL + "/graphql"
        if keyInQuery {
            url += "?api_key=" + (key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key)
        } else if !key.isEmpty {
            headers["Authorization"] = "Bearer \(key)"
        }
        return try send(
            "POST", url: url, headers: headers, body: JSONSerialization.data(withJSONObject: payload), timeout: timeout)
    }

    /// A control API call, e.g. `control("POST", "/_sim/stock", ["gpuTypeId": ..., ...])`.
    @discardableResult
    public func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Reply {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        return try send(method, url: baseURL + path, headers: ["Content-Type": "application/json"], body: data, timeout: 60)
    }

    /// A REST v2 call with `Authorization: Bearer`, e.g. `rest("GET", "/v2/billing/pods?bucketSize=day")`.
    public func rest(_ method: String, _ path: String) throws -> Reply {
        try send(method, url: baseURL + path, headers: ["Authorization": "Bearer \(apiKey)"], body: Data(), timeout: 60)
    }

    /// A REST v2 call with a JSON body, e.g. `restJSON("POST", "/v2/network-volumes", [...])`.
    @discardableResult
    public func restJSON(_ method: String, _ path: String, _ body: [String: Any]?) throws -> Reply {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        var headers = ["Authorization": "Bearer \(apiKey)"]
        if body != nil { headers["Content-Type"] = "application/json" }
        return try send(method, url: baseURL + path, headers: headers, body: data, timeout: 60)
    }

    /// `GET /_sim/pods`: every pod ever created, terminated ones included.
    public func simPods() throws -> [[String: Any]] {
        try control("GET", "/_sim/pods").json?["pods"] as? [[String: Any]] ?? []
    }

    /// `GET /_sim/pods/ID`: internal details (podAddress, sshdPid, publicSshPort, hostPublicKey,
    /// hostKeyFingerprint, apiKey, httpPorts, namespace, directory, booted).
    public func simPod(_ id: String) throws -> [String: Any] {
        try control("GET", "/_sim/pods/\(id)").json ?? [:]
    }

    /// `POST /_sim/pods/ID/gpu`: every GPU of the pod (or GPU `index`) reports this utilisation
    /// in REST's `runtime.gpus`, GraphQL's `runtime.gpus` and the pod's `nvidia-smi`.
    public func setGPUUtilisation(_ id: String, util: Int, memoryUtil: Int, index: Int? = nil) throws {
        var body: [String: Any] = ["util": util, "memoryUtil": memoryUtil]
        if let index { body["index"] = index }
        let reply = try control("POST", "/_sim/pods/\(id)/gpu", body)
        guard reply.status == 200 else { throw FixtureError("set GPU utilisation: HTTP \(reply.status) \(reply.text)") }
    }

    /// `POST /_sim/pods/ID/log`: lines the pod "printed" (`source` "container" or "system").
    public func writePodLog(_ id: String, _ lines: [String], source: String = "container") throws {
        let reply = try control("POST", "/_sim/pods/\(id)/log", ["lines": lines, "source": source])
        guard reply.status == 200 else { throw FixtureError("write pod log: HTTP \(reply.status) \(reply.text)") }
    }

    /// `POST /_sim/pods/ID/log-streams {"action": "cut"}`: drops every open log stream of the
    /// pod mid-reply; returns how many there were.
    @discardableResult
    public func cutLogStreams(_ id: String) throws -> Int {
        try control("POST", "/_sim/pods/\(id)/log-streams", ["action": "cut"]).json?["cut"] as? Int ?? 0
    }

    /// How many log streams the pod ever had opened (`GET /_sim/pods/ID/log-streams`), to wait
    /// until a client's stream is registered before writing the line it must see.
    public func logStreamsOpened(_ id: String) throws -> Int {
        try control("GET", "/_sim/pods/\(id)/log-streams").json?["opened"] as? Int ?? 0
    }

    /// Creates a pod with inline literals and returns its id (fails the caller on an error).
    public func createPod(
        gpuTypeId: String = "NVIDIA A40", gpuCount: Int = 1, cloudType: String = "SECURE", name: String = "sim-pod",
        ports: String = "8888/http,22/tcp", startSsh: Bool = true
    ) throws -> String {
        let reply = try graphQL(
            """
            mutation { podFindAndDeployOnDemand(input: {cloudType: \(cloudType), gpuTypeId: "\(gpuTypeId)", \
            gpuCount: \(gpuCount), name: "\(name)", imageName: "runpod/pytorch:2.4.0", ports: "\(ports)", \
            startSsh: \(startSsh), containerDiskInGb: 20, volumeInGb: 0}) { id } }
            """)
        guard let id = (reply.data("podFindAndDeployOnDemand") as? [String: Any])?["id"] as? String else {
            throw FixtureError("create failed: HTTP \(reply.status) \(reply.text)")
        }
        return id
    }

    /// Waits until the pod's runtime lists a public port 22 and returns that port.
    public func waitForSSHPort(_ id: String, timeout: Double = 60) throws -> Int {
        var port: Int?
        try Self.waitUntil(timeout: timeout) {
            let reply = try graphQL("query { pod(input: {podId: \"\(id)\"}) { runtime { ports { isIpPublic privatePort publicPort } } } }")
            let runtime = (reply.data("pod") as? [String: Any])?["runtime"] as? [String: Any]
            let ports = runtime?["ports"] as? [[String: Any]] ?? []
            port = ports.first { ($0["privatePort"] as? Int) == 22 && ($0["isIpPublic"] as? Bool) == true }?["publicPort"] as? Int
            return port != nil
        }
        guard let port else { throw FixtureError("pod \(id) never reported a public SSH port") }
        return port
    }

    private func send(_ method: String, url: String, headers: [String: String], body: Data, timeout: Double) throws -> Reply {
        let response = try http.send(
            HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: .seconds(timeout)), policy: .never)
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        return Reply(status: response.status, json: json, body: response.body)
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held. Tests use
    /// this instead of fixed sleeps so they stay correct on a loaded machine.
    @discardableResult
    public static func waitUntil(timeout: Double = 30, interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: interval)
        }
        return try condition()
    }
}
