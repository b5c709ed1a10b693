import AutopodCore
import AutopodSupport
import SSHKit

/// Binds forwards onto a forwarder the way every command does: a local port that autopod's own
/// tunnel already forwards to the same pod port is left to it; a configured forward whose port
/// is taken moves to the next free port (and says so) instead of being lost; a port the user
/// named is never moved, and when it is taken the message says by whom.
struct LocalForwards {
    let registry: TunnelRegistry
    let podID: String
    /// This process's pid when it is itself the pod's tunnel (its own ports are not "taken").
    var selfPID: Int32? = nil

    /// How far past a taken configured port to look for a free one.
    static let searchSpan = 100

    enum Outcome {
        /// Listening on `localPort`; `note` says why it is not the port asked for.
        case bound(localPort: Int, note: String?)
        /// autopod's tunnel to this pod forwards it already.
        case alreadyForwarded(String)
        case failed(String)
    }

    /// Binds `forward`; `flexible` for a configured forward (may move), not for a named port.
    func bind(_ forward: ConfigForward, flexible: Bool, podName: String, onto forwarder: PortForwarder) -> Outcome {
        let holder = tunnelHolding(forward.localPort)
        if let holder, holder.podID == podID,
            holder.forwards.contains(where: { $0.localPort == forward.localPort && $0.remotePort == forward.remotePort })
        {
            return .alreadyForwarded(
                "localhost:\(forward.localPort) → \(podName):\(forward.remotePort) is already forwarded by autopod's tunnel (pid \(holder.pid))")
        }
        let firstError: SSHError
        do {
            return .bound(localPort: try forwarder.add(spec(forward, local: forward.localPort)), note: nil)
        } catch {
            firstError = error
        }
        let heldBy = holder.map { "autopod's own tunnel to \($0.podName.terminalSafe) (pid \($0.pid))" } ?? "another program"
        guard flexible else {
            if let holder {
                return .failed(
                    "local port \(forward.localPort) is held by \(heldBy); `autopod tunnel stop \(TerminalText.shellWord(holder.podName)) "
                        + "\(forward.localPort)` frees it, or pick another local port (e.g. \(forward.localPort + 10000):\(forward.remotePort))")
            }
            return .failed(firstError.description)
        }
        let upper = min(forward.localPort + Self.searchSpan, ConfigForward.portRange.upperBound)
        for port in (forward.localPort + 1)...max(forward.localPort + 1, upper) where port <= upper {
            if tunnelHolding(port) != nil { continue }
            if let bound = try? forwarder.add(spec(forward, local: port)) {
                return .bound(
                    localPort: bound,
                    note: "localhost:\(forward.localPort) is taken by \(heldBy), so the pod's port \(forward.remotePort) is on localhost:\(bound) instead")
            }
        }
        return .failed("\(firstError.description) No free port was found up to \(upper) either.")
    }

    private func spec(_ forward: ConfigForward, local: Int) -> ForwardSpec {
        ForwardSpec(localPort: local, remotePort: forward.remotePort)
    }

    /// The running autopod tunnel (other than this process) that listens on `port`, if any.
    func tunnelHolding(_ port: Int) -> TunnelRecord? {
        registry.running().first { record in
            record.pid != selfPID && record.forwards.contains { $0.localPort == port }
        }
    }
}
