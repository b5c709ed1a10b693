/// What a finished program printed and how it ended: the one result type for every program the
/// simulator and the tests run to the end.
public struct ProcessResult: Sendable, CustomStringConvertible {
    /// The exit code, or 128 + the signal that killed it.
    public let status: Int32
    public let stdout: String
    /// Empty when stderr was merged into stdout.
    public let stderr: String
    /// The program ran past its time and was killed.
    public let timedOut: Bool

    public init(status: Int32, stdout: String, stderr: String, timedOut: Bool = false) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
    }

    public var description: String {
        "exit \(status)\(timedOut ? " (killed: it ran out of time)" : "")\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)"
    }
}
