import AutopodSupport
/// How a remote command ended.
public enum RemoteExit: Sendable, Equatable, CustomStringConvertible {
    case status(Int32)
    /// Killed by a signal; the name as the server sends it, without "SIG" (e.g. "TERM").
    case signal(String)
    /// The user typed `~.` (shell only).
    case disconnectedByUser

    /// The exit code a shell would give: the status, 128 + signal number, or 255 like OpenSSH's
    /// client for a disconnect.
    public var exitCode: Int32 {
        switch self {
        case .status(let s): return s
        case .signal(let name): return 128 + (Self.signalNumbers[name] ?? 0)
        case .disconnectedByUser: return 255
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
        }
    }
}

/// Commands as RunPod's own clients run them.
public enum RunPodEnvironment {
    /// Sources the pod's environment file first (RunPod writes the pod's env vars there; a plain
    /// exec session would not see them), then runs the command.
    public static func wrap(_ command: String) -> String {
        "[ -f /etc/rp_environment ] && . /etc/rp_environment; " + command
    }
}
