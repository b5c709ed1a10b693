import AutopodCore
import AutopodSupport

extension PodView {
    /// `shell` and `exec` on a pod that is not running say so at once, with the command that
    /// starts it, rather than trying to reach it first. Exit 255, as for any session that could
    /// not be made (a script tells it from the remote command's own status).
    func requireRunning() throws {
        let name = TerminalText.shellWord(record.name)
        switch status {
        case .stopped:
            throw CLIFailure(
                "\(record.name.terminalSafe) is stopped: `autopod start \(name)` resumes it (`autopod start \(name) --shell` opens a shell once it answers)",
                exitStatus: SessionLoss.exitStatus)
        case .terminated:
            throw CLIFailure("\(record.name.terminalSafe) has been terminated; there is nothing to connect to", exitStatus: SessionLoss.exitStatus)
        default: return
        }
    }
}
