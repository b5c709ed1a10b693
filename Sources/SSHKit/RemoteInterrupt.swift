import AutopodSupport

/// How `exec` stops its remote command when autopod itself is interrupted (Ctrl+C, SIGTERM,
/// SIGHUP). RFC 4254's `signal` channel request is the direct way, but libssh2 1.10 sends a
/// channel request only once per channel (the exec itself), so it cannot be sent. Instead the
/// caller gives a command line that delivers a signal to the running command; it runs on a
/// second channel of the same session. The first interrupt sends the signal it names (INT,
/// TERM, HUP); a second one sends KILL and stops waiting.
public struct RemoteInterrupt: Sendable {
    /// The command line that sends the signal named (without "SIG") to the running command.
    public let command: @Sendable (String) -> String

    public init(command: @escaping @Sendable (String) -> String) {
        self.command = command
    }

    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGTERM: return "TERM"
        case SIGHUP: return "HUP"
        default: return "INT"
        }
    }
}
