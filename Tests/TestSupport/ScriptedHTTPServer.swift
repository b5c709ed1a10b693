import FlyingFox
import Foundation

/// A real HTTP server on 127.0.0.1 that answers from a script, for testing the HTTP client
/// against actual sockets. Each request takes the next reply; the last one repeats.
public final class ScriptedHTTPServer: @unchecked Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        /// Seconds to wait before answering.
        public var delay: Double

        public init(status: Int, headers: [String: String] = [:], body: String = "", delay: Double = 0) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }
    }

    public struct Received: Sendable {
        public let time: Date
        public let method: String
        public let path: String
        public let headers: [String: String]
        public let body: String
    }

    private let lock = NSLock()
    private var replies: [Reply]
    private var _received: [Received] = []
    private let server: HTTPServer
    private var task: Task<Void, any Error>?
    public private(set) var port: UInt16 = 0

    public var url: String { "http://127.0.0.1:\(port)" }

    public var received: [Received] {
        lock.lock()
        defer { lock.unlock() }
        return _received
    }

    public init(replies: [Reply]) throws {
        precondition(!replies.isEmpty)
        self.replies = replies
        server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        let server = self.server
        let started = DispatchSemaphore(value: 0)
        let box = ResultBox()
        Task.detached { [self] in
            await server.appendRoute("*") { request in try await self.answer(request) }
            self.task = Task { try await server.run() }
            do {
                try await server.waitUntilListening(timeout: 10)
                if case .ip4(_, let port) = await server.listeningAddress { box.port = port }
            } catch {
                box.error = error
            }
            started.signal()
        }
        started.wait()
        if let error = box.error { throw error }
        port = box.port
    }

    deinit { stop() }

    public func stop() {
        task?.cancel()
        task = nil
    }

    private func answer(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = String(decoding: try await request.bodyData, as: UTF8.self)
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
        let reply: Reply = lock.withLock {
            _received.append(Received(time: Date(), method: request.method.rawValue, path: request.path, headers: headers, body: body))
            return replies.count > 1 ? replies.removeFirst() : replies[0]
        }
        if reply.delay > 0 { try await Task.sleep(nanoseconds: UInt64(reply.delay * 1_000_000_000)) }
        var responseHeaders = HTTPHeaders()
        for (name, value) in reply.headers { responseHeaders[HTTPHeader(name)] = value }
        return HTTPResponse(
            statusCode: HTTPStatusCode(reply.status, phrase: "Scripted"), headers: responseHeaders,
            body: Data(reply.body.utf8))
    }

    private final class ResultBox: @unchecked Sendable {
        var port: UInt16 = 0
        var error: (any Error)?
    }
}
