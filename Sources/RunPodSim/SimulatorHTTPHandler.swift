import AutopodSupport
import Foundation
import FlyingFox

/// Routes HTTP requests: `/graphql` (authenticated, with armed faults applied), REST v2 under
/// `/v2/`, and the control API under `/_sim/`.
struct SimulatorHTTPHandler: HTTPHandler {
    let cloud: SimCloud
    let graphQL: RunPodGraphQL
    let rest: RESTAPI
    let control: ControlAPI

    static let internalError = "Something went wrong. Please try again later or contact support."

    func handleRequest(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        let body = try await request.bodyData
        if request.path.hasPrefix("/_sim/") || request.path == "/_sim" {
            let (status, data) = await control.handle(method: request.method.rawValue, path: request.path, body: body)
            return Self.json(status, data)
        }
        if request.path.hasPrefix("/v2/") || request.path == "/v2" {
            return await rest.handle(request, body: body)
        }
        guard request.path == "/graphql" || request.path == "/graphql/" else {
            return Self.json(404, Data("{\"errors\":[{\"message\":\"Not found: use POST /graphql\"}]}".utf8))
        }
        guard let scope = cloud.authenticate(Self.apiKey(of: request)) else {
            let reply = RunPodGraphQL.errorReply(status: 401, message: "Unauthorized request, please check your API key.")
            return Self.json(reply.status, reply.body)
        }
        guard request.method == .POST else {
            return Self.json(405, Data("{\"errors\":[{\"message\":\"Use POST for /graphql\"}]}".utf8))
        }
        let fault = cloud.takeFault(.graphQL(query: String(decoding: body, as: UTF8.self)))
        if let fault, fault.delayMs > 0 {
            try? await Task.sleep(nanoseconds: UInt64(fault.delayMs) * 1_000_000)
        }
        if let fault, let status = fault.status, !fault.afterCommit {
            let reply = RunPodGraphQL.errorReply(status: status, message: fault.message ?? Self.internalError, code: "INTERNAL_SERVER_ERROR")
            return Self.json(reply.status, reply.body, retryAfter: fault.retryAfterSeconds)
        }
        let reply = await graphQL.execute(body: body, scope: scope)
        if let fault, let status = fault.status, fault.afterCommit {
            let failed = RunPodGraphQL.errorReply(status: status, message: Self.internalError, code: "INTERNAL_SERVER_ERROR")
            return Self.json(failed.status, failed.body, retryAfter: fault.retryAfterSeconds)
        }
        return Self.json(reply.status, reply.body)
    }

    /// `Authorization: Bearer KEY` (as both official clients send) or `?api_key=KEY` (docs).
    private static func apiKey(of request: FlyingFox.HTTPRequest) -> String? {
        if let header = request.headers[HTTPHeader("Authorization")] {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased().hasPrefix("bearer ") {
                return String(trimmed.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            }
            return trimmed
        }
        return request.query.first { $0.name == "api_key" }?.value
    }

    private static func json(_ status: Int, _ body: Data, retryAfter: Int? = nil) -> FlyingFox.HTTPResponse {
        var headers: HTTPHeaders = [HTTPHeader("Content-Type"): "application/json"]
        if let retryAfter { headers[HTTPHeader("Retry-After")] = String(retryAfter) }
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: Self.phrase(status)), headers: headers, body: body)
    }

    private static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "Status \(status)"
        }
    }
}
