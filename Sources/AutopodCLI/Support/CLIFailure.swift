import AutopodSupport
/// A failure the CLI reports with its own message and exit status.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    let exitStatus: Int32

    init(_ description: String, exitStatus: Int32 = 1) {
        self.description = description
        self.exitStatus = exitStatus
    }

    static let interrupted = CLIFailure("interrupted", exitStatus: 130)
}
