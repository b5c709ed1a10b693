import FlyingFox
import Foundation

/// RunPod's REST API v2 (`/v2/...`) over the same pods, keys and stock as the GraphQL API, as
/// RunPod's OpenAPI document (runpod/docs `api-reference-v2/openapi.json`) describes it:
/// bearer auth, `application/problem+json` errors, request bodies checked against the
/// document's schemas (unknown properties included), `RateLimit` headers on every
/// authenticated reply, and the control API's faults (429 with `Retry-After`).
struct RESTAPI: Sendable {
    let cloud: SimCloud

    /// A handled request before it becomes an HTTP reply.
    enum Reply: Sendable {
        case json(Int, JSONNode)
        case noContent
        case events(LogEventStream)
    }

    /// The request as the operations read it.
    struct Call: Sendable {
        let method: String
        let path: String
        let params: [String]
        let query: [(String, String)]
        let body: Data
        let lastEventID: String?
        let scope: AuthScope

        /// A query parameter, or nil; a form-style list (`a,b`) and repeats both arrive here joined.
        func query(_ name: String) -> String? {
            let values = query.filter { $0.0 == name }.map(\.1)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }

        func list(_ name: String) -> [String]? {
            query(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
    }

    func handle(_ request: FlyingFox.HTTPRequest, body: Data) async -> FlyingFox.HTTPResponse {
        let method = request.method.rawValue
        let segments = request.path.split(separator: "/").map(String.init).dropFirst()  // after "v2"
        guard let key = Self.bearerToken(request) else {
            return Self.problem(RESTProblem(status: 401, detail: "missing bearer token"), rateLimit: nil)
        }
        guard let scope = cloud.authenticate(key) else {
            return Self.problem(RESTProblem(status: 401, detail: "invalid bearer token"), rateLimit: nil)
        }
        let route: RESTRoute
        switch RESTRoute.match(method: method, segments: Array(segments)) {
        case .success(let found): route = found
        case .failure(let problem): return Self.problem(problem, rateLimit: cloud.rateLimit.record())
        }
        let fault = cloud.takeFault(.rest(method: method, path: request.path, operation: route.operation))
        if let fault, fault.delayMs > 0 {
            try? await Task.sleep(nanoseconds: UInt64(fault.delayMs) * 1_000_000)
        }
        let rateLimit = cloud.rateLimit.record(exhausted: fault?.status == 429 ? fault?.retryAfterSeconds : nil)
        if let fault, let status = fault.status, !fault.afterCommit {
            return Self.problem(Self.faultProblem(fault, status: status), rateLimit: rateLimit)
        }
        let call = Call(
            method: method, path: request.path, params: route.params, query: request.query.map { ($0.name, $0.value) },
            body: body, lastEventID: request.headers[HTTPHeader("Last-Event-ID")], scope: scope)
        let reply: Reply
        do {
            reply = try await perform(route.operation, call)
        } catch {
            return Self.problem(error, rateLimit: rateLimit)
        }
        if let fault, let status = fault.status, fault.afterCommit {
            return Self.problem(Self.faultProblem(fault, status: status), rateLimit: rateLimit)
        }
        return Self.response(reply, rateLimit: rateLimit)
    }

    private func perform(_ operation: String, _ call: Call) async throws(RESTProblem) -> Reply {
        switch operation {
        case "listGpuTypes": return try listGpuTypes(call)
        case "getGpuType": return try getGpuType(call)
        case "listDataCenters": return try listDataCenters(call)
        case "getDataCenter": return try getDataCenter(call)
        case "listPods": return .json(200, .object(["pods": .array(cloud.restPods(scope: call.scope))]))
        case "createPod": return try await createPod(call)
        case "getPod": return .json(200, try cloud.restPod(call.params[0], scope: call.scope))
        case "updatePod": return try updatePod(call)
        case "deletePod": return try await deletePod(call)
        case "podAction": return try await podAction(call)
        case "getPodLogs": return try podLogs(call)
        case "getSshKeys": return .json(200, .object(["keys": .strings(cloud.accountKeys())]))
        case "updateSshKeys": return try updateSshKeys(call)
        case "listNetworkVolumes":
            return .json(200, .object(["networkVolumes": .array(cloud.networkVolumes().map(\.restValue))]))
        case "createNetworkVolume": return try createNetworkVolume(call)
        case "getNetworkVolume": return .json(200, try cloud.networkVolume(call.params[0]).restValue)
        case "updateNetworkVolume": return try updateNetworkVolume(call)
        case "deleteNetworkVolume":
            try cloud.deleteNetworkVolume(call.params[0], scope: call.scope)
            return .noContent
        case "listPodBilling": return try listPodBilling(call)
        default: throw RESTProblem(status: 501, detail: "runpod-sim does not simulate \(operation)")
        }
    }

    // MARK: Bodies

    /// The request body checked against `schema`: 400 when it is not JSON, 422 listing every
    /// violation (unknown properties included) when it breaks the contract.
    static func body(_ call: Call, _ schema: BodySchema) throws(RESTProblem) -> JSONNode {
        guard !call.body.isEmpty else { throw .badRequest("request body is required") }
        guard let body = JSONNode.parse(call.body) else { throw .badRequest("request body is not valid JSON") }
        let problems = schema.violations(body)
        guard problems.isEmpty else { throw .invalid(problems) }
        return body
    }

    /// Runs blocking work (process teardown, sshd start) off Swift's cooperative threads.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws(RESTProblem) -> T) async throws(RESTProblem) -> T {
        let result: Result<T, RESTProblem> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(RESTProblem) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    // MARK: Replies

    static func response(_ reply: Reply, rateLimit: String) -> FlyingFox.HTTPResponse {
        var headers = rateLimitHeaders(rateLimit)
        switch reply {
        case .json(let status, let node):
            headers[HTTPHeader("Content-Type")] = "application/json"
            return FlyingFox.HTTPResponse(statusCode: statusCode(status), headers: headers, body: node.data)
        case .noContent:
            return FlyingFox.HTTPResponse(statusCode: statusCode(204), headers: headers, body: Data())
        case .events(let stream):
            headers[HTTPHeader("Content-Type")] = "text/event-stream"
            headers[HTTPHeader("Cache-Control")] = "no-cache"
            headers[HTTPHeader("Connection")] = "keep-alive"
            headers[HTTPHeader("X-Accel-Buffering")] = "no"
            return FlyingFox.HTTPResponse(statusCode: statusCode(200), headers: headers, body: HTTPBodySequence(from: stream))
        }
    }

    /// A problem reply; 401s carry no rate-limit headers (RunPod counts authenticated calls).
    static func problem(_ problem: RESTProblem, rateLimit: String?) -> FlyingFox.HTTPResponse {
        var headers = rateLimit.map(rateLimitHeaders) ?? HTTPHeaders()
        headers[HTTPHeader("Content-Type")] = "application/problem+json"
        for (name, value) in problem.headers { headers[HTTPHeader(name)] = value }
        return FlyingFox.HTTPResponse(statusCode: statusCode(problem.status), headers: headers, body: problem.body.data)
    }

    private static func faultProblem(_ fault: FaultRule, status: Int) -> RESTProblem {
        var headers: [(String, String)] = []
        if let seconds = fault.retryAfterSeconds { headers.append(("Retry-After", String(seconds))) }
        let detail =
            fault.message
            ?? (status == 429 ? "rate limit exceeded for the minute window" : SimulatorHTTPHandler.internalError)
        return RESTProblem(status: status, detail: detail, headers: headers)
    }

    private static func rateLimitHeaders(_ value: String) -> HTTPHeaders {
        [HTTPHeader("RateLimit"): value, HTTPHeader("RateLimit-Policy"): RateLimitWindows.policyHeader]
    }

    static func statusCode(_ status: Int) -> HTTPStatusCode {
        HTTPStatusCode(status, phrase: status == 200 ? "OK" : status == 201 ? "Created" : status == 204 ? "No Content" : RESTProblem.title(status))
    }

    /// `Authorization: Bearer KEY`, the only way REST v2 takes a key.
    private static func bearerToken(_ request: FlyingFox.HTTPRequest) -> String? {
        guard let header = request.headers[HTTPHeader("Authorization")] else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bearer ") else { return nil }
        let token = trimmed.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
