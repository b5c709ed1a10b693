import AutopodCore
import AutopodSupport
import FoundationEssentials

/// Asks the pod's running tunnel for a change (see `TunnelRequest`) and waits for its answer.
struct TunnelControlClient {
    let registry: TunnelRegistry
    let tunnel: TunnelRecord

    func send(_ request: TunnelRequest, timeout: Duration = .seconds(10)) throws -> TunnelReply {
        let lock = try FileLock(path: registry.controlLockFile(podID: tunnel.podID), timeout: timeout)
        return try withExtendedLifetime(lock) {
            // `running()` took the pid from the lock's holder; a signal goes only to an autopod tunnel.
            guard TunnelLock.isAutopodTunnel(tunnel.pid) else {
                throw CLIFailure(
                    "the lock of the tunnel to \(tunnel.podName.terminalSafe) is held by pid \(tunnel.pid), which is not an autopod tunnel; nothing was asked of it")
            }
            try registry.writeJSON(request, to: registry.requestFile(podID: tunnel.podID))
            kill(tunnel.pid, SIGUSR1)
            let deadline = Deadline.after(timeout)
            while !deadline.hasPassed {
                if let reply = registry.readJSON(TunnelReply.self, from: registry.replyFile(podID: tunnel.podID)), reply.id == request.id {
                    return reply
                }
                if !registry.isHeld(podID: tunnel.podID) {
                    throw CLIFailure("the tunnel to \(tunnel.podName.terminalSafe) ended before it answered")
                }
                Sleep.for(.milliseconds(20))
            }
            throw CLIFailure(
                "the tunnel to \(tunnel.podName.terminalSafe) (pid \(tunnel.pid)) did not answer within \(timeout.wholeSeconds) s; "
                    + "its log: \(tunnel.logPath ?? "the terminal it runs in")")
        }
    }
}
