import AutopodSupport
import FoundationEssentials
import Logging

/// Local port forwards (`ssh -L`) that survive the SSH session: the listening sockets are bound
/// once, here, and every session made by `run` (or a shell's session, see
/// `InteractiveShell.run(alongside:)`) carries the connections.
///
/// `run` blocks its thread; `stop()` and `stats()` may be called from any thread.
public final class PortForwarder: Sendable {
    public let configuration: Configuration
    let logger: Logger
    let wake: WakePipe

    /// What threads share: `stop()`, `stats()`, `add` and `remove` come from any thread, the
    /// rest from `run`'s.
    private struct State {
        /// The bound forwards, in the order they were added, each with its counters.
        var forwards: [(listener: ForwardListener, stats: ForwardStats)] = []
        var nextIndex = 0
        var stopRequested = false
        /// `run`'s event handler, while it runs. Not Sendable: it is only called on the thread
        /// that runs the forwarder's session (from `run` and its engine), outside the lock.
        var eventSink: ((TunnelEvent) -> Void)?
    }

    private let state: LockedValue<State>

    /// Binds every local port now, so a port in use is reported before any SSH work.
    public init(
        _ specs: [ForwardSpec], configuration: Configuration = Configuration(), logger: Logger = Logger(label: "autopod.forward")
    ) throws(SSHError) {
        var configuration = configuration
        // libssh2 keeps windows in 32 bits; a read must fit in the window a channel opens with.
        configuration.minimumWindow = min(max(configuration.minimumWindow, ForwardEngine.readSize), 1 << 30)
        configuration.maximumWindow = min(max(configuration.maximumWindow, configuration.minimumWindow), 1 << 30)
        configuration.initialWindow = min(max(configuration.initialWindow, configuration.minimumWindow), configuration.maximumWindow)
        self.configuration = configuration
        self.logger = logger
        HeapRelease.keep(upTo: configuration.memoryBudget)
        var made: [(listener: ForwardListener, stats: ForwardStats)] = []
        for (i, spec) in specs.enumerated() {
            made.append((try ForwardListener(spec: spec, index: i), ForwardStats(spec: spec)))
        }
        state = LockedValue(State(forwards: made, nextIndex: made.count))
        wake = try WakePipe()
    }

    /// The forwards as asked for, in order.
    public var specs: [ForwardSpec] { state.withLock { $0.forwards.map(\.listener.spec) } }

    /// The local ports actually bound (differs from the spec when it asked for port 0).
    public var boundPorts: [Int] { state.withLock { $0.forwards.map(\.listener.boundPort) } }

    /// The listening sockets now; a caller keeps the array while it polls them.
    var listeners: [ForwardListener] { state.withLock { $0.forwards.map(\.listener) } }

    /// Binds one more forward while the forwarder runs (from any thread); its connections are
    /// carried from the session's next turn. Returns the local port bound.
    @discardableResult
    public func add(_ spec: ForwardSpec) throws(SSHError) -> Int {
        let index = state.withLock { state in
            defer { state.nextIndex += 1 }
            return state.nextIndex
        }
        let listener = try ForwardListener(spec: spec, index: index)
        state.withLock { $0.forwards.append((listener, ForwardStats(spec: spec))) }
        wake.wake()
        return listener.boundPort
    }

    /// Stops listening on `localPort` (from any thread); connections already open on it finish
    /// on their own. Returns the forward removed, nil when none listens there.
    @discardableResult
    public func remove(localPort: Int) -> ForwardSpec? {
        let removed = state.withLock { state -> ForwardSpec? in
            guard let i = state.forwards.firstIndex(where: { $0.listener.boundPort == localPort }) else { return nil }
            return state.forwards.remove(at: i).listener.spec
        }
        // The session's loop lets go of the socket (closing it) when it next polls.
        if removed != nil { wake.wake() }
        return removed
    }

    public func stats() -> [ForwardStats] {
        state.withLock { $0.forwards.map(\.stats) }
    }

    /// Ends `run` (from any thread); open connections are closed.
    public func stop() {
        state.withLock { $0.stopRequested = true }
        wake.wake()
    }

    var isStopRequested: Bool {
        state.withLock { $0.stopRequested }
    }

