import AutopodSupport
import AutopodCore
import FoundationEssentials

/// Colour for people, plain text for pipes: colour only when stdout is a terminal and neither
/// `NO_COLOR` nor `TERM=dumb` is set.
///
/// Five SGR sequences, written here rather than taken from a package: Rainbow, used before,
/// imports all of Foundation, which put ICU's and CoreFoundation's start-up into every command.
enum Style {
    /// Set once, by `configure`, before any output.
    nonisolated(unsafe) private(set) static var colours = false

    static func configure(environment: Environment, stdoutIsTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        colours = stdoutIsTerminal && environment["NO_COLOR"].map(\.isEmpty) ?? true && environment["TERM"] != "dumb"
    }

    static func ok(_ text: String) -> String { styled(text, 32) }
    static func warn(_ text: String) -> String { styled(text, 33) }
    static func bad(_ text: String) -> String { styled(text, 31) }
    static func dim(_ text: String) -> String { styled(text, 2) }
    static func bold(_ text: String) -> String { styled(text, 1) }

    /// `text` in one SGR style, ended by a full reset (as terminals and `less -R` expect).
    private static func styled(_ text: String, _ code: Int) -> String {
        colours ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Colours a pod or stock status by what it means for the user.
    static func status(_ text: String) -> String {
        switch text.uppercased() {
        case "RUNNING", "HIGH", "READY": return ok(text)
        case "STARTING", "MEDIUM", "LOW", "EXITED", "STOPPED": return warn(text)
        case "NONE", "TERMINATED", "FAILED": return bad(text)
        default: return text
        }
    }

    /// The width a string takes on screen, ignoring ANSI colour sequences.
    static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if scalar == "m" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }
}
