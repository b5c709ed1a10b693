import AutopodSupport
import AutopodCore
import SSHKit

/// How `exec` and `shell` end when SSH fails: exit 255, as OpenSSH's client does, so a script
/// can tell a lost pod from the remote command's own `exit 1`; a connection lost mid-session is
/// explained by what became of the pod (stopped, killed, sshd gone, link down).
enum PodSessionExit {
    static func run(_ ssh: PodSSH, _ body: () throws -> Int32) throws -> Int32 {
        do {
            return try body()
        } catch let error as SSHError {
            switch error.kind {
            case .disconnected, .unresponsive:
                throw CLIFailure(ssh.explainLoss(error).description, exitStatus: SessionLoss.exitStatus)
            case .interrupted:
                throw CLIFailure(error.description, exitStatus: 130)
            default:
                throw CLIFailure(error.userMessage, exitStatus: SessionLoss.exitStatus)
            }
        }
    }
}
