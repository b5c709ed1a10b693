import AutopodSupport
import AutopodCore
import FoundationEssentials
@preconcurrency import Rainbow

/// Colour for people, plain text for pipes: colour only when stdout is a terminal and neither
/// `NO_COLOR` nor `TERM=dumb` is set. Without colour Rainbow is not touched at all: its first use
/// reads the whole environment into a dictionary (about 0.5M instructions).
enum Style {
    /// Set once, by `configure`, before any output.
    nonisolated(unsafe) private(set) static var colours = false

    static func configure(environment: Environment) {
        colours =
            isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"].map(\.isEmpty) ?? true
            && environment["TERM"] != "dumb"
        if colours { Rainbow.enabled = true }
    }

    static func ok(_ text: String) -> String { colours ? text.green : text }
    static func warn(_ text: String) -> String { colours ? text.yellow : text }
    static func bad(_ text: String) -> String { colours ? text.red : text }
    static func dim(_ text: String) -> String { colours ? text.dim : text }
    static func bold(_ text: String) -> String { colours ? text.bold : text }

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
