import AutopodSupport
internal import CCurl
import FoundationEssentials

/// HTTP over libcurl. One easy handle is kept and reused under a lock, so repeated requests to
/// the same API share a connection (and its TLS session).
public final class CurlHTTPClient: HTTPTransport, Sendable {
    /// One request at a time on the handle; libcurl handles must not be shared between threads.
    private let handle: LockedValue<EasyHandle>
    private let userAgent: String
    /// Tests point the client at plain-HTTP loopback servers; TLS verification is never turned off.
    public init(userAgent: String = "autopod/\(AutopodVersion.current)") {
        NativeLibraries.initialize()
        self.handle = LockedValue(EasyHandle())
        self.userAgent = userAgent
    }

    public func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        try handle.withLock { (handle) throws(HTTPError) in try handle.perform(request, userAgent: userAgent) }
    }
}

/// Owns one `CURL *` and frees it in `deinit`.
private final class EasyHandle {
    private let curl: UnsafeMutableRawPointer

    init() {
        guard let curl = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.curl = curl
    }

    deinit { curl_easy_cleanup(curl) }

    /// Collects what libcurl delivers through its C callbacks.
    private final class Sink {
        let limit: Int
        var overflowed = false
        init(limit: Int) { self.limit = limit }
        var body = Data()
        var headers: [String: String] = [:]
    }

    func perform(_ request: HTTPRequest, userAgent: String) throws(HTTPError) -> HTTPResponse {
        curl_easy_reset(curl)
        let sink = Sink(limit: request.maxReplyBytes)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // libcurl adds "Expect: 100-continue" to larger POSTs; it only costs a round trip here.
        headerList = curl_slist_append(headerList, "Expect:")

        let code: CURLcode = withExtendedLifetime(sink) {
            errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                request.body.withUnsafeBytes { bodyPointer in
                    CurlEasyOptions.applyCommon(
                        to: curl, url: request.url, userAgent: userAgent, connectTimeout: request.connectTimeout,
                        errorBuffer: errorPointer.baseAddress, headers: headerList)
                    _ = ccurl_setopt_long(curl, CURLOPT_TIMEOUT_MS, Int(request.timeout.pollMilliseconds))
                    // A declared length over the cap fails before the body; an undeclared one is
                    // cut off by the write callback.
                    _ = ccurl_setopt_off(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxReplyBytes))
                    switch request.method {
                    case "GET": _ = ccurl_setopt_long(curl, CURLOPT_HTTPGET, 1)
                    case "HEAD": _ = ccurl_setopt_long(curl, CURLOPT_NOBODY, 1)
                    default:
                        _ = ccurl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method)
                    }
                    if request.method != "GET" && request.method != "HEAD" {
                        _ = ccurl_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                        _ = ccurl_setopt_pointer(
                            curl, CURLOPT_POSTFIELDS,
                            UnsafeMutableRawPointer(mutating: bodyPointer.baseAddress ?? UnsafeRawPointer(errorPointer.baseAddress!)))
                    }
                    let context = Unmanaged.passUnretained(sink).toOpaque()
                    _ = ccurl_setopt_pointer(curl, CURLOPT_WRITEDATA, context)
                    _ = ccurl_setopt_write_function(curl) { data, size, count, context in
                        let length = size * count
                        guard let data, let context else { return 0 }
                        let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                        guard sink.body.count + length <= sink.limit else {
                            sink.overflowed = true
                            return 0
                        }
                        sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
                        return length
                    }
                    _ = ccurl_setopt_pointer(curl, CURLOPT_HEADERDATA, context)
                    _ = ccurl_setopt_header_function(curl) { data, size, count, context in
                        let length = size * count
                        guard let data, let context else { return 0 }
                        let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                        if line.hasPrefix("HTTP/") {
                            sink.headers = [:]  // a new response (after a redirect or 100-continue)
                        } else if let colon = line.firstIndex(of: ":") {
                            let name = line[..<colon].lowercased()
                            sink.headers[name] = String(line[line.index(after: colon)...].trimmingWhitespace())
                        }
                        return length
                    }
                    return curl_easy_perform(curl)
                }
            }
        }

        if sink.overflowed || code == CURLE_FILESIZE_EXCEEDED {
            throw HTTPError(
                kind: .tooLarge, curlCode: Int(code.rawValue), message: Self.size(request.maxReplyBytes),
                url: Redactor.urlWithoutQuery(request.url))
        }
        guard code == CURLE_OK else { throw HTTPError(curlCode: code, errorBuffer: errorBuffer, url: request.url) }
        var status = 0
        _ = ccurl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }
}
