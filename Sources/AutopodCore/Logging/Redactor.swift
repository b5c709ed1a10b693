import Foundation

/// Removes secrets from text before it reaches a log line, an error message or output.
/// Works by pattern (so a key autopod was never told about is still caught) and by value
/// (the configured API key, however it is spelled).
public struct Redactor: Sendable {
    public static let mask = "[REDACTED]"

    private var secrets: [String]

    public init(secrets: [String] = []) {
        // Short strings would redact ordinary words; real keys are long.
        self.secrets = secrets.filter { $0.count >= 8 }
    }

    public mutating func add(secret: String) {
        if secret.count >= 8 && !secrets.contains(secret) { secrets.append(secret) }
    }

    private static let rules: [(NSRegularExpression, String)] = {
        let sensitiveName = "[A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)[A-Za-z0-9_]*"
        let patterns: [(String, String)] = [
            // Authorization: Bearer xxx / Basic xxx (headers, curl-style dumps)
            (#"(?i)(authorization\s*[:=]\s*"?(?:bearer|basic|token)?\s*)[^\s",}]+"#, "$1" + mask),
            (#"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"#, "$1" + mask),
            // api_key=... in query strings and forms
            (#"(?i)((?:api[_-]?key|access[_-]?token|token)=)[^&\s"']+"#, "$1" + mask),
            // NAME=value where NAME looks secret (env lists, shell lines)
            (#"(?i)\b("# + sensitiveName + #")=([^\s"',;&]+)"#, "$1=" + mask),
            // "NAME": "value" in JSON
            (#"(?i)("[A-Za-z0-9_]*(?:key|token|secret|password|passwd)[A-Za-z0-9_]*"\s*:\s*")[^"]*(")"#, "$1" + mask + "$2"),
            // GraphQL env objects: {key: "NAME", value: "..."}
            (#"(?i)(key\s*:\s*\\?"[A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)[A-Za-z0-9_]*\\?"\s*,\s*value\s*:\s*\\?")[^"\\]*"#, "$1" + mask),
            // RunPod API keys (rpa_...) and long opaque tokens that follow "key"
            (#"\brpa_[A-Za-z0-9]{16,}\b"#, mask),
        ]
        return patterns.map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
    }()

    /// Words every pattern below needs to match; text with none of them skips the regular
    /// expressions, which cost more to compile than a short command spends on anything else.
    private static let triggers = ["key", "token", "secret", "passw", "authorization", "bearer", "basic", "rpa_"]

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        let lowered = result.lowercased()
        guard Self.triggers.contains(where: { lowered.contains($0) }) else { return result }
        for (regex, template) in Self.rules {
            let range = NSRange(result.startIndex..., in: result)
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }

    /// A URL as it may be shown: no query string, since RunPod accepts `?api_key=` there.
    public static func urlWithoutQuery(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        return String(url[..<question])
    }
}
