import Foundation

/// A status line that updates in place on a terminal, and prints only changes otherwise
/// (so logs and pipes get one line per phase, not one per second). Written to stderr so
/// stdout carries only results.
final class ProgressLine {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastPlain: String?
    private var visible = false

    func update(_ text: String, elapsed: TimeInterval) {
        if isTerminal {
            let line = "\(text)  \(Style.dim(Format.duration(elapsed)))"
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
            visible = true
        } else if text != lastPlain {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
            lastPlain = text
        }
    }

    /// Ends the updating line so the next output starts on a fresh line.
    func finish(_ text: String? = nil) {
        if isTerminal && visible {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            visible = false
        }
        if let text { FileHandle.standardError.write(Data("\(text)\n".utf8)) }
    }
}
