import AutopodSupport
import AutopodCore
import FoundationEssentials
import SSHKit

/// What a tunnel is doing, fed by the forwarder's events (on its thread) and read by the status
/// timer: it draws one line per forward, in place on a terminal, prints one plain line per event
/// otherwise (logs, pipes, `--detach`), and keeps the state file fresh for `tunnel list`.
final class TunnelStatus: @unchecked Sendable {
    enum State {
        case connecting(attempt: Int)
        case up
        case reconnecting(retryAt: Date, reason: String)
        /// The pod is stopped; waiting for someone to start it.
        case waiting(retryAt: Date, reason: String)
        case stopped
    }

    private let lock = Lock()
    private let podName: String
    private let isTerminal: Bool
    private let registry: TunnelRegistry?
    private var record: TunnelRecord
    private var state: State = .connecting(attempt: 1)
    private var everConnected = false
    private var drawnLines = 0
    private var lastWrite = Date.distantPast
    /// The last failure reported as a line: a long outage repeats it on every attempt, and
    /// the status line already shows it, so it is printed once until something changes.
    private var lastReason: String?

    init(podName: String, record: TunnelRecord, registry: TunnelRegistry?, isTerminal: Bool) {
        self.podName = podName
        self.record = record
        self.registry = registry
        self.isTerminal = isTerminal
    }

    func handle(_ event: TunnelEvent) {
        lock.lock()
        var line: String?
        switch event {
        case .connecting(let attempt):
            if case .waiting = state {} else { state = .connecting(attempt: attempt) }
            if attempt == 1 { line = "connecting to \(podName)" }
        case .connected(let endpoint):
            if everConnected { record.reconnects += 1 }
            everConnected = true
            lastReason = nil
            state = .up
            line = "up: \(record.forwards.map { "localhost:\($0.localPort) → \(podName):\($0.remotePort)" }.joined(separator: ", ")) (via \(endpoint.host):\(endpoint.port))"
        case .disconnected(let error, let retryIn):
            let retryAt = Date().addingTimeInterval(retryIn)
            var reason = error.description
            while reason.hasSuffix(".") { reason.removeLast() }
            if error.kind == .connect && reason.contains("waiting for it") {
                state = .waiting(retryAt: retryAt, reason: reason)
                line = "waiting for \(podName) to start: \(reason)"
            } else {
                state = .reconnecting(retryAt: retryAt, reason: reason)
                line = "disconnected: \(reason); retry in \(max(1, Int(retryIn.rounded()))) s"
            }
            if reason == lastReason { line = nil }
            lastReason = reason
        case .connectionRefused(let spec, let reason):
            line = "connection to localhost:\(spec.localPort) not carried: \(reason)"
        }
        lock.unlock()
        if let line { say(line) }
        refresh(stats: nil, force: true)
    }

    /// Prints a line above the live status (or as a plain line).
    func say(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if isTerminal {
            clearDrawn()
            StandardStream.error.write("\(Style.dim("tunnel")) \(text)\n")
        } else {
            StandardStream.error.write("\(Self.timestamp()) tunnel \(podName): \(text)\n")
        }
    }

    func markStopped() {
        lock.lock()
        state = .stopped
        lock.unlock()
    }

    /// Folds in the latest counters, redraws on a terminal, and rewrites the state file
    /// (at most every 2 s unless `force`).
    func refresh(stats: [ForwardStats]?, force: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        if let stats {
            for (i, s) in stats.enumerated() where i < record.forwards.count {
                record.forwards[i].activeConnections = s.activeConnections
                record.forwards[i].totalConnections = s.totalConnections
                record.forwards[i].refusedConnections = s.refusedConnections
                record.forwards[i].bytesIn = s.bytesToLocal
                record.forwards[i].bytesOut = s.bytesToRemote
            }
        }
        let (name, detail) = Self.describe(state)
        record.state = name
        record.detail = detail
        let now = Date()
        record.updatedAt = now
        if let registry, force || now.timeIntervalSince(lastWrite) >= 2 {
            try? registry.write(record)
            lastWrite = now
        }
        if isTerminal { draw() }
    }

    /// Erases the status block at the end so the final message stands alone.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if isTerminal { clearDrawn() }
    }

    var snapshot: TunnelRecord {
        lock.lock()
        defer { lock.unlock() }
        return record
    }

    private func draw() {
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        let stateText = Self.stateText(state)
        for f in record.forwards {
            let target = f.localPort == f.remotePort ? "\(f.localPort)" : "\(f.localPort) → \(f.remotePort)"
            let line = "\(Style.bold("localhost:\(target)"))  \(stateText)  conns \(f.activeConnections)/\(f.totalConnections)"
                + "  in \(Self.bytes(f.bytesIn))  out \(Self.bytes(f.bytesOut))  reconnects \(record.reconnects)"
            text += "\r\u{1B}[2K\(line)\n"
        }
        drawnLines = record.forwards.count
        StandardStream.error.write(text)
    }

    private func clearDrawn() {
        guard drawnLines > 0 else { return }
        var text = "\u{1B}[\(drawnLines)A"
        for _ in 0..<drawnLines { text += "\r\u{1B}[2K\n" }
        text += "\u{1B}[\(drawnLines)A"
        StandardStream.error.write(text)
        drawnLines = 0
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
        case .reconnecting(let at, _): return Style.warn("reconnecting (retry in \(max(0, Int(at.timeIntervalSinceNow.rounded(.up)))) s)")
        case .waiting(let at, _): return Style.warn("waiting for the pod to start (retry in \(max(0, Int(at.timeIntervalSinceNow.rounded(.up)))) s)")
        case .stopped: return Style.dim("stopped")
        }
    }

    static func bytes(_ n: UInt64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(n) B" : value.fixed(1) + " " + units[unit]
    }

    private static func timestamp() -> String { ISO8601Timestamp.format(Date(), milliseconds: false) }
}
