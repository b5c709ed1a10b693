import AutopodSupport
import SSHKit

/// Why an `exec` or `shell` session ended without the remote side's exit status, told so a
/// person knows what happened to the pod and a script can tell it from the command's own
/// failure: autopod then exits 255, as OpenSSH's client does for any connection failure.
public struct SessionLoss: Error, CustomStringConvertible, Sendable {
    public enum Cause: String, Sendable {
        /// The pod no longer exists (killed).
        case terminated
        /// The pod was stopped (its GPU released, its processes gone).
        case stopped
        /// RunPod took a spot pod back: someone outbid it.
        case preempted
        /// The pod runs, but nothing completes SSH on its port any more.
        case sshdGone
        /// The pod runs, but no answer arrives: its network or ours is down.
        case linkLost
        /// The connection dropped, and the pod answers again.
        case dropped
    }

    /// The exit status for a session that ended this way (OpenSSH's).
    public static let exitStatus: Int32 = 255

    public let cause: Cause
    public let podName: String
    /// What SSHKit saw, in SSH terms.
    public let detail: SSHError
    /// RunPod's own words for the change, e.g. "Outbid: <date>", when it gave them.
    public var statusText: String?

    public var description: String {
        let what: String
        switch cause {
        case .terminated:
            what = "the pod was terminated."
        case .stopped:
            what = "the pod was stopped; `autopod start \(TerminalText.shellWord(podName))` resumes it."
        case .preempted:
            what =
                "RunPod preempted the spot pod (\((statusText ?? "outbid").terminalSafe)): someone bid more for its GPU. "
                + "Its container disk is lost; its volume is kept. `autopod recover \(TerminalText.shellWord(podName))` "
                + "resumes it with a new bid when the machine is free, or `autopod connect --spot` rents another."
        case .sshdGone:
            what = "the pod is running but its sshd no longer answers (\(detail.description))"
        case .linkLost:
            what = "the link to the pod is down (\(detail.description)) The pod is still running; check your network and try again."
        case .dropped:
            what = "the connection dropped (\(detail.description)) The pod answers again; run the command again."
        }
        return "lost the connection to \(podName): \(what)"
    }
}

extension PodSSH {
    /// Finds out why a session to this pod was lost: asks RunPod whether the pod still runs,
    /// and if it does, tries one short SSH handshake to tell a dead sshd from a dead link.
    /// Bounded by `recheck` (plus one API call), so the user learns the cause promptly.
    public func explainLoss(_ lost: SSHError, recheck: Duration = .seconds(2)) -> SessionLoss {
        let pod: RemotePod?
        do {
            pod = try provider.pod(id: podID)
        } catch {
            // RunPod is out of reach too: most likely our own network.
            return SessionLoss(cause: .linkLost, podName: podName, detail: errorDetail(lost, error))
        }
        guard let pod else { return SessionLoss(cause: .terminated, podName: podName, detail: lost) }
        guard pod.isRunning else {
            if pod.wasOutbid {
                return SessionLoss(cause: .preempted, podName: podName, detail: lost, statusText: pod.lastStatusChange)
            }
            return SessionLoss(cause: .stopped, podName: podName, detail: lost)
        }
        // Running without a runtime: the container is restarting, so no sshd yet.
        guard let endpoint = pod.sshEndpoint else { return SessionLoss(cause: .sshdGone, podName: podName, detail: lost) }
        var options = self.options
        options.connectTimeout = recheck
        options.operationTimeout = recheck
        do {
            _ = try SSHSession(connectingTo: SSHEndpoint(host: endpoint.host, port: endpoint.port, user: config.sshUser), options: options)
            return SessionLoss(cause: .dropped, podName: podName, detail: lost)
        } catch {
            // A server that went silent is a link that died: RunPod's proxy in front of the pod
            // then refuses new connections too, so the recheck cannot tell more.
            if lost.kind == .unresponsive { return SessionLoss(cause: .linkLost, podName: podName, detail: lost) }
            switch error.kind {
            case .connect, .handshake:
                // Closed by the far end, and nothing completes SSH behind the port now.
                return SessionLoss(cause: .sshdGone, podName: podName, detail: lost)
            default:
                return SessionLoss(cause: .linkLost, podName: podName, detail: lost)
            }
        }
    }

    private func errorDetail(_ lost: SSHError, _ apiError: any Error) -> SSHError {
        SSHError(lost.kind, "\(lost.description) RunPod could not be asked about the pod either: \(apiError).", code: lost.code, libssh2Message: lost.libssh2Message)
    }
}
