/// Text from RunPod or a remote host made safe to print on a terminal. Anyone on a team account
/// can name a pod, and a name (or an API error) holding ESC, OSC, BEL or CR bytes would otherwise
/// rewrite the title, the screen or the clipboard (OSC 52) of whoever runs `autopod list`.
public enum TerminalText {
    /// `text` with C0 and C1 controls, DEL and bidi overrides written as visible escapes
    /// (`\x1b`, `\x9b`, `\u{202e}`). Newlines and tabs are kept when `keepingLines` is set (error
    /// messages span lines), and escaped otherwise (a table cell must stay on its row).
    public static func escaped(_ text: String, keepingLines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingLines: keepingLines) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, keepingLines: keepingLines) {
                result += visible(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` with only the SGR colour sequences autopod's own styling writes (`ESC [ digits m`)
    /// left as they are and every other control escaped: the last line of defence in the
    /// table and panel renderers, whose cells mix styled and untrusted text.
    public static func escapedKeepingStyle(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains(where: { needsEscape($0, keepingLines: false) }) else { return text }
        var result = ""
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\u{1B}", let end = styleSequenceEnd(scalars, from: index) {
                for part in scalars[index...end] { result.unicodeScalars.append(part) }
                index = end + 1
                continue
            }
            if needsEscape(scalar, keepingLines: false) {
                result += visible(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
            index += 1
        }
        return result
    }

    /// `word` as a person can paste it into a shell and print safely: bare when it is made of
    /// letters, digits and `._-@:/+`, single-quoted otherwise, and escaped for the terminal.
    public static func shellWord(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-@:/+".unicodeScalars.contains(scalar))
            }
        return escaped(plain ? word : RemoteCommandLine.quote(word))
    }

    /// Whether `text` holds any character `escaped` would change (for refusing such input).
    public static func hasControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { needsEscape($0, keepingLines: false) }
    }

    static func needsEscape(_ scalar: Unicode.Scalar, keepingLines: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return !keepingLines
        case 0x00...0x1F, 0x7F...0x9F: return true
        // Bidi embeddings, overrides and isolates reorder what follows them on screen.
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func visible(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        if scalar.value <= 0xFF { return "\\x" + (hex.count < 2 ? "0" + hex : hex) }
        return "\\u{\(hex)}"
    }

    /// The index of the `m` ending an `ESC [ (digits|;)* m` sequence starting at `start`.
    private static func styleSequenceEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 1 < scalars.count, scalars[start + 1] == "[" else { return nil }
        var index = start + 2
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "m" { return index }
            guard scalar == ";" || ("0"..."9").contains(scalar) else { return nil }
            index += 1
        }
        return nil
    }
}

extension String {
    /// This text escaped for a terminal (see `TerminalText.escaped`).
    public var terminalSafe: String { TerminalText.escaped(self) }
}
