import Foundation
import AutopodSupport

/// The public SSH endpoint of a pod: a TCP proxy on 127.0.0.1 in the simulator's own process.
/// It is where added latency is injected (tc netem is not available) and where a cut network
/// is felt: new connections are refused and open ones stall until the network is restored.
final class LatencyProxy: Sendable {
    let port: UInt16
    private let listenFD: Int32
    private let targetHost: String
    private let targetPort: UInt16

    /// Set by the control API, read by the accept and pipe threads.
    private struct State {
        var delayMs = 0
        var bytesPerSecond = 0
        var up = true
        var stopped = false
        var connections: [Int: (fds: [Int32], pipes: [ProxyPipe])] = [:]
        var nextID = 0
    }

    private let state = LockedValue(State())

    init(targetHost: String, targetPort: UInt16, avoiding avoidPort: UInt16? = nil) throws(SimulatorError) {
        var fd = try Sockets.listen(host: "127.0.0.1", port: 0)
        // A resumed pod must get a new public port, as on RunPod; ephemeral ports rarely repeat
        // at once, but make sure.
        if let avoidPort, Sockets.localPort(fd) == avoidPort {
            let again = try Sockets.listen(host: "127.0.0.1", port: 0)
            close(fd)
            fd = again
        }
        listenFD = fd
        port = Sockets.localPort(fd)
        self.targetHost = targetHost
        self.targetPort = targetPort
        Thread.start("rpsim-proxy-accept") { [self] in acceptLoop() }
    }

    var latencyMs: Int {
        get { state.current.delayMs }
        set { state.withLock { $0.delayMs = max(0, newValue) } }
    }

    /// Each direction's bandwidth in bytes per second; 0 = unlimited.
    var bandwidth: Int {
        get { state.current.bytesPerSecond }
        set { state.withLock { $0.bytesPerSecond = max(0, newValue) } }
    }

    var networkUp: Bool {
        get { state.current.up }
        set {
            let pipes: [ProxyPipe] = state.withLock { state in
                state.up = newValue
                return state.connections.values.flatMap(\.pipes)
            }
            pipes.forEach { $0.poke() }
        }
    }

    func stop() {
        let open: [(fds: [Int32], pipes: [ProxyPipe])] = state.withLock { state in
            state.stopped = true
            defer { state.connections.removeAll() }
            return Array(state.connections.values)
        }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for connection in open {
            connection.pipes.forEach { $0.abort() }
            connection.fds.forEach { shutdown($0, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        Sockets.acceptUntilClosed(listenFD) { client in
            // A client that raced `stop` or came while the network is down is turned away.
            guard !state.current.stopped, networkUp else {
                close(client)
                return
            }
            Sockets.setNoDelay(client)
            // Connect off the accept thread so a slow pod does not hold up other clients.
            Thread.start("rpsim-proxy-conn") { [self] in bridge(client) }
        }
    }

    private func bridge(_ client: Int32) {
        guard let upstream = Sockets.connect(host: targetHost, port: targetPort, timeout: 5) else {
            close(client)
            return
        }
        let id: Int = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        // Both directions must finish before the sockets close.
        let remaining = LockedValue(2)
        let done: @Sendable () -> Void = { [self] in
            let left = remaining.withLock { count in
                count -= 1
                return count
            }
            if left == 0 {
                state.withLock { _ = $0.connections.removeValue(forKey: id) }
                close(client)
                close(upstream)
            }
        }
        let delay: @Sendable () -> Double = { [self] in Double(latencyMs) / 1000 }
        let rate: @Sendable () -> Int = { [self] in bandwidth }
        let isUp: @Sendable () -> Bool = { [self] in networkUp }
        let outbound = ProxyPipe(from: client, to: upstream, delay: delay, rate: rate, isUp: isUp, onDone: done)
        let inbound = ProxyPipe(from: upstream, to: client, delay: delay, rate: rate, isUp: isUp, onDone: done)
        let registered: Bool = state.withLock { state in
            guard !state.stopped else { return false }
            state.connections[id] = ([client, upstream], [outbound, inbound])
            return true
        }
        guard registered else {
            close(client)
            close(upstream)
            return
        }
        outbound.start()
        inbound.start()
    }
}
