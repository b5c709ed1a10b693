import AutopodSupport
/// Why an HTTP exchange produced no response. A response with any status is not an error here:
/// callers decide what a 4xx or 5xx means.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made (refused, DNS, TLS handshake).
        case connect
        /// The exchange did not finish in time.
        case timeout
        /// The connection broke after the request may have been sent.
        case transfer
        /// The request itself was unusable (bad URL, libcurl setup), or its URL was refused
        /// (a scheme other than https, or http to a host other than this machine).
        case request
        /// The reply was larger than `HTTPRequest.maxReplyBytes` and was not read further.
        case tooLarge
    }

    public let kind: Kind
    /// libcurl's error code and message, for the log and for people debugging.
    public let curlCode: Int
    public let message: String
    /// The URL without its query string, which may carry an API key.
    public let url: String

    /// Whether the server may have received and acted on the request.
    public var requestMayHaveArrived: Bool { kind == .timeout || kind == .transfer || kind == .tooLarge }

    public var description: String {
        let what: String
        switch kind {
        case .connect: what = "could not connect to \(url)"
        case .timeout: what = "no answer from \(url) in time"
        case .transfer: what = "the connection to \(url) broke"
        case .request: what = "could not send the request to \(url)"
        case .tooLarge:
            return "the reply from \(url) was larger than \(message); autopod stopped reading it (an API reply is far smaller, "
                + "so check RUNPOD_API_BASE_URL and apiBaseURL)"
        }
        return "\(what): \(message) (curl error \(curlCode)); check the network and try again"
    }
}
