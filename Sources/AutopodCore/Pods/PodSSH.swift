import AutopodSupport
import FoundationEssentials
import Logging
import SSHKit

/// How autopod reaches a pod over SSH: the user's key, the pod's current endpoint as the API
/// reports it (ports change on every start), and the pod's pinned host key.
public struct PodSSH: Sendable {
    public let podID: String
    public let podName: String
    public let config: AutopodConfig
    public let paths: AutopodPaths
    public let provider: any CloudProvider
    public let store: PodStateStore
    /// `--accept-new-host-key`: replace a changed key deliberately.
    public var acceptNewHostKey = false
    public var options = SSHSessionOptions()
    /// Asked for an encrypted key's passphrase; the CLI prompts without echo.
    public var passphrase: @Sendable (String) -> String? = { _ in nil }
    /// Told about first contact and key replacement, for the user to see.
    public var notice: @Sendable (String) -> Void = { _ in }
    private let logger = Logger(label: "autopod.ssh")

    public init(
        podID: String, podName: String, config: AutopodConfig, paths: AutopodPaths, provider: any CloudProvider,
        store: PodStateStore
    ) {
        self.podID = podID
        self.podName = podName
        self.config = config
        self.paths = paths
        self.provider = provider
        self.store = store
    }

    public var credentials: SSHCredentials {
        SSHCredentials(keyFiles: config.sshKeyPath.map { [$0] } ?? [], useAgent: true)
    }

    public var knownHosts: KnownHostsFile { KnownHostsFile(path: paths.knownHosts.path) }

    /// The pod's SSH endpoint right now. A stopped pod is an error worth retrying (it may be
    /// started again); a terminated one is final.
    public func currentEndpoint() throws(SSHError) -> SSHEndpoint {
        let pod: RemotePod?
        do {
            pod = try provider.pod(id: podID)
        } catch {
            throw SSHError(.connect, "could not ask RunPod where \(podName) is: \(error)")
        }
        guard let pod else {
            throw SSHError(.endpointGone, "\(podName) no longer exists (terminated).")
        }
        guard pod.isRunning else {
            throw SSHError(.connect, "\(podName) is \(pod.desiredStatus.lowercased()); waiting for it to run again (`autopod start \(podName)`).")
        }
        guard let endpoint = pod.sshEndpoint else {
            throw SSHError(.connect, "\(podName) has no public SSH port yet; it may still be starting.")
        }
        let snapshot = try? store.snapshot()
        if snapshot?.state.record(id: podID)?.endpoint != endpoint {
            _ = try? store.update(from: snapshot) { state in state.update(id: podID) { $0.endpoint = endpoint } }
        }
        return SSHEndpoint(host: endpoint.host, port: endpoint.port, user: config.sshUser)
    }

    /// Checks the host key against the pod's pin: first contact pins it, a key changed after a
    /// stop and start that autopod saw replaces it, any other change is refused.
    public func verifyHostKey(_ endpoint: SSHEndpoint, _ key: SSHHostKey) throws(SSHError) {
        let snapshot = try? store.snapshot()
        let record = snapshot?.state.record(id: podID)
        let runs = record?.intervals.count ?? 0
        let restartSeen = record.map { ($0.hostKeyPinnedRun ?? runs) < runs } ?? false
        let verdict = try knownHosts.verify(
            podID: podID, endpoint: endpoint, presented: key, restartSeenSincePinned: restartSeen,
            acceptNew: acceptNewHostKey)
        if verdict.outcome == .pinned || verdict.outcome == .replaced || record?.hostKeyPinnedRun == nil {
            _ = try? store.update(from: snapshot) { state in state.update(id: podID) { $0.hostKeyPinnedRun = runs } }
        }
        if let message = verdict.notice { notice(message) }
        logger.debug("host key", metadata: ["pod": "\(podID)", "outcome": "\(verdict.outcome.rawValue)", "fingerprint": "\(verdict.fingerprint)"])
    }

    /// An authenticated session to the pod, its host key checked.
    public func connect() throws(SSHError) -> SSHSession {
        let endpoint = try currentEndpoint()
        let session = try SSHSession(connectingTo: endpoint, options: options, logger: logger)
        try verifyHostKey(endpoint, session.hostKey)
        try session.authenticate(credentials, passphrase: passphrase)
        return session
    }

    /// Forgets the pod's host key, so a later pod on the same address is not taken for an attacker.
    public static func forget(podID: String, paths: AutopodPaths) {
        _ = try? KnownHostsFile(path: paths.knownHosts.path).forget(podID: podID)
    }
}
