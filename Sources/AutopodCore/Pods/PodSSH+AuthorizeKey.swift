import AutopodSupport
import SSHKit

extension PodSSH {
    /// Adds `publicKeyLine` to the pod's `~/.ssh/authorized_keys` (once), logging in with the
    /// keys the pod already knows. Used when the user's key changes while pods still run.
    public func authorize(publicKeyLine: String) throws {
        let quoted = "'" + publicKeyLine.replacing("'", with: "'\\''") + "'"
        // grep -F -x: an exact line already there is not added twice.
        let script = "umask 077; mkdir -p ~/.ssh && touch ~/.ssh/authorized_keys && "
            + "(grep -qxF \(quoted) ~/.ssh/authorized_keys || printf '%s\\n' \(quoted) >> ~/.ssh/authorized_keys)"
        let session = try connect()
        let exit = try session.exec(script, stdin: nil, stdout: STDERR_FILENO, stderr: STDERR_FILENO)
        guard exit.exitCode == 0 else {
            throw KeyAuthorizationError(podName: podName, exitCode: exit.exitCode)
        }
    }
}

/// The pod refused to take the key: its authorized_keys could not be written.
public struct KeyAuthorizationError: Error, Sendable, CustomStringConvertible {
    public let podName: String
    public let exitCode: Int32
    public var description: String {
        "adding the key to \(podName)'s ~/.ssh/authorized_keys failed (the shell exited \(exitCode))"
    }
}
