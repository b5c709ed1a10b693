import AutopodSupport
import Foundation

/// RunPod's API as a pod reaches it. A real pod calls https://api.runpod.io with its own
/// RUNPOD_API_KEY; a simulated pod in its own network namespace cannot see the simulator's
/// loopback listener, so this relays TCP from the host side of the pod's veth pair (the
/// pod's default gateway) to the API on loopback. Pods learn the address from
/// `RUNPOD_API_BASE_URL` in their environment (only the simulator sets it). The API still
/// decides what the pod's key may do: that pod alone.
final class PodAPIRelay: Sendable {
    /// An address to relay to.
    struct Target: Sendable {
        let host: String
        let port: UInt16
        var url: String { "http://\(host):\(port)" }
    }

    let host: String
    let port: UInt16
    private let target: Target
    private let listenFD: Int32
    private struct State {
        var stopped = false
        var open: Set<Int32> = []
    }
    private let state = LockedValue(State())

    /// Listens on `host` (a free port) and relays to `target`.
    init(host: String, target: Target) throws(SimulatorError) {
        listenFD = try Sockets.listen(host: host, port: 0)
        port = Sockets.localPort(listenFD)
        self.host = host
        self.target = target
        Thread.start("rpsim-api-relay") { [self] in acceptLoop() }
    }

    var url: String { "http://\(host):\(port)" }

    func stop() {
        let open: Set<Int32> = state.withLock { state in
            state.stopped = true
            defer { state.open = [] }
            return state.open
        }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        open.forEach { shutdown($0, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        Sockets.acceptUntilClosed(listenFD) { client in
            Thread.start("rpsim-api-relay-conn") { [self] in relay(client) }
        }
    }

    /// Copies both ways until both sides have finished, passing each side's end on as a
    /// half-close, so an HTTP client that shuts down its sending side still gets its reply.
    private func relay(_ client: Int32) {
        guard let upstream = Sockets.connect(host: target.host, port: target.port, timeout: 5) else {
            close(client)
            return
        }
        let registered = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.open.formUnion([client, upstream])
            return true
        }
        defer {
            state.withLock { $0.open.subtract([client, upstream]) }
            close(client)
            close(upstream)
        }
        guard registered else { return }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
        var open = [true, true]
        while open[0] || open[1] {
            for i in 0..<2 { fds[i].events = open[i] ? Int16(POLLIN) : 0 }
            let ready = poll(&fds, 2, 60_000)
            if ready < 0 && errno == EINTR { continue }
            // A minute without a byte either way: the pod's client is gone.
            if ready <= 0 { return }
            for i in 0..<2 where open[i] && fds[i].revents != 0 {
                let from = fds[i].fd
                let to = fds[1 - i].fd
                let n = read(from, &buffer, buffer.count)
                if n > 0 {
                    let sent = buffer.withUnsafeBytes { Sockets.writeAll(to, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    if !sent { return }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[i] = false
                    shutdown(to, Int32(SHUT_WR))
                }
            }
        }
    }
}
