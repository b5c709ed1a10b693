import Dispatch
import Foundation
import AutopodSupport

/// One direction of a proxied connection: a delay line. A reader thread stamps each chunk with
/// the instant it may leave (arrival + delay, on the monotonic clock) and a writer thread sends
/// chunks when due, in order, so a delay pipelines instead of stalling the stream: throughput
/// stays whatever the TCP window allows, as on a long link.
///
/// The line must cost little per byte, or it, rather than the tools measured through it, sets
/// the ceiling at distance (the same 2 cores run sshd, the proxy and the client). So the reader
/// wakes the writer only when the writer has nothing queued (otherwise the writer sleeps until
/// its next chunk is due and finds the newer ones then), chunks are taken from the front in
/// constant time, and every chunk that is due is sent in one pass.
final class ProxyPipe: Sendable {
    private struct Chunk {
        let due: ContinuousClock.Instant
        let bytes: [UInt8]?  // nil = end of stream
    }

    /// What the reader and the writer share.
    private struct Line {
        var chunks: [Chunk] = []
        /// The first chunk not yet taken; the taken ones are dropped once they are most of the array.
        var head = 0
        var aborted = false
        /// The writer found nothing queued and waits for the reader's signal.
        var writerWaiting = false
        /// The latest due instant handed out: a chunk never leaves before an earlier one, even
        /// when the delay is lowered mid-stream.
        var lastDue = ContinuousClock.Instant.now

        mutating func append(_ bytes: [UInt8]?, delay: Duration) -> Bool {
            lastDue = max(lastDue, .now + delay)
            chunks.append(Chunk(due: lastDue, bytes: bytes))
            defer { writerWaiting = false }
            return writerWaiting
        }

        /// Moves every chunk due at `now` to `out`; returns the next chunk's due instant, if any.
        mutating func takeDue(at now: ContinuousClock.Instant, into out: inout [Chunk]) -> ContinuousClock.Instant? {
            while head < chunks.count, chunks[head].due <= now {
                out.append(chunks[head])
                head += 1
            }
            if head >= 64, head * 2 >= chunks.count {
                chunks.removeFirst(head)
                head = 0
            }
            return head < chunks.count ? chunks[head].due : nil
        }
    }

    /// Bytes one recv may take: large, so that a fast stream costs few syscalls and chunks.
    static let readSize = 256 * 1024

    private let source: Int32
    private let destination: Int32
    private let delay: @Sendable () -> Double
    /// Bytes per second this direction may carry; 0 = unlimited.
    private let rate: @Sendable () -> Int
    private let isUp: @Sendable () -> Bool
    private let onDone: @Sendable () -> Void
    private let line = LockedValue(Line())
    /// Wakes the writer: data arrived while it had none, the network came back, or an abort.
    private let wake = DispatchSemaphore(value: 0)

    init(
        from source: Int32, to destination: Int32, delay: @escaping @Sendable () -> Double,
        rate: @escaping @Sendable () -> Int = { 0 },
        isUp: @escaping @Sendable () -> Bool, onDone: @escaping @Sendable () -> Void
    ) {
        self.source = source
        self.destination = destination
        self.delay = delay
        self.rate = rate
        self.isUp = isUp
        self.onDone = onDone
    }

    func start() {
        Thread.start("rpsim-proxy-read") { [self] in readLoop() }
        Thread.start("rpsim-proxy-write") { [self] in writeLoop() }
    }

    /// Wakes the writer (the network came back up, or the connection is closing).
    func poke() {
        wake.signal()
    }

    func abort() {
        line.withLock { $0.aborted = true }
        wake.signal()
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: Self.readSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            let bytes: [UInt8]? = n > 0 ? Array(buffer[0..<n]) : nil
            let pause = Duration.seconds(delay())
            if line.withLock({ $0.append(bytes, delay: pause) }) { wake.signal() }
            if bytes == nil { return }
        }
    }

    private func writeLoop() {
        defer { onDone() }
        var linkFreeAt = ContinuousClock.Instant.now
        var due: [Chunk] = []
        while true {
            let (aborted, next) = line.withLock { line -> (Bool, ContinuousClock.Instant?) in
                if line.aborted { return (true, nil) }
                let next = line.takeDue(at: .now, into: &due)
                if due.isEmpty && next == nil { line.writerWaiting = true }
                return (false, next)
            }
            if aborted { return }
            if due.isEmpty {
                // Nothing due: sleep until the first queued chunk is, or until the reader signals.
                if let next {
                    let (seconds, attoseconds) = (next - .now).components
                    let nanoseconds = max(0, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
                    _ = wake.wait(timeout: .now() + .nanoseconds(nanoseconds))
                } else {
                    wake.wait()
                }
                continue
            }
            while !isUp() {
                // The pod's network is cut: hold the data (a stall) until it is restored.
                _ = wake.wait(timeout: .now() + .milliseconds(200))
                if line.withLock({ $0.aborted }) { return }
            }
            for chunk in due {
                guard let bytes = chunk.bytes else {
                    shutdown(destination, Int32(SHUT_WR))
                    return
                }
                pace(bytes.count, linkFreeAt: &linkFreeAt)
                let ok = bytes.withUnsafeBytes { Sockets.writeAll(destination, $0) }
                if !ok {
                    // The peer is gone: unblock the other direction's reader too.
                    shutdown(source, Int32(SHUT_RDWR))
                    shutdown(destination, Int32(SHUT_RDWR))
                    return
                }
            }
            due.removeAll(keepingCapacity: true)
        }
    }

    /// Holds a chunk back until a link of `rate` bytes per second would have carried the ones
    /// before it (a pod's bandwidth; tests use it to catch a transfer half way).
    private func pace(_ bytes: Int, linkFreeAt: inout ContinuousClock.Instant) {
        let limit = rate()
        guard limit > 0 else { return }
        let now = ContinuousClock.Instant.now
        let start = max(now, linkFreeAt)
        linkFreeAt = start + .seconds(Double(bytes) / Double(limit))
        if start > now { Sleep.for(start - now) }
    }
}
