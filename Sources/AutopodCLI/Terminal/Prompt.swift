import AutopodSupport
import AutopodCore
import FoundationEssentials

/// Questions asked on the terminal. Every question has a flag as well, so scripts never need this.
enum Prompt {
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks for a line of text; an empty answer takes the default.
    static func ask(_ question: String, default value: String? = nil) -> String? {
        let suffix = value.map { " [\($0)]" } ?? ""
        StandardStream.error.write("\(question)\(suffix): ")
        guard let line = readLine(strippingNewline: true) else { return nil }
        let answer = line.trimmingSpaces()
        return answer.isEmpty ? value : answer
    }

    /// Asks a yes/no question.
    static func confirm(_ question: String, default value: Bool) -> Bool {
        let hint = value ? "Y/n" : "y/N"
        StandardStream.error.write("\(question) [\(hint)]: ")
        guard let line = readLine()?.trimmingSpaces().lowercased(), !line.isEmpty else {
            return value
        }
        return line.hasPrefix("y")
    }

    /// Reads a secret with echo off, restoring the terminal whatever happens.
    static func secret(_ question: String) -> String? {
        StandardStream.error.write("\(question): ")
        var original = termios()
        let isTerminal = tcgetattr(STDIN_FILENO, &original) == 0
        if isTerminal {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            silent.c_lflag |= tcflag_t(ECHONL)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if isTerminal { tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }
        }
        return readLine(strippingNewline: true)
    }
}
