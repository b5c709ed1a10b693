import AutopodSupport
import FoundationEssentials

/// Where the API key may be sent: over https anywhere, over plain http only to this machine
/// (runpod-sim and tests). A base URL from the config or `RUNPOD_API_BASE_URL` that points
/// plain http elsewhere would hand the key to anyone on the path.
public enum APIEndpoint {
    /// Why `url` may not carry the API key, or nil when it may.
    public static func problem(_ url: String) -> String? {
        let lower = url.lowercased()
        guard let host = URL(string: url)?.host, !host.isEmpty else { return "\"\(url.terminalSafe)\" is not an http(s) URL" }
        if lower.hasPrefix("https://") { return nil }
        guard lower.hasPrefix("http://") else { return "\"\(url.terminalSafe)\" is not an http(s) URL" }
        if isLoopback(host) { return nil }
        return "\"\(url.terminalSafe)\" is plain http to another machine, which would send the API key unencrypted; use https"
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().filter { $0 != "[" && $0 != "]" }
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
