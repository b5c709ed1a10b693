import AutopodSupport
internal import CCurl

/// What every autopod request sets on a libcurl handle, whichever client drives it: one place
/// for the TLS checks, the time limits and the protocols the API key may travel over.
enum CurlEasyOptions {
    static func applyCommon(
        to curl: UnsafeMutableRawPointer, url: String, userAgent: String, connectTimeout: Duration,
        errorBuffer: UnsafeMutablePointer<CChar>?, headers: UnsafeMutablePointer<curl_slist>?
    ) {
        _ = ccurl_setopt_string(curl, CURLOPT_URL, url)
        _ = ccurl_setopt_string(curl, CURLOPT_USERAGENT, userAgent)
        _ = ccurl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
        _ = ccurl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout.pollMilliseconds))
        _ = ccurl_setopt_long(curl, CURLOPT_TCP_NODELAY, 1)
        _ = ccurl_setopt_long(curl, CURLOPT_TCP_KEEPALIVE, 1)
        // The API key rides in headers: https only (http is allowed to loopback by `APIEndpoint`
        // before a request is made), never redirected elsewhere.
        _ = ccurl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "https,http")
        _ = ccurl_setopt_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https")
        _ = ccurl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = ccurl_setopt_slist(curl, CURLOPT_HTTPHEADER, headers)
    }
}

extension HTTPError {
    /// A failed transfer, described by libcurl's error buffer or, when that is empty, its code.
    init(curlCode code: CURLcode, errorBuffer: [CChar], url: String) {
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.init(
            kind: Self.kind(of: code), curlCode: Int(code.rawValue),
            message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
            url: Redactor.urlWithoutQuery(url))
    }

    private static func kind(of code: CURLcode) -> Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
            CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return .connect
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OUT_OF_MEMORY:
            return .request
        default: return .transfer
        }
    }
}
