import AutopodSupport
/// How a remote command ended.
public enum RemoteExit: Sendable, Equatable, CustomStringConvertible {
    case status(Int32)
    /// Killed by a signal; the name as the server sends it, without "SIG" (e.g. "TERM").
    case signal(String)
    /// The user typed `~.` (shell only).
    case disconnectedByUser
    /// Local standard output was closed by its reader (`exec ... | head -1`): the channel was
    /// closed without waiting for the command.
    case outputClosed

    /// The exit code a shell would give: the status, 128 + signal number, or 255 like OpenSSH's
    /// client for a disconnect.
    public var exitCode: Int32 {
        switch self {
        case .status(let s): return s
        case .signal(let name): return 128 + (Self.signalNumbers[name] ?? 0)
        case .disconnectedByUser: return 255
        // What a shell pipeline reports for a writer whose reader left: 128 + SIGPIPE.
        case .outputClosed: return 128 + 13
        }
    }

    /// POSIX signal numbers (Linux values, which is what pods run).
    static let signalNumbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
        "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "XCPU": 24, "XFSZ": 25,
    ]

    public var description: String {
        switch self {
        case .status(let s): return "exit status \(s)"
        case .signal(let name): return "killed by SIG\(name)"
        case .disconnectedByUser: return "disconnected"
        case .outputClosed: return "output closed by its reader"
        }
    }
}
