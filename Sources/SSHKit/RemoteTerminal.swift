import AutopodSupport

/// A PTY for a remote command (`exec -t`).
public struct RemoteTerminal: Sendable, Equatable {
    public var type: String
    public var columns: Int32
    public var rows: Int32

    /// The local terminal's size on `fd` (80x24 when it has none) and `type` (xterm-256color
    /// when empty).
    public static func matching(fd: Int32, type: String?) -> RemoteTerminal {
        let size = TerminalMode.windowSize(fd)
        return RemoteTerminal(type: (type?.isEmpty ?? true) ? "xterm-256color" : type!, columns: size.cols, rows: size.rows)
    }
}
