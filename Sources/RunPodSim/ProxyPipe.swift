import Foundation
import AutopodSupport

/// One direction of a proxied connection. A reader thread stamps each chunk with the time it
/// may leave (arrival + delay) and a writer thread sends chunks when due, so a delay pipelines
/// instead of stalling the stream: throughput stays whatever the TCP window allows.
final class ProxyPipe: @unchecked Sendable {
    private struct Chunk {
        let due: Date
        let data: Data?  // nil = end of stream
    }

    private let source: Int32
    private let destination: Int32
    private let delay: @Sendable () -> Double
    /// Bytes per second this direction may carry; 0 = unlimited.
    private let rate: @Sendable () -> Int
    /// When the paced link is free again (monotonic Date).
    private var linkFreeAt = Date.distantPast
    private let isUp: @Sendable () -> Bool
    private let condition = NSCondition()
    private var queue: [Chunk] = []
    private var finished = false
    private let onDone: @Sendable () -> Void

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
        let reader = Thread { [self] in readLoop() }
        reader.name = "rpsim-proxy-read"
        reader.start()
        let writer = Thread { [self] in writeLoop() }
        writer.name = "rpsim-proxy-write"
        writer.start()
    }

    /// Wakes the writer (the network came back up, or the connection is closing).
    func poke() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    func abort() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            let data: Data? = n > 0 ? Data(buffer[0..<n]) : nil
            condition.lock()
            queue.append(Chunk(due: Date().addingTimeInterval(delay()), data: data))
            condition.broadcast()
            condition.unlock()
            if data == nil { return }
        }
    }

    /// Holds a chunk back until a link of `rate` bytes per second would have carried the ones
    /// before it (a pod's bandwidth; tests use it to catch a transfer half way).
    private func pace(_ bytes: Int) {
        let limit = rate()
        guard limit > 0 else { return }
        let now = Date()
        let start = max(now, linkFreeAt)
        linkFreeAt = start.addingTimeInterval(Double(bytes) / Double(limit))
        let wait = start.timeIntervalSince(now)
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    private func writeLoop() {
        defer { onDone() }
        while true {
            condition.lock()
            var next: Chunk?
            while next == nil {
                if finished { condition.unlock(); return }
                if let first = queue.first, isUp() {
                    let wait = first.due.timeIntervalSinceNow
                    if wait <= 0 {
                        next = queue.removeFirst()
                        break
                    }
                    _ = condition.wait(until: first.due)
                } else {
                    // Nothing to send, or the pod's network is cut: hold the data (a stall).
                    _ = condition.wait(until: Date().addingTimeInterval(0.2))
                }
            }
            condition.unlock()
            guard let chunk = next else { return }
            guard let data = chunk.data else {
                shutdown(destination, Int32(SHUT_WR))
                return
            }
            pace(data.count)
            let ok = data.withUnsafeBytes { Sockets.writeAll(destination, $0) }
            if !ok {
                // The peer is gone: unblock the other direction's reader too.
                shutdown(source, Int32(SHUT_RDWR))
                shutdown(destination, Int32(SHUT_RDWR))
                return
            }
        }
    }
}
