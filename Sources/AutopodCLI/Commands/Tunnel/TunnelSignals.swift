import AutopodSupport
import Dispatch
import FoundationEssentials
import SSHKit

/// SIGINT, SIGTERM and SIGHUP stop the forwarder cleanly (listeners closed, state file removed)
/// instead of killing the process mid-write; a second Ctrl+C exits at once. A stop that cannot
/// finish within `grace` seconds (a connect or handshake to an unreachable pod blocks for up to
/// its timeout) calls `giveUp`, which cleans up and exits, so `tunnel stop` never waits long.
final class TunnelSignals: @unchecked Sendable {
    private let forwarder: PortForwarder
    private let grace: Double
    private let giveUp: @Sendable (Int32) -> Void
    private let lock = Lock()
    private var first: Int32?
    private var sources: [any DispatchSourceSignal] = []

    init(forwarder: PortForwarder, grace: Double = 4, giveUp: @escaping @Sendable (Int32) -> Void) {
        self.forwarder = forwarder
        self.grace = grace
        self.giveUp = giveUp
    }

    func install() {
        sources = TerminationSignals.handle { [weak self] number in self?.received(number) }
    }

    /// The first signal that arrived, if any.
    var received: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    private func received(_ number: Int32) {
        lock.lock()
        let again = first != nil
        if first == nil { first = number }
        lock.unlock()
        if again && number == SIGINT { giveUp(number) }
        forwarder.stop()
        if !again {
            let giveUp = self.giveUp
            DispatchQueue.global().asyncAfter(deadline: .now() + grace) { giveUp(number) }
        }
    }
}
