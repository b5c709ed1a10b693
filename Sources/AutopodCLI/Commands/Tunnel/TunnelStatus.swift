import AutopodSupport
import AutopodCore
import FoundationEssentials
import SSHKit

/// What a tunnel is doing, fed by the forwarder's events (on its thread) and read by the status
/// timer: it draws one line per forward, in place on a terminal, prints one plain line per event
/// otherwise (logs, pipes, `--detach`), and keeps the state file fresh for `tunnel list`.
final class TunnelStatus: Sendable {
    enum State {
        case connecting(attempt: Int)
        case up
        case reconnecting(retryAt: ContinuousClock.Instant, reason: String)
        /// The pod is stopped; waiting for someone to start it.
        case waiting(retryAt: ContinuousClock.Instant, reason: String)
        case stopped
    }

    /// What the forwarder's thread and the status timer share.
    private struct Shared {
        var record: TunnelRecord
        /// As lines show it: escaped for the terminal. A spot recovery may change it.
        var podName: String
        var state: State = .connecting(attempt: 1)
        var everConnected = false
        var drawnLines = 0
        /// When the state file was last written (the timer rewrites it at most every 2 s).
        var lastWrite: ContinuousClock.Instant?
        /// The last failure reported as a line: a long outage repeats it on every attempt, and
        /// the status line already shows it, so it is printed once until something changes.
        var lastReason: String?
    }

    private let isTerminal: Bool
    /// `-q` on a foreground tunnel: no live status and no progress lines, warnings only. A
    /// detached tunnel's log keeps every line, since nobody watches it as it is written.
    private let quiet: Bool
    private let registry: TunnelRegistry?
    private let shared: LockedValue<Shared>

    init(podName: String, record: TunnelRecord, registry: TunnelRegistry?, isTerminal: Bool, quiet: Bool = false) {
        // Every line here goes to a terminal or a log read on one: the name as `list` shows it.
        self.shared = LockedValue(Shared(record: record, podName: podName.terminalSafe))
        self.registry = registry
        self.isTerminal = isTerminal
        self.quiet = quiet
    }

    func handle(_ event: TunnelEvent) {
        let (line, isProgress): (String?, Bool) = shared.withLock { shared in
            switch event {
            case .connecting(let attempt):
                if case .waiting = shared.state {} else { shared.state = .connecting(attempt: attempt) }
                return (attempt == 1 ? "connecting to \(shared.podName)" : nil, true)
            case .connected(let endpoint):
                if shared.everConnected { shared.record.reconnects += 1 }
                shared.everConnected = true
                shared.lastReason = nil
                shared.state = .up
                let podName = shared.podName
                let forwards = shared.record.forwards.map { "localhost:\($0.localPort) → \(podName):\($0.remotePort)" }
                return ("up: \(forwards.joined(separator: ", ")) (via \(endpoint.host):\(endpoint.port))", true)
            case .disconnected(let error, let retryIn):
                let retryAt = ContinuousClock.now + retryIn
                var reason = error.userMessage
                while reason.hasSuffix(".") { reason.removeLast() }
                let line: String
                if error.kind == .connect && reason.contains("waiting for it") {
                    shared.state = .waiting(retryAt: retryAt, reason: reason)
                    line = reason.contains("was preempted") ? "preempted: \(reason)" : "waiting for \(shared.podName) to start: \(reason)"
                } else {
                    shared.state = .reconnecting(retryAt: retryAt, reason: reason)
                    line = "disconnected: \(reason); retry in \(max(1, retryIn.wholeSeconds)) s"
                }
                defer { shared.lastReason = reason }
                return (reason == shared.lastReason ? nil : line, false)
            case .connectionRefused(let spec, let reason):
                return ("connection to localhost:\(spec.localPort) not carried: \(reason)", false)
            case .acceptFailed(_, let reason):
                return (reason, false)
            }
        }
        if let line { isProgress ? sayProgress(line) : say(line) }
        refresh(stats: nil, force: true)
    }

    /// Prints a line above the live status (or as a plain line).
    func say(_ text: String) {
        // Notices quote the API and the pod (names, errors): escaped, lines and colours kept.
        let text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { TerminalText.escapedKeepingStyle(String($0)) }.joined(separator: "\n")
        shared.withLock { shared in
            if isTerminal {
                clearDrawn(&shared)
                StandardStream.error.write("\(Style.dim("tunnel:")) \(text)\n")
            } else {
                StandardStream.error.write("\(Self.timestamp()) tunnel \(shared.podName): \(text)\n")
            }
        }
    }

    /// A line that only tells how things go (connecting, up, stopped): left out under `-q`.
    func sayProgress(_ text: String) {
        if !quiet { say(text) }
    }

