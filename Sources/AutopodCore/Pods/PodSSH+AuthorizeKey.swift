import AutopodSupport
import SSHKit

extension PodSSH {
    /// Adds `publicKeyLine` to the pod's `~/.ssh/authorized_keys` (once), logging in with the
    /// keys the pod already knows. Used when the user's key changes while pods still run.
    public func authorize(publicKeyLine: String) throws {
        let quoted = "'" + publicKeyLine.replacing("'", with: "'\\''") + "'"
        // grep -F -x: an exact line already there is not added twice.
        let script =
            "umask 077; mkdir -p ~/.ssh && touch ~/.ssh/authorized_keys && "
            + "(grep -qxF \(quoted) ~/.ssh/authorized_keys || printf '%s\\n' \(quoted) >> ~/.ssh/authorized_keys)"
        let session = try connect()
        let exit = try session.exec(script, stdin: nil, stdout: STDERR_FILENO, stderr: STDERR_FILENO)
        guard exit.exitCode == 0 else {
            throw KeyAuthorizationError(podName: podName, exitCode: exit.exitCode)
        }
    }
}
