import AutopodSupport
internal import CCurl
import FoundationEssentials

/// HTTP exchanges whose reply does not end, such as Server-Sent Events, over libcurl. The body
/// of a successful reply is handed over chunk by chunk as it arrives, never collected; the
/// caller bounds what it keeps. Each exchange has its own handle, so a stream that stays open
/// for hours holds up no other request.
///
/// libcurl's multi interface drives the exchange so the caller is asked whether to stop every
/// `pollInterval`, whether or not data is flowing: Ctrl+C ends a quiet stream at once.
public final class CurlStreamingClient: Sendable {
    private let userAgent: String
    /// Time between checks of `shouldStop` while the stream is quiet.
    public let pollInterval: Duration

    public init(userAgent: String = "autopod/\(AutopodVersion.current)", pollInterval: Duration = .milliseconds(100)) {
        NativeLibraries.initialize()
        self.userAgent = userAgent
        self.pollInterval = pollInterval
    }

    /// How a streamed exchange ended.
    public struct Outcome: Sendable {
        /// The reply's status (0 when `stopped` before one arrived).
        public var status: Int
        /// Header names lower-cased.
        public var headers: [String: String]
        /// The body of a reply that was not a success (up to 64 KB): RunPod's problem details.
        public var errorBody: Data
        /// Whether `shouldStop` ended it rather than the server.
        public var stopped: Bool

        /// The reply as `HTTPResponse` (for `retryAfter` and the problem body).
        public var response: HTTPResponse { HTTPResponse(status: status, headers: headers, body: errorBody) }
    }

    /// Performs `request`. `onResponse` gets the status once the reply's headers are in. For a
    /// 2xx reply `onBody` gets each chunk of the body; any other reply's body is returned in the
    /// outcome. `shouldStop` is asked between chunks and every `pollInterval`; returning
    /// true closes the connection. `request.timeout` is how long the stream may stay completely
    /// silent (not even a keep-alive) before it counts as broken.
    public func stream(
        _ request: HTTPRequest, onResponse: (Int) -> Void = { _ in }, onBody: (UnsafeRawBufferPointer) -> Void,
        shouldStop: () -> Bool
    ) throws(HTTPError) -> Outcome {
        try withoutActuallyEscaping(onResponse) { onResponse throws(HTTPError) -> Outcome in
            try withoutActuallyEscaping(onBody) { onBody throws(HTTPError) -> Outcome in
                try perform(request, sink: StreamSink(onResponse: onResponse, onBody: onBody), shouldStop: shouldStop)
            }
        }
    }

    private func perform(_ request: HTTPRequest, sink: StreamSink, shouldStop: () -> Bool) throws(HTTPError) -> Outcome {
        guard let curl = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer {
            curl_multi_remove_handle(multi, curl)
            curl_easy_cleanup(curl)
            curl_multi_cleanup(multi)
            curl_slist_free_all(headerList)
        }
        var stopped = false
        let code: CURLcode = withExtendedLifetime(sink) {
            errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                CurlEasyOptions.applyCommon(
                    to: curl, url: request.url, userAgent: userAgent, connectTimeout: request.connectTimeout,
                    errorBuffer: errorPointer.baseAddress, headers: headerList)
                // No limit on the whole exchange: a followed log is open for as long as it is read.
                // Silence for `timeout` seconds (servers send keep-alive comments) means it broke.
                _ = ccurl_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
                _ = ccurl_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, max(1, Int(request.timeout.seconds.rounded(.up))))
                _ = ccurl_setopt_long(curl, CURLOPT_HTTPGET, 1)
                let context = Unmanaged.passUnretained(sink).toOpaque()
                _ = ccurl_setopt_pointer(curl, CURLOPT_WRITEDATA, context)
                _ = ccurl_setopt_write_function(curl) { data, size, count, context in
                    let length = size * count
                    guard let context else { return 0 }
                    Unmanaged<StreamSink>.fromOpaque(context).takeUnretainedValue()
                        .body(UnsafeRawBufferPointer(start: data, count: length))
                    return length
                }
                _ = ccurl_setopt_pointer(curl, CURLOPT_HEADERDATA, context)
                _ = ccurl_setopt_header_function(curl) { data, size, count, context in
                    let length = size * count
                    guard let data, let context else { return 0 }
                    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                    Unmanaged<StreamSink>.fromOpaque(context).takeUnretainedValue().header(line)
                    return length
                }
                curl_multi_add_handle(multi, curl)
                let waitMs = max(1, pollInterval.pollMilliseconds)
                while true {
                    var running: Int32 = 0
                    let performed = curl_multi_perform(multi, &running)
                    if performed != CURLM_OK { return CURLE_FAILED_INIT }
                    if running == 0 { break }
                    if shouldStop() {
                        stopped = true
                        return CURLE_OK
                    }
                    _ = curl_multi_poll(multi, nil, 0, waitMs, nil)
                }
                var left: Int32 = 0
                while let message = curl_multi_info_read(multi, &left) {
                    if message.pointee.msg == CURLMSG_DONE { return message.pointee.data.result }
                }
                return CURLE_OK
            }
        }
        if !stopped && code != CURLE_OK { throw HTTPError(curlCode: code, errorBuffer: errorBuffer, url: request.url) }
        return Outcome(status: sink.status, headers: sink.headers, errorBody: sink.errorBody, stopped: stopped)
    }
}

/// What libcurl's callbacks deliver for one streamed exchange. Only the thread running the
/// exchange touches it.
private final class StreamSink {
    static let errorBodyLimit = 64 * 1024
    let onResponse: (Int) -> Void
    let onBody: (UnsafeRawBufferPointer) -> Void
    var status = 0
    var headers: [String: String] = [:]
    var errorBody = Data()

    init(onResponse: @escaping (Int) -> Void, onBody: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.onResponse = onResponse
        self.onBody = onBody
    }

    func header(_ line: String) {
        if line == "\r\n" || line == "\n" {
            // The blank line after a final response's headers (1xx ones are followed by more).
            if status >= 200 { onResponse(status) }
        } else if line.hasPrefix("HTTP/") {
            // A new response (after a redirect or 100-continue): `HTTP/1.1 200 OK`.
            headers = [:]
            status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        } else if let colon = line.firstIndex(of: ":") {
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].trimmingWhitespace())
        }
    }

    func body(_ bytes: UnsafeRawBufferPointer) {
        if (200...299).contains(status) {
            onBody(bytes)
        } else if errorBody.count < Self.errorBodyLimit {
            errorBody.append(contentsOf: bytes.prefix(Self.errorBodyLimit - errorBody.count))
        }
    }
}
