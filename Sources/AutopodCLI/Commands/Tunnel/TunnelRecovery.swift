import AutopodCore
import AutopodSupport
import SSHKit

/// The pod a `tunnel --recover` forwards to: when the pod turns out to be preempted, recovery
/// runs right there (the local ports stay bound meanwhile) and the forwards follow the pod that
/// comes back, resumed or new. A recovery that gives up ends the tunnel with its reason.
final class TunnelRecovery: Sendable {
    private let current: LockedValue<PodSSH>
    private let recovery: SpotRecovery?
    private let makeSSH: @Sendable (PodRecord) -> PodSSH
    private let say: @Sendable (String) -> Void
    /// Told when the forwards move to a new pod, with that pod's SSH.
    private let moved: @Sendable (PodSSH) -> Void

    init(
        ssh: PodSSH, recovery: SpotRecovery?, makeSSH: @escaping @Sendable (PodRecord) -> PodSSH,
        say: @escaping @Sendable (String) -> Void, moved: @escaping @Sendable (PodSSH) -> Void
    ) {
        current = LockedValue(ssh)
        self.recovery = recovery
        self.makeSSH = makeSSH
        self.say = say
        self.moved = moved
    }

    var ssh: PodSSH { current.current }

    func endpoint() throws(SSHError) -> SSHEndpoint {
        let ssh = current.current
        do {
            return try ssh.currentEndpoint()
        } catch {
            guard let recovery, let pod = ssh.lastReported, pod.wasOutbid,
                let record = try? recovery.manager.store.snapshot().state.record(id: ssh.podID)
            else { throw error }
            say("preempted: \(ssh.podName) was preempted (\((pod.lastStatusChange ?? "outbid").terminalSafe)); recovering")
            let recovered: PodRecord
            do {
                recovered = try recovery.recover(record) { say(RecoveryWords.line($0, podName: ssh.podName)) }
            } catch {
                throw SSHError(.endpointGone, "\(error)")
            }
            let next = makeSSH(recovered)
            current.set(next)
            if recovered.id != record.id { moved(next) }
            say(
                recovered.id == record.id
                    ? "recovered: \(record.name) resumed; the forwards reconnect once it answers"
                    : "recovered: the forwards now go to \(recovered.name) (\(recovered.id)) once it answers")
            return try next.currentEndpoint()
        }
    }

    func verifyHostKey(_ endpoint: SSHEndpoint, _ key: SSHHostKey) throws(SSHError) {
        try current.current.verifyHostKey(endpoint, key)
    }
}
