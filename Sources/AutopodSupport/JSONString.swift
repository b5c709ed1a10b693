/// JSON string literals written straight into bytes: the one escaper behind autopod's JSON
/// output, the watchdog's rename request and the simulator's replies.
public enum JSONString {
    /// Appends `text` in quotes. `escapingSlash` writes `/` as `\/`, as GraphQLSwift's encoder
    /// does (the simulator's replies match it).
    public static func append(_ text: String, to bytes: inout [UInt8], escapingSlash: Bool = false) {
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(text, to: &bytes, escapingSlash: escapingSlash)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text` as it stands between a JSON string's quotes.
    public static func escaped(_ text: String) -> String {
        var bytes: [UInt8] = []
        appendEscaped(text, to: &bytes, escapingSlash: false)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendEscaped(_ text: String, to bytes: inout [UInt8], escapingSlash: Bool) {
        var text = text
        // Most strings need no escapes: copy them whole. Checked over the contiguous bytes:
        // through `utf8.contains(where:)` the check cost several times the copy.
        let plain = text.withUTF8 { utf8 in
            guard
                !utf8.contains(where: {
                    $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || ($0 == UInt8(ascii: "/") && escapingSlash)
                })
            else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain { return }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "/") where escapingSlash: bytes.append(contentsOf: #"\/"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0..<0x20: bytes.append(contentsOf: #"\u00"#.utf8 + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