    /// Counts for the forward `index`; nothing once that forward has been removed.
    func updateStats(_ index: Int, _ change: (inout ForwardStats) -> Void) {
        state.withLock { state in
            guard let i = state.forwards.firstIndex(where: { $0.listener.index == index }) else { return }
            change(&state.forwards[i].stats)
        }
    }

    func refused(_ c: ForwardConnection, reason: String) {
        updateStats(c.listener.index) {
            $0.refusedConnections += 1
            $0.activeConnections -= 1
        }
        logger.warning("forwarded connection refused", metadata: ["forward": "\(c.listener.spec)", "reason": "\(reason)"])
        let sink = state.withLock { $0.eventSink }
        sink?(.connectionRefused(c.listener.spec, reason: reason))
    }

    /// A client accepted on `listener`; its window is chosen when its channel opens.
    func connection(_ client: (fd: Int32, host: String, port: Int), listener: ForwardListener, acceptedAt: ContinuousClock.Instant) -> ForwardConnection {
        ForwardConnection(
            fd: client.fd, listener: listener.route, originHost: client.host, originPort: client.port, acceptedAt: acceptedAt,
            window: ReceiveWindow(floor: configuration.minimumWindow, ceiling: configuration.maximumWindow))
    }

    /// Every client waiting on `listener`, accepted. When accept fails for want of descriptors
    /// (or kernel memory) the listener rests (`AcceptPause`) rather than being polled again at
    /// once, and the first failure of a run is reported; the client waits in the kernel's queue.
    func acceptWaiting(on listener: ForwardListener, now: ContinuousClock.Instant) -> [ForwardConnection] {
        var accepted: [ForwardConnection] = []
        while true {
            switch listener.accept() {
            case .client(let fd, let host, let port):
                if listener.pause.withLock({ $0.succeeded() }) {
                    logger.notice("accepting connections again", metadata: ["forward": "\(listener.spec)"])
                }
                updateStats(listener.index) {
                    $0.totalConnections += 1
                    $0.activeConnections += 1
                }
                accepted.append(connection((fd, host, port), listener: listener, acceptedAt: now))
            case .none:
                return accepted
            case .failed(let err):
                rest(listener, now: now, because: Posix.errorString(err))
                return accepted
            case .reserveReached(let limit, let reserve):
                rest(
                    listener, now: now,
                    because: "this process may open \(limit) files (ulimit -n) and keeps the last \(reserve) for itself")
                return accepted
            }
        }
    }

    /// Leaves `listener` out of the poll for a while (see `AcceptPause`); the first time in a
    /// run of failures, says why.
    private func rest(_ listener: ForwardListener, now: ContinuousClock.Instant, because why: String) {
        let (rest, first) = listener.pause.withLock { $0.failed(at: now) }
        guard first else { return }
        let reason =
            "cannot accept a connection on local port \(listener.boundPort) (\(why)); clients wait in the queue "
            + "while autopod tries again, from every \(Int(rest.seconds * 1000)) ms to every \(AcceptPause.longest.wholeSeconds) s"
        logger.warning("accept paused", metadata: ["forward": "\(listener.spec)", "reason": "\(why)"])
        let sink = state.withLock { $0.eventSink }
        sink?(.acceptFailed(listener.spec, reason: reason))
    }

    /// A participant carrying these forwards over someone else's session (the shell's).
    func participant(for session: SSHSession) -> ForwardEngine {
        ForwardEngine(session: session, forwarder: self, waiting: [])
    }

