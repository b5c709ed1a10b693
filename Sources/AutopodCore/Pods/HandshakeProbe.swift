import AutopodSupport
import FoundationEssentials
import SSHKit

/// The readiness check `connect` uses: a full SSH handshake, the host-key check and
/// authentication, each bounded by the probe's timeout. A port that accepts TCP, or even sends a
/// banner, is not yet a pod the user can get into.
public struct HandshakeProbe: SSHReadinessProbe {
    public let ssh: PodSSH

    public init(ssh: PodSSH) { self.ssh = ssh }

    public func check(_ endpoint: PodEndpoint, timeout: Duration) throws(SSHProbeRefusal) -> String? {
        var options = ssh.options
        // The handshake and authentication are several round trips: they get three times the
        // connect's share, and never less than a slow link needs.
        options.connectTimeout = max(timeout, .milliseconds(500))
        options.operationTimeout = max(timeout * 3, .seconds(2))
        let target = SSHEndpoint(host: endpoint.host, port: endpoint.port, user: ssh.config.sshUser)
        do throws(SSHError) {
            let session = try SSHSession(connectingTo: target, options: options)
            try ssh.verifyHostKey(target, session.hostKey)
            try session.authenticate(ssh.credentials, passphrase: ssh.passphrase)
            return nil
        } catch {
            switch error.kind {
            case .hostKeyChanged, .unsupportedKey, .keyFile, .knownHostsFile, .authentication:
                throw SSHProbeRefusal(error.userMessage)
            default:
                return error.userMessage
            }
        }
    }
}