    /// A spot recovery put the forwards on a new pod: the state file moves to its id, so `tunnel
    /// list` names it and `tunnel stop NEW` finds this tunnel.
    func follow(podID: String, podName: String) {
        shared.withLock { shared in
            let old = shared.record.podID
            shared.record.podID = podID
            shared.record.podName = podName
            shared.podName = podName.terminalSafe
            registry?.remove(podID: old, pid: getpid())
            try? registry?.write(shared.record)
            shared.lastWrite = .now
        }
    }

    func markStopped() {
        shared.withLock { $0.state = .stopped }
    }

    /// Folds in the latest counters, redraws on a terminal, and rewrites the state file
    /// (at most every 2 s unless `force`).
    func refresh(stats: [ForwardStats]?, force: Bool = false) {
        shared.withLock { shared in
            if let stats {
                // The forwards now: ports may have been added or removed while the tunnel runs.
                if isTerminal && stats.count != shared.record.forwards.count { clearDrawn(&shared) }
                shared.record.forwards = stats.map { s in
                    var forward = TunnelRecord.Forward(localPort: s.spec.localPort, remotePort: s.spec.remotePort)
                    forward.activeConnections = s.activeConnections
                    forward.totalConnections = s.totalConnections
                    forward.refusedConnections = s.refusedConnections
                    forward.bytesIn = s.bytesToLocal
                    forward.bytesOut = s.bytesToRemote
                    return forward
                }
            }
            let (name, detail) = Self.describe(shared.state)
            shared.record.state = name
            shared.record.detail = detail
            // Wall-clock time: `tunnel list` in another process reads it to spot a hung tunnel.
            shared.record.updatedAt = Date()
            let now = ContinuousClock.now
            if let registry, force || shared.lastWrite.map({ $0.duration(to: now) >= .seconds(2) }) ?? true {
                try? registry.write(shared.record)
                shared.lastWrite = now
            }
            if isTerminal && !quiet { draw(&shared) }
        }
    }

    /// Erases the status block at the end so the final message stands alone.
    func finish() {
        shared.withLock { shared in
            if isTerminal { clearDrawn(&shared) }
        }
    }

    var snapshot: TunnelRecord {
        shared.withLock { $0.record }
    }

    private func draw(_ shared: inout Shared) {
        var text = shared.drawnLines > 0 ? "\u{1B}[\(shared.drawnLines)A" : ""
        let stateText = Self.stateText(shared.state)
        for f in shared.record.forwards {
            let target = f.localPort == f.remotePort ? "\(f.localPort)" : "\(f.localPort) → \(f.remotePort)"
            let line =
                "\(Style.bold("localhost:\(target)"))  \(stateText)  conns \(f.activeConnections)/\(f.totalConnections)"
                + "  in \(ByteText.size(f.bytesIn))  out \(ByteText.size(f.bytesOut))  reconnects \(shared.record.reconnects)"
            text += "\r\u{1B}[2K\(line)\n"
        }
        shared.drawnLines = shared.record.forwards.count
        StandardStream.error.write(text)
    }

    private func clearDrawn(_ shared: inout Shared) {
        guard shared.drawnLines > 0 else { return }
        var text = "\u{1B}[\(shared.drawnLines)A"
        for _ in 0..<shared.drawnLines { text += "\r\u{1B}[2K\n" }
        text += "\u{1B}[\(shared.drawnLines)A"
        StandardStream.error.write(text)
        shared.drawnLines = 0
    }

    static func describe(_ state: State) -> (String, String?) {
        switch state {
        case .connecting: return ("connecting", nil)
        case .up: return ("up", nil)
        case .reconnecting(_, let reason): return ("reconnecting", reason)
        case .waiting(_, let reason): return ("waiting", reason)
        case .stopped: return ("stopped", nil)
        }
    }

    private static func stateText(_ state: State) -> String {
        switch state {
        case .connecting(let attempt): return Style.warn(attempt > 1 ? "connecting (attempt \(attempt))" : "connecting")
        case .up: return Style.ok("up")
        case .reconnecting(let at, _): return Style.warn("reconnecting (retry in \(secondsUntil(at)) s)")
        case .waiting(let at, _): return Style.warn("waiting for the pod to start (retry in \(secondsUntil(at)) s)")
        case .stopped: return Style.dim("stopped")
        }
    }

    /// Whole seconds left until `instant`, rounded up, never negative.
    private static func secondsUntil(_ instant: ContinuousClock.Instant) -> Int {
        max(0, Int(ContinuousClock.now.duration(to: instant).seconds.rounded(.up)))
    }

    private static func timestamp() -> String { ISO8601Timestamp.format(Date(), milliseconds: false) }
}