    /// Keeps the forwards up until `stop()`: connects through `resolveEndpoint()` (asked again
    /// before every attempt: a restarted pod may have a new address), checks the host key,
    /// authenticates, carries connections, and when the session dies reconnects with backoff
    /// (`configuration.initialBackoff` doubling to `maxBackoff`, with jitter). Returns after
    /// `stop()`. Throws when going on cannot help: authentication failed or the host key was
    /// refused.
    public func run(
        resolveEndpoint: () throws(SSHError) -> SSHEndpoint,
        credentials: SSHCredentials,
        passphrase: (String) -> String? = { _ in nil },
        options: SSHSessionOptions = SSHSessionOptions(),
        verifyHostKey: (SSHEndpoint, SSHHostKey) throws(SSHError) -> Void,
        events: @escaping (TunnelEvent) -> Void = { _ in }
    ) throws(SSHError) {
        state.withLock { $0.eventSink = events }
        defer { state.withLock { $0.eventSink = nil } }
        var waiting: [ForwardConnection] = []
        var backoff = configuration.initialBackoff
        var attempt = 0
        while !isStopRequested {
            attempt += 1
            events(.connecting(attempt: attempt))
            var engine: ForwardEngine?
            // Held here, not only by the loop, so its channel is released after the session
            // is marked dead (a live-looking session would wait on the socket to close it).
            var probe: LivenessProbe?
            var session: SSHSession?
            do throws(SSHError) {
                let endpoint = try resolveEndpoint()
                let s = try SSHSession(connectingTo: endpoint, options: options, logger: logger)
                session = s
                try verifyHostKey(endpoint, s.hostKey)
                try s.authenticate(credentials, passphrase: passphrase)
                logger.info("tunnel connected", metadata: ["endpoint": "\(endpoint)"])
                events(.connected(endpoint))
                backoff = configuration.initialBackoff
                let e = ForwardEngine(session: s, forwarder: self, waiting: waiting)
                waiting = []
                engine = e
                let loop = try SSHEventLoop(session: s, wake: wake)
                loop.participants = [e]
                probe = LivenessProbe(session: s, idleAfter: configuration.probeAfterIdle, replyTimeout: configuration.probeReplyTimeout)
                loop.probe = probe
                loop.onWake = { [unowned loop] () throws(SSHError) in
                    if self.isStopRequested { loop.stopRequested = true }
                }
                try loop.run()
                _ = e.abandon()
                return
            } catch {
                session?.isDead = true
                waiting += engine?.abandon() ?? []
                engine = nil
                probe = nil
                session = nil
                // What the dead session buffered is free now; the wait below is idle time.
                HeapRelease.now()
                switch error.kind {
                case .authentication, .unsupportedKey, .keyFile, .hostKeyChanged, .knownHostsFile, .endpointGone:
                    logger.error("tunnel ended", metadata: ["error": "\(error.description)"])
                    for c in waiting { refused(c, reason: error.description) }
                    throw error
                default:
                    break
                }
                let delay = backoff * Double.random(in: 0.8...1.2)
                logger.warning("tunnel disconnected", metadata: ["error": "\(error.description)", "retryIn": "\(delay)"])
                events(.disconnected(error, retryIn: delay))
                waiting = holdClients(for: delay, waiting: waiting)
                backoff = min(backoff * 2, configuration.maxBackoff)
            }
        }
        for c in waiting { refused(c, reason: "the tunnel was stopped") }
    }

    /// Between sessions: keeps accepting so clients are not refused by the kernel, holds them
    /// up to `configuration.waitForSessionTimeout`, then closes them promptly rather than
    /// leaving them hanging.
    private func holdClients(for delay: Duration, waiting: [ForwardConnection]) -> [ForwardConnection] {
        let patience = configuration.waitForSessionTimeout
        var held = waiting
        let until = ContinuousClock.now + delay
        while !isStopRequested {
            let now = ContinuousClock.now
            held.removeAll { c in
                guard c.acceptedAt.duration(to: now) > patience else { return false }
                refused(c, reason: "no SSH session for \(patience.wholeSeconds) s (reconnecting)")
                return true
            }
            if now >= until { break }
            var set = PollSet()
            let listeners = self.listeners
            let slots = listeners.map { $0.isAccepting(at: now) ? set.add($0.fd, Int16(POLLIN)) : nil }
            set.add(wake.readFD, Int16(POLLIN))
            var next = until
            for c in held { next = min(next, c.acceptedAt + patience) }
            for l in listeners { if let resume = l.resumesAt { next = min(next, resume) } }
            _ = set.poll(timeoutMs: min(now.duration(to: next), .seconds(1)).pollMilliseconds + 1)
            wake.drain()
            for (i, l) in listeners.enumerated() where set.isReadable(slots[i]) {
                held += acceptWaiting(on: l, now: .now)
            }
        }
        return held
    }
}
