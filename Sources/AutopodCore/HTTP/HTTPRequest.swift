import AutopodSupport
import FoundationEssentials

/// One HTTP request, as the core describes it; nothing here knows about libcurl.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: Data
    /// Time allowed for the whole exchange.
    public var timeout: Duration
    /// Time allowed to establish the connection.
    public var connectTimeout: Duration
    /// The largest reply body read. RunPod's replies are kilobytes; a server sending a gigabyte
    /// would otherwise be held in memory whole.
    public var maxReplyBytes: Int = HTTPRequest.defaultMaxReplyBytes

    public static let defaultMaxReplyBytes = 16 << 20

    public init(
        method: String = "GET", url: String, headers: [String: String] = [:], body: Data = Data(),
        timeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10)
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

    /// `Retry-After` as a wait, from either of its two forms (delta-seconds or an HTTP date).
    /// The date form is the one place a wait comes from the wall clock: the server names a time
    /// of day, so the wait is that time less ours; the waiting itself is on the monotonic clock.
    public var retryAfter: Duration? {
        guard let value = headers["retry-after"]?.trimmingSpaces() else { return nil }
        let seconds: Double
        if let delta = Double(value), delta.isFinite {
            seconds = delta
        } else if let date = Self.httpDate(value) {
            seconds = date.timeIntervalSinceNow
        } else {
            return nil
        }
        // A year is longer than any retry budget; the cap keeps absurd values representable.
        return .seconds(min(max(0, seconds), 365 * 24 * 3600))
    }

    /// An IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`, the one date form RFC 9110 lets
    /// servers send.
    static func httpDate(_ text: String) -> Date? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT", let day = Int(parts[1]),
            let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        // The year is the server's text: outside four digits it is not a date (and would not
        // fit tm_year), so the header is ignored, as RFC 9110 says of an invalid Retry-After.
        guard clock.count == 3, (1970...9999).contains(year), (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]),
            (0...60).contains(clock[2])
        else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(clock[0])
        fields.tm_min = Int32(clock[1])
        fields.tm_sec = Int32(clock[2])
        return Date(timeIntervalSince1970: Double(timegm(&fields)))
    }
}

/// Something that performs one HTTP exchange. The core's only implementation is libcurl;
/// the protocol keeps commands and the provider independent of it.
public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse
}
