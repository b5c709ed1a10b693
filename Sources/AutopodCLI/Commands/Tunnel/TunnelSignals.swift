import AutopodSupport
import Dispatch
import FoundationEssentials
import SSHKit

/// SIGINT, SIGTERM and SIGHUP stop the forwarder cleanly (listeners closed, state file removed)
/// instead of killing the process mid-write; a second Ctrl+C exits at once. A stop that cannot
/// finish within `grace` (a connect or handshake to an unreachable pod blocks for up to its
/// timeout) calls `giveUp`, which cleans up and exits, so `tunnel stop` never waits long.
final class TunnelSignals: Sendable {
    private let forwarder: PortForwarder
    private let grace: Duration
    private let giveUp: @Sendable (Int32) -> Void

    private struct State {
        /// The first signal that arrived, if any.
        var first: Int32?
        var sources: [any DispatchSourceSignal] = []
    }

    private let state = LockedValue(State())

    init(forwarder: PortForwarder, grace: Duration = .seconds(4), giveUp: @escaping @Sendable (Int32) -> Void) {
        self.forwarder = forwarder
        self.grace = grace
        self.giveUp = giveUp
    }

    func install() {
        let sources = TerminationSignals.handle { [weak self] number in self?.received(number) }
        state.withLock { $0.sources = sources }
    }

    /// The first signal that arrived, if any.
    var received: Int32? {
        state.withLock { $0.first }
    }

    private func received(_ number: Int32) {
        let again = state.withLock { state in
            defer { if state.first == nil { state.first = number } }
            return state.first != nil
        }
        if again && number == SIGINT { giveUp(number) }
        forwarder.stop()
        if !again {
            let giveUp = self.giveUp
            // DispatchTime counts on the monotonic clock.
            DispatchQueue.global().asyncAfter(deadline: .now() + grace.seconds) { giveUp(number) }
        }
    }
}
