import AutopodSupport
import FoundationEssentials

/// Removes secrets from text before it reaches a log line, an error message or output.
/// Works by pattern (so a key autopod was never told about is still caught) and by value
/// (the configured API key, however it is spelled).
public struct Redactor: Sendable {
    public static let mask = "[REDACTED]"

    private var secrets: [String] = []
    /// Every secret as it is and URL-encoded (`spellings(of:)`).
    private var spelled: [String] = []

    public init(secrets: [String] = []) {
        for secret in secrets { add(secret: secret) }
    }

    public mutating func add(secret: String) {
        // Short strings would redact ordinary words; real keys are long.
        guard secret.count >= 8 && !secrets.contains(secret) else { return }
        secrets.append(secret)
        spelled += Self.spellings(of: secret)
    }

    /// The ways a secret is spelled in text that went through a URL: as it is, with the bytes
    /// outside RFC 3986's unreserved set percent-encoded, and with every byte but letters and
    /// digits encoded (some encoders do `_` as `%5F`), in upper and lower case hex.
    static func spellings(of secret: String) -> [String] {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        func encoded(keeping keep: (UInt8) -> Bool, uppercase: Bool) -> String {
            var out = ""
            for byte in secret.utf8 {
                if keep(byte) {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    let hex = String(byte, radix: 16, uppercase: uppercase)
                    out += (hex.count == 1 ? "%0" : "%") + hex
                }
            }
            return out
        }
        let unreserved: (UInt8) -> Bool = { isAlphanumeric($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F || $0 == 0x7E }
        var all = [secret]
        for uppercase in [true, false] {
            for keep in [unreserved, isAlphanumeric] {
                let spelled = encoded(keeping: keep, uppercase: uppercase)
                if !all.contains(spelled) { all.append(spelled) }
            }
        }
        return all
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
                (#"\brpa(?:_|%5[Ff])[A-Za-z0-9]{16,}\b"#, [.mask]),
            ]
            return patterns.map { (try! Regex($0.0), $0.1) }
        }())

    private enum ReplacementPart {
        case group(Int)
        case mask
    }

    /// Words every pattern below needs to match; text with none of them skips the regular
    /// expressions, which cost more to compile than a short command spends on anything else.
    private static let triggers = ["key", "token", "secret", "passw", "authorization", "bearer", "basic", "rpa_", "rpa%5f"]

    public func redact(_ text: String) -> String {
        var result = text
        for spelling in spelled where Self.contains(result, spelling) {
            result = result.replacing(spelling, with: Self.mask)
        }
        // A key wrapped over lines (a terminal's width, a pasted block) is still the key.
        if !secrets.isEmpty && result.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
            for secret in secrets { result = Self.maskingAcrossLines(secret, in: result) }
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

    /// `text` with every occurrence of `secret` that line breaks (and the indentation after
    /// them) cut into pieces masked; the line breaks themselves are kept after the mask.
    static func maskingAcrossLines(_ secret: String, in text: String) -> String {
        let bytes = Array(text.utf8)
        let needle = Array(secret.utf8)
        guard !needle.isEmpty else { return text }
        // The text without line breaks, and where each of its bytes was.
        var joined: [UInt8] = []
        var origin: [Int] = []
        var atLineStart = false
        for (i, byte) in bytes.enumerated() {
            if byte == 0x0A || byte == 0x0D {
                atLineStart = true
                continue
            }
            if atLineStart && (byte == 0x20 || byte == 0x09) { continue }
            atLineStart = false
            joined.append(byte)
            origin.append(i)
        }
        guard joined.count >= needle.count else { return text }
        var spans: [(Int, Int)] = []
        var start = 0
        while start <= joined.count - needle.count {
            if joined[start] == needle[0] && Array(joined[start..<(start + needle.count)]) == needle {
                spans.append((origin[start], origin[start + needle.count - 1] + 1))
                start += needle.count
            } else {
                start += 1
            }
        }
        guard !spans.isEmpty else { return text }
        var out: [UInt8] = []
        var cursor = 0
        for (from, to) in spans {
            out += bytes[cursor..<from]
            out += Array(mask.utf8)
            out += bytes[from..<to].filter { $0 == 0x0A || $0 == 0x0D }
            cursor = to
        }
        out += bytes[cursor...]
        return String(decoding: out, as: UTF8.self)
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
