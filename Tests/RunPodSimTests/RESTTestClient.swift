import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 client over a POSIX socket for REST v2 tests: one request per connection
/// (`Connection: close`), chunked replies decoded, and Server-Sent Events read as they arrive,
/// so a test sees exactly what the simulator wrote and when the connection ended (cleanly with
/// the last chunk, or cut). Independent of autopod's libcurl client on purpose: the tests check
/// the simulator, not a client. Every reply can be recorded for the OpenAPI conformance check.
final class RESTTestClient: @unchecked Sendable {
    let host: String
    let port: UInt16
    let apiKey: String
    /// Receives every reply (and every stream's text when it is closed).
    var recorder: ReplyRecorder?

    struct Reply {
        let method: String
        let path: String
        let status: Int
        /// Header names lowercased.
        let headers: [String: String]
        let body: Data

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        var text: String { String(decoding: body, as: UTF8.self) }
        var detail: String? { json?["detail"] as? String }
        var errors: [String] { json?["errors"] as? [String] ?? [] }
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    init(baseURL: String, apiKey: String) {
        let hostPort = baseURL.replacingOccurrences(of: "http://", with: "").split(separator: ":")
        host = String(hostPort[0])
        port = UInt16(hostPort[1]) ?? 80
        self.apiKey = apiKey
    }

    /// Sends one request; `apiKey` nil sends the client's key, "" sends none.
    @discardableResult
    func send(
        _ method: String, _ path: String, json: Any? = nil, rawBody: Data? = nil, apiKey: String? = nil,
        headers extra: [String: String] = [:], timeout: Double = 60
    ) throws -> Reply {
        let body = try rawBody ?? json.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let connection = try Connection(host: host, port: port, timeout: timeout)
        defer { connection.close() }
        try connection.write(requestHead(method, path, apiKey: apiKey, extra: extra, bodyLength: body.count, hasBody: json != nil || rawBody != nil) + body)
        let (status, headers) = try connection.readHead()
        var data = Data()
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while let chunk = try connection.readChunk() { data.append(chunk) }
        } else if let length = headers["content-length"].flatMap(Int.init) {
            data = try connection.read(exactly: length)
        } else {
            data = connection.readToEnd()
        }
        let reply = Reply(method: method, path: Self.decodedPath(path), status: status, headers: headers, body: data)
        recorder?.record(reply)
        return reply
    }

    func get(_ path: String, apiKey: String? = nil) throws -> Reply { try send("GET", path, apiKey: apiKey) }

    /// Opens `GET path` as an event stream; the caller reads events and closes it.
    func openStream(_ path: String, lastEventID: String? = nil, apiKey: String? = nil, timeout: Double = 30) throws -> EventStream {
        let connection = try Connection(host: host, port: port, timeout: timeout)
        var extra = ["Accept": "text/event-stream"]
        if let lastEventID { extra["Last-Event-ID"] = lastEventID }
        try connection.write(requestHead("GET", path, apiKey: apiKey, extra: extra, bodyLength: 0, hasBody: false))
        let (status, headers) = try connection.readHead()
        return EventStream(
            connection: connection, method: "GET", path: Self.decodedPath(path), status: status, headers: headers,
            recorder: recorder)
    }

    private func requestHead(_ method: String, _ path: String, apiKey: String?, extra: [String: String], bodyLength: Int, hasBody: Bool)
        -> Data
    {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: \(host):\(port)", "Connection: close", "User-Agent: rpsim-rest-test"]
        let key = apiKey ?? self.apiKey
        if !key.isEmpty { lines.append("Authorization: Bearer \(key)") }
        if hasBody {
            lines.append("Content-Type: application/json")
        }
        lines.append("Content-Length: \(bodyLength)")
        for (name, value) in extra { lines.append("\(name): \(value)") }
        return Data((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// The path as the OpenAPI document names it: no query, percent-decoding undone.
    static func decodedPath(_ path: String) -> String {
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        return bare.removingPercentEncoding ?? bare
    }

    /// Percent-encodes one path segment ("NVIDIA A40" → "NVIDIA%20A40").
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    // MARK: Event streams

    /// An open Server-Sent Events reply.
    final class EventStream {
        struct Event {
            let id: String?
            let data: String
            var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] }
            var line: String? { json?["line"] as? String }
            var source: String? { json?["source"] as? String }
        }

        /// How the reply ended, once it has.
        enum End: Equatable {
            case finished  // the terminating chunk arrived
            case cut  // the connection closed mid-reply
        }

        let status: Int
        let headers: [String: String]
        private let connection: Connection
        private let method: String
        private let path: String
        private let recorder: ReplyRecorder?
        private var pending = ""
        private var text = ""
        private(set) var end: End?
        private var closed = false

        fileprivate init(
            connection: Connection, method: String, path: String, status: Int, headers: [String: String], recorder: ReplyRecorder?
        ) {
            self.connection = connection
            self.method = method
            self.path = path
            self.status = status
            self.headers = headers
            self.recorder = recorder
            // An error reply is an ordinary body; read it whole.
            if headers["content-type"]?.hasPrefix("text/event-stream") != true {
                var body = Data()
                if headers["transfer-encoding"]?.lowercased() == "chunked" {
                    while let chunk = try? connection.readChunk() { body.append(chunk) }
                } else if let length = headers["content-length"].flatMap(Int.init) {
                    body = (try? connection.read(exactly: length)) ?? Data()
                }
                text = String(decoding: body, as: UTF8.self)
                end = .finished
            }
        }

        var errorBody: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] }

