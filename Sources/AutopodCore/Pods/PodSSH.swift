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
    /// `--accept-new-host-key` / `--accept-host-key FP`: one replacement the user allowed,
    /// shared by every copy of this value (a tunnel reconnects many times) and spent on use.
    public var hostKeyAllowance = HostKeyAllowance(nil)
    /// The pod as `currentEndpoint` last read it, for `verifyHostKey`'s restart evidence
    /// (shared by copies, as the tunnel resolves and verifies through the same value).
    let lastReading = LockedValue<RemotePod?>(nil)
    /// The pod as the command found it in the account's list a moment ago (`useListing`).
    let listedReading = LockedValue<RemotePod?>(nil)
    public var options = SSHSessionOptions()
    /// Asked for an encrypted key's passphrase; the CLI prompts without echo.
    public var passphrase: @Sendable (String) -> String? = { _ in nil }
    /// Told about first contact and key replacement, for the user to see.
    public var notice: @Sendable (String) -> Void = { _ in }
    /// Keys given for this run (`-i KEY`), offered before the configured ones.
    public var identityFiles: [String] = []
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
        // The keys given on the command line, then the configured key, then the earlier keys that
        // pods started before a key change still know; the agent after them all.
        var files: [String] = []
        for path in identityFiles + config.sshKeyPaths where !files.contains(path) { files.append(path) }
        return SSHCredentials(keyFiles: files, useAgent: true)
    }

    public var knownHosts: KnownHostsFile { KnownHostsFile(path: paths.knownHosts.path) }

    /// Lets the first connection take the pod's endpoint from `reading`, the account's list
    /// the command found the pod in a moment ago, instead of asking RunPod again: one API round
    /// trip less before every command (0.1-0.3 s on RunPod's API). A later connection (a
    /// reconnect) asks afresh. Shared by copies, and spent on use.
    public func useListing(_ reading: RemotePod?) {
        listedReading.set(reading)
    }

    /// The pod's SSH endpoint right now. A stopped pod is an error worth retrying (it may be
    /// started again); a terminated one is final.
    public func currentEndpoint() throws(SSHError) -> SSHEndpoint {
        let listed = listedReading.withLock { reading in
            defer { reading = nil }
            return reading
        }
        let pod: RemotePod?
        if let listed {
            pod = listed
        } else {
            do {
                pod = try provider.pod(id: podID)
            } catch {
                throw SSHError(.connect, "could not ask RunPod where \(podName) is: \(error)")
            }
        }
        guard let pod else {
            throw SSHError(.endpointGone, "\(podName) no longer exists (terminated).")
        }
        lastReading.set(pod)
        guard pod.isRunning else {
            if pod.wasOutbid {
                throw SSHError(
                    .connect,
                    "\(podName) was preempted (\((pod.lastStatusChange ?? "outbid").terminalSafe)): RunPod took the spot pod back; "
                        + "waiting for it to run again (`autopod recover \(TerminalText.shellWord(podName))` bids for it).")
            }
            throw SSHError(.connect, "\(podName) is \(pod.desiredStatus.lowercased()); waiting for it to run again (`autopod start \(TerminalText.shellWord(podName))`).")
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

    /// Checks the host key against the pod's pin: first contact pins it; a key changed after a
    /// restart that autopod saw or that the API proves replaces it, once per restart; a change
    /// the user allowed replaces it once; any other change is refused. After every successful
    /// check the markers (run, start time, check time) move to now, whatever the outcome.
    public func verifyHostKey(_ endpoint: SSHEndpoint, _ key: SSHHostKey) throws(SSHError) {
        let snapshot = try? store.snapshot()
        let record = snapshot?.state.record(id: podID)
        let runs = record?.intervals.count ?? 0
        let remote = lastReading.current ?? ((try? provider.pod(id: podID)) ?? nil)
        let now = Date()
        let evidence = RestartEvidence.since(lastCheck: record, remote: remote, now: now)
        let verdict = try hostKeyAllowance.withAllowance { (accept) throws(SSHError) -> (HostKeyVerdict, used: Bool) in
            let verdict = try knownHosts.verify(
                podID: podID, endpoint: endpoint, presented: key, restartEvidence: evidence, accept: accept)
            return (verdict, verdict.acceptedByUser)
        }
        _ = try? store.update(from: snapshot) { state in
            state.update(id: podID) { record in
                record.hostKeyPinnedRun = runs
                record.hostKeyCheckedAt = now
                if let started = remote?.lastStartedAt { record.hostKeyCheckedStart = started }
            }
        }
        // OpenSSH's copy of the pins (ssh-config's entries) follows every change.
        if verdict.outcome != .trusted || !OpenSSHKnownHosts.hasPin(podID: podID, paths: paths) {
            _ = try? OpenSSHKnownHosts.sync(paths: paths)
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

    /// Leaves a tombstone for a terminated pod's id in place of its pins, so nothing answering
    /// at its old address is ever pinned for it (a tunnel may still be running, and the API may
    /// show the pod as running for a moment).
    public static func bury(podID: String, paths: AutopodPaths) {
        _ = try? KnownHostsFile(path: paths.knownHosts.path).bury(
            podID: podID, note: "terminated=" + ISO8601Timestamp.format(Date(), milliseconds: false))
        _ = try? OpenSSHKnownHosts.sync(paths: paths)
    }
}
