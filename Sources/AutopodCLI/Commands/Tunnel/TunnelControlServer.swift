import AutopodCore
import AutopodSupport
import Dispatch
import SSHKit

/// The running tunnel's side of `TunnelRequest`: on SIGUSR1 it reads the request file, adds or
/// removes forwards on its live forwarder (the SSH session carries on), republishes its state
/// and writes the reply.
final class TunnelControlServer: Sendable {
    private let registry: TunnelRegistry
    /// The pod's id and name (escaped), which a spot recovery may change.
    private let pod: LockedValue<(id: String, name: String)>
    private let forwarder: PortForwarder
    private let status: TunnelStatus
    private let source = LockedValue<(any DispatchSourceSignal)?>(nil)
    private let queue = DispatchQueue(label: "autopod.tunnel.control")

    init(registry: TunnelRegistry, podID: String, podName: String, forwarder: PortForwarder, status: TunnelStatus) {
        self.registry = registry
        pod = LockedValue((podID, podName))
        self.forwarder = forwarder
        self.status = status
    }

    /// SIGUSR1 would end the process by default: this must run before the state file that
    /// invites requests is published.
    static func ignoreSignal() { signal(SIGUSR1, SIG_IGN) }

    func install() {
        Self.ignoreSignal()
        let source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: queue)
        source.setEventHandler { [weak self] in self?.serve() }
        source.resume()
        self.source.set(source)
    }

    func cancel() {
        source.current?.cancel()
    }

    func follow(podID: String, podName: String) {
        pod.set((podID, podName))
    }

    private func serve() {
        let (podID, podName) = pod.current
        guard let request = registry.readJSON(TunnelRequest.self, from: registry.requestFile(podID: podID)) else { return }
        var reply = TunnelReply(id: request.id)
        for port in request.remove {
            if let removed = forwarder.remove(localPort: port) {
                reply.done.append("stopped forwarding localhost:\(port) → \(podName):\(removed.remotePort)")
            } else {
                reply.errors.append("the tunnel to \(podName) does not forward localhost:\(port)")
            }
        }
        let binder = LocalForwards(registry: registry, podID: podID, selfPID: getpid())
        for add in request.add {
            let forward = ConfigForward(localPort: add.localPort, remotePort: add.remotePort)
            if let existing = zip(forwarder.boundPorts, forwarder.specs).first(where: { $0.0 == add.localPort }) {
                if existing.1.remotePort == add.remotePort {
                    reply.done.append("localhost:\(add.localPort) → \(podName):\(add.remotePort) is already forwarded by this tunnel")
                } else {
                    reply.errors.append(
                        "this tunnel already forwards localhost:\(add.localPort) to \(podName):\(existing.1.remotePort); "
                            + "`autopod tunnel stop \(TerminalText.shellWord(podName)) \(add.localPort)` frees it")
                }
                continue
            }
            switch binder.bind(forward, flexible: add.flexible, podName: podName, onto: forwarder) {
            case .bound(let local, let note):
                if let note { reply.done.append(note) }
                reply.done.append("added localhost:\(local) → \(podName):\(add.remotePort)")
            case .alreadyForwarded(let note): reply.done.append(note)
            case .failed(let reason): reply.errors.append(reason)
            }
        }
        for line in reply.done { status.say(line) }
        for line in reply.errors { status.say(line) }
        // The state file first: whoever reads the reply then sees the new ports in `tunnel list`.
        status.refresh(stats: forwarder.stats(), force: true)
        try? registry.writeJSON(reply, to: registry.replyFile(podID: podID))
    }
}
