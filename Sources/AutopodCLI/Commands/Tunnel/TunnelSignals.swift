import Dispatch
import Foundation
import SSHKit

/// SIGINT, SIGTERM and SIGHUP stop the forwarder cleanly (listeners closed, state file removed)
/// instead of killing the process mid-write; a second Ctrl+C exits at once.
final class TunnelSignals: @unchecked Sendable {
    private let forwarder: PortForwarder
    private let lock = NSLock()
    private var first: Int32?
    private var sources: [any DispatchSourceSignal] = []

    init(forwarder: PortForwarder) {
        self.forwarder = forwarder
    }

    func install() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: DispatchQueue.global())
            source.setEventHandler { [weak self] in self?.received(number) }
            source.resume()
            sources.append(source)
        }
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
        if again && number == SIGINT { exit(130) }
        forwarder.stop()
    }
}
