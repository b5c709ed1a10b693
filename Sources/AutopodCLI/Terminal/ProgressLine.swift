import AutopodSupport
import AutopodCore
import FoundationEssentials

/// A status line that updates in place on a terminal, and prints only changes otherwise
/// (so logs and pipes get one line per phase, not one per second). Written to stderr so
/// stdout carries only results.
final class ProgressLine {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastPlain: String?
    private var visible = false

    func update(_ text: String, elapsed: TimeInterval) {
        // `-q`: warnings and errors only; progress is neither.
        if Output.quiet { return }
        if isTerminal {
            let line = "\(text)  \(Style.dim(Format.duration(elapsed)))"
            StandardStream.error.write("\r\u{1B}[2K\(line)")
            visible = true
            Output.progressLine(drawn: true)
        } else if text != lastPlain {
            StandardStream.error.write("\(text)\n")
            lastPlain = text
        }
    }

    /// Ends the updating line so the next output starts on a fresh line.
    func finish(_ text: String? = nil) {
        if isTerminal && visible {
            StandardStream.error.write("\r\u{1B}[2K")
            visible = false
            Output.progressLine(drawn: false)
        }
        if let text, !Output.quiet { StandardStream.error.write("\(text)\n") }
    }
}
