import Foundation
import AutopodSupport

/// Stands in for a pod's web service on an `N/http` port (Jupyter on 8888, ...). It answers
/// every request with `runpod-sim pod POD_ID port N`, so a test can tell which pod and port a
/// forwarded connection reached. With a namespace it listens on 0.0.0.0:N inside the pod's
/// namespace (so `localhost:N` inside the pod reaches it); without, on a free loopback port.
///
/// `GET /flood` is the exception: a body with no end, written as fast as the connection takes
/// it until the client goes away, as a busy service (a log stream, a large download) would send;
/// tunnels are measured against it with clients that stop reading.
final class HTTPResponder: Sendable {
    let podPort: Int
    private let podID: String

    private struct Listener {
        /// The listening socket, -1 once stopped.
        var fd: Int32 = -1
        var port: UInt16 = 0
    }

    /// Set by the serving thread once it listens; cleared by `stop()` from any thread.
    private let listener = LockedValue(Listener())

    var boundPort: UInt16 { listener.current.port }

    init(podID: String, podPort: Int, namespace: String?) throws(SimulatorError) {
        self.podID = podID
        self.podPort = podPort
        let ready = DispatchSemaphore(value: 0)
        let failure = LockedValue<SimulatorError?>(nil)
        Thread.start("rpsim-http-\(podPort)") { [self] in
            do throws(SimulatorError) {
                if let namespace { try Sockets.enterNetworkNamespace(namespace) }
                let fd = try Sockets.listen(
                    host: namespace == nil ? "127.0.0.1" : "0.0.0.0", port: namespace == nil ? 0 : UInt16(podPort))
                listener.set(Listener(fd: fd, port: Sockets.localPort(fd)))
            } catch {
                failure.set(error)
                ready.signal()
                return
            }
            ready.signal()
            serve()
        }
        ready.wait()
        if let error = failure.current { throw error }
    }

    func stop() {
        let fd = listener.withLock { listener in
            defer { listener.fd = -1 }
            return listener.fd
        }
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func serve() {
        Sockets.acceptUntilClosed(listener.current.fd) { client in
            Sockets.setReceiveTimeout(client, seconds: 30)
            // One thread per connection: a client that connects and stays silent (a forward
            // opened early) must not hold up the next one.
            Thread.start("rpsim-http-conn") { [self] in
                answer(client)
                close(client)
            }
        }
    }

    private func answer(_ client: Int32) {
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while request.count < 65536 {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            request += buffer[0..<n]
            if request.count >= 4, request.suffix(from: max(0, request.count - n - 3)).containsSequence(end) { break }
        }
        if request.starts(with: Array("GET /flood".utf8)) {
            flood(client)
            return
        }
        let body = "runpod-sim pod \(podID) port \(podPort)\n"
        let response =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = Array(response.utf8).withUnsafeBytes { Sockets.writeAll(client, $0) }
    }

    /// Writes until a write fails (the client closed): the thread blocks while the client does
    /// not read, which is the point.
    private func flood(_ client: Int32) {
        let header = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        guard Array(header.utf8).withUnsafeBytes({ Sockets.writeAll(client, $0) }) else { return }
        let block = [UInt8](repeating: 0x5A, count: 64 * 1024)
        while block.withUnsafeBytes({ Sockets.writeAll(client, $0) }) {}
    }
}

extension ArraySlice where Element == UInt8 {
    fileprivate func containsSequence(_ needle: [UInt8]) -> Bool {
        guard count >= needle.count else { return false }
        var i = startIndex
        while i <= endIndex - needle.count {
            if Array(self[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }
}
