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

    /// Asks a yes/no question until the answer is one: y, yes, n or no (Enter takes the default).
    static func confirm(_ question: String, default value: Bool) -> Bool {
        let hint = value ? "Y/n" : "y/N"
        while true {
            StandardStream.error.write("\(question) [\(hint)]: ")
            guard let line = readLine()?.trimmingSpaces().lowercased(), !line.isEmpty else {
                return value
            }
            switch line {
            case "y", "yes": return true
            case "n", "no": return false
            default: StandardStream.error.write("Please answer y or n.\n")
            }
        }
    }

    /// Asks until `read` takes the answer, saying why each refused answer was refused. Enter
    /// takes `value` (which is read too); nil at the end of input, which keeps what was there.
    static func ask<Value>(_ question: String, default value: String?, _ read: (String) -> Result<Value, PromptRefusal>) -> Value? {
        while true {
            guard let answer = ask(question, default: value) else { return nil }
            switch read(answer) {
            case .success(let parsed): return parsed
            case .failure(let refusal): StandardStream.error.write("  \(refusal.reason); try again.\n")
            }
        }
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
