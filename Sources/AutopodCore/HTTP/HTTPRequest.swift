import Foundation

/// One HTTP request, as the core describes it; nothing here knows about libcurl.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: Data
    /// Time allowed for the whole exchange, in seconds.
    public var timeout: Double
    /// Time allowed to establish the connection, in seconds.
    public var connectTimeout: Double

    public init(
        method: String = "GET", url: String, headers: [String: String] = [:], body: Data = Data(),
        timeout: Double = 30, connectTimeout: Double = 10
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}

public struct HTTPResponse: Sendable {
    public let status: Int
    /// Header names are lower-cased; a repeated header keeps its last value.
    public let headers: [String: String]
    public let body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `Retry-After` in seconds, from either of its two forms (delta-seconds or an HTTP date).
    public var retryAfter: Double? {
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSinceNow)
    }
}

/// Something that performs one HTTP exchange. The core's only implementation is libcurl;
/// the protocol keeps commands and the provider independent of it.
public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse
}
