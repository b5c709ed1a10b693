#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AutopodCore
import FoundationEssentials
@preconcurrency import Rainbow

/// Colour for people, plain text for pipes: Rainbow's output is enabled only when stdout is a
/// terminal and neither `NO_COLOR` nor `TERM=dumb` is set.
enum Style {
    static func configure(environment: Environment) {
        let wanted = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"].map(\.isEmpty) ?? true
            && environment["TERM"] != "dumb"
        Rainbow.enabled = wanted
    }

    static func ok(_ text: String) -> String { text.green }
    static func warn(_ text: String) -> String { text.yellow }
    static func bad(_ text: String) -> String { text.red }
    static func dim(_ text: String) -> String { text.dim }
    static func bold(_ text: String) -> String { text.bold }

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
