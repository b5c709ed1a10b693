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
        /// The request itself was unusable (bad URL, libcurl setup).
        case request
    }

    public let kind: Kind
    /// libcurl's error code and message, for the log and for people debugging.
    public let curlCode: Int
    public let message: String
    /// The URL without its query string, which may carry an API key.
    public let url: String

    public init(kind: Kind, curlCode: Int, message: String, url: String) {
        self.kind = kind
        self.curlCode = curlCode
        self.message = message
        self.url = url
    }

    /// Whether the server may have received and acted on the request.
    public var requestMayHaveArrived: Bool { kind == .timeout || kind == .transfer }

    public var description: String {
        let what: String
        switch kind {
        case .connect: what = "could not connect to \(url)"
        case .timeout: what = "no answer from \(url) in time"
        case .transfer: what = "the connection to \(url) broke"
        case .request: what = "could not send the request to \(url)"
        }
        return "\(what): \(message) (curl error \(curlCode)); check the network and try again"
    }
}
