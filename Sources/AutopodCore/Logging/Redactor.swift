import AutopodSupport
import FoundationEssentials

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

    /// Each pattern with its replacement, made of capture groups and the mask. Regex is not
    /// Sendable, so the compiled rules are reached only under their lock.
    private static let rules = LockedValue<[(Regex<AnyRegexOutput>, [ReplacementPart])]>(
        {
            let sensitiveName = "[A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)[A-Za-z0-9_]*"
            let patterns: [(String, [ReplacementPart])] = [
                // Authorization: Bearer xxx / Basic xxx (headers, curl-style dumps)
                (#"(?i)(authorization\s*[:=]\s*"?(?:bearer|basic|token)?\s*)[^\s",}]+"#, [.group(1), .mask]),
                (#"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"#, [.group(1), .mask]),
                // api_key=... in query strings and forms
                (#"(?i)((?:api[_-]?key|access[_-]?token|token)=)[^&\s"']+"#, [.group(1), .mask]),
                // NAME=value where NAME looks secret (env lists, shell lines)
                (#"(?i)\b("# + sensitiveName + #"=)([^\s"',;&]+)"#, [.group(1), .mask]),
                // "NAME": "value" in JSON
                (#"(?i)("[A-Za-z0-9_]*(?:key|token|secret|password|passwd)[A-Za-z0-9_]*"\s*:\s*")[^"]*(")"#, [.group(1), .mask, .group(2)]),
                // GraphQL env objects: {key: "NAME", value: "..."}
                (#"(?i)(key\s*:\s*\\?"[A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)[A-Za-z0-9_]*\\?"\s*,\s*value\s*:\s*\\?")[^"\\]*"#, [.group(1), .mask]),
                // RunPod API keys (rpa_...) and long opaque tokens that follow "key"
                (#"\brpa_[A-Za-z0-9]{16,}\b"#, [.mask]),
            ]
            return patterns.map { (try! Regex($0.0), $0.1) }
        }())

    private enum ReplacementPart {
        case group(Int)
        case mask
    }

    /// Words every pattern below needs to match; text with none of them skips the regular
    /// expressions, which cost more to compile than a short command spends on anything else.
    private static let triggers = ["key", "token", "secret", "passw", "authorization", "bearer", "basic", "rpa_"]

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where Self.contains(result, secret) {
            result = result.replacing(secret, with: Self.mask)
        }
        let lowered = result.lowercased()
        guard Self.triggers.contains(where: { Self.contains(lowered, $0) }) else { return result }
        return Self.rules.withLock { rules in
            for (regex, parts) in rules {
                result = result.replacing(regex) { match in
                    parts.map { part in
                        switch part {
                        case .mask: return Self.mask
                        case .group(let n): return match.output[n].substring.map(String.init) ?? ""
                        }
                    }.joined()
                }
            }
            return result
        }
    }

    /// A plain byte search: every log line is checked, and the generic `String.contains`
    /// cost about 0.7M instructions for the first few lines of a process.
    static func contains(_ text: String, _ part: String) -> Bool {
        var text = text
        var part = part
        return text.withUTF8 { haystack in
            part.withUTF8 { needle in
                guard needle.count > 0 else { return true }
                guard haystack.count >= needle.count else { return false }
                let first = needle[0]
                for start in 0...(haystack.count - needle.count) where haystack[start] == first {
                    if memcmp(haystack.baseAddress! + start, needle.baseAddress!, needle.count) == 0 { return true }
                }
                return false
            }
        }
    }

    /// A URL as it may be shown: no query string, since RunPod accepts `?api_key=` there.
    public static func urlWithoutQuery(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        return String(url[..<question])
    }
}