        /// The next event within `timeout` seconds; nil when the stream ended (see `end`).
        /// Throws `timeout` when nothing came.
        func next(timeout: Double = 10) throws -> Event? {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                if let event = takeEvent() { return event }
                if end != nil { return nil }
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else { throw FixtureError("no event within \(timeout) s on \(path)") }
                guard connection.waitReadable(timeout: remaining) else { continue }
                do {
                    if let chunk = try connection.readChunk() {
                        let piece = String(decoding: chunk, as: UTF8.self)
                        pending += piece
                        text += piece
                    } else {
                        end = .finished
                    }
                } catch {
                    end = .cut
                }
            }
        }

        /// Reads events until `count` arrived (or the stream ends or `timeout` passes).
        func next(_ count: Int, timeout: Double = 10) throws -> [Event] {
            var events: [Event] = []
            while events.count < count, let event = try next(timeout: timeout) { events.append(event) }
            return events
        }

        /// Whether an event (not a keep-alive) arrives within `timeout`.
        func nothingArrives(within timeout: Double) -> Bool {
            (try? next(timeout: timeout)) == nil && end == nil
        }

        private func takeEvent() -> Event? {
            while let range = pending.range(of: "\n\n") {
                let block = String(pending[..<range.lowerBound])
                pending = String(pending[range.upperBound...])
                var id: String?
                var data: [String] = []
                for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasPrefix(":") { continue }
                    if line.hasPrefix("id:") { id = line.dropFirst(3).trimmingCharacters(in: .whitespaces) }
                    if line.hasPrefix("data:") { data.append(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) }
                }
                if !data.isEmpty { return Event(id: id, data: data.joined(separator: "\n")) }
            }
            return nil
        }

        func close() {
            guard !closed else { return }
            closed = true
            connection.close()
            recorder?.record(
                Reply(method: method, path: path, status: status, headers: headers, body: Data(text.utf8)))
        }

        deinit { close() }
    }

    // MARK: Socket

    fileprivate final class Connection {
        private let fd: Int32
        private var buffer = [UInt8]()
        private let timeout: Double

        init(host: String, port: UInt16, timeout: Double) throws {
            self.timeout = timeout
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw FixtureError("socket() failed: errno \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else {
                Glibc.close(fd)
                throw FixtureError("connect to \(host):\(port) failed: errno \(errno)")
            }
        }

        func close() { Glibc.close(fd) }

        func write(_ data: Data) throws {
            var offset = 0
            let bytes = [UInt8](data)
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw FixtureError("send failed: errno \(errno)") }
                offset += n
            }
        }

        func waitReadable(timeout: Double) -> Bool {
            if !buffer.isEmpty { return true }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            return poll(&descriptor, 1, Int32(max(1, min(timeout, 3600) * 1000))) > 0
        }

        /// Reads more bytes into the buffer; false at end of stream.
        private func fill() throws -> Bool {
            guard waitReadable(timeout: timeout) else { throw FixtureError("no reply within \(timeout) s") }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            buffer += chunk[0..<n]
            return true
        }

        private func line() throws -> String {
            while true {
                if let index = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[..<index]
                    buffer.removeSubrange(...index)
                    return String(decoding: line, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
                }
                guard try fill() else { throw FixtureError("connection closed inside a line") }
            }
        }

        func readHead() throws -> (Int, [String: String]) {
            let status = try line()
            let parts = status.split(separator: " ")
            guard parts.count >= 2, let code = Int(parts[1]) else { throw FixtureError("bad status line '\(status)'") }
            var headers: [String: String] = [:]
            while true {
                let header = try line()
                if header.isEmpty { break }
                guard let colon = header.firstIndex(of: ":") else { continue }
                headers[header[..<colon].lowercased()] = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return (code, headers)
        }

        func read(exactly count: Int) throws -> Data {
            while buffer.count < count {
                guard try fill() else { throw FixtureError("connection closed after \(buffer.count) of \(count) bytes") }
            }
            let data = Data(buffer[0..<count])
            buffer.removeSubrange(0..<count)
            return data
        }

        func readToEnd() -> Data {
            while (try? fill()) == true {}
            defer { buffer = [] }
            return Data(buffer)
        }

        /// One chunk of a chunked body; nil after the terminating chunk. Throws when the
        /// connection ends mid-body (a cut).
        func readChunk() throws -> Data? {
            let sizeLine = try line()
            guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                throw FixtureError("bad chunk size '\(sizeLine)'")
            }
            if size == 0 {
                _ = try? line()
                return nil
            }
            let data = try read(exactly: size)
            _ = try line()
            return data
        }
    }
}

/// Collects replies for the OpenAPI conformance check.
final class ReplyRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [RESTTestClient.Reply] = []

    func record(_ reply: RESTTestClient.Reply) {
        lock.withLock { replies.append(reply) }
    }

    var all: [RESTTestClient.Reply] { lock.withLock { replies } }

    /// The replies as the validator reads them.
    func json() throws -> Data {
        let entries: [[String: Any]] = all.map { reply in
            [
                "method": reply.method, "path": reply.path, "status": reply.status,
                "contentType": reply.header("content-type") ?? "", "retryAfter": reply.header("retry-after") ?? NSNull(),
                "body": reply.text,
            ]
        }
        return try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted, .sortedKeys])
    }
}
