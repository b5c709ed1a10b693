#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A TCP proxy in front of sshd that can go silent the way RunPod's (and runpod-sim's) public
/// SSH endpoint does when the pod's network is cut: connections stay open and the kernel keeps
/// ACKing, but nothing is carried either way; new connections are refused while stalled.
final class StallingProxy: @unchecked Sendable {
    let port: Int
    private let target: Int
    private let listenFD: Int32
    private let lock = NSLock()
    private var stalled = false
    private var closed = false
    private var fds: [Int32] = []

    init(target: Int) throws {
        self.target = target
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listenFD = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { throw NSError(domain: "StallingProxy", code: Int(errno)) }
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    var isStalled: Bool {
        get { lock.lock(); defer { lock.unlock() }; return stalled }
        set { lock.lock(); stalled = newValue; lock.unlock() }
    }

    func stop() {
        lock.lock()
        closed = true
        let all = fds
        fds = []
        lock.unlock()
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for fd in all { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            if isStalled {
                close(client)
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = UInt16(target).bigEndian
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if rc != 0 {
                close(client)
                close(upstream)
                continue
            }
            lock.lock()
            fds += [client, upstream]
            lock.unlock()
            Thread { [self] in pipe(client, upstream) }.start()
        }
    }

    /// Copies both ways; while stalled it neither reads nor writes, holding both sockets open.
    private func pipe(_ a: Int32, _ b: Int32) {
        defer {
            close(a)
            close(b)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            lock.lock()
            let (isClosed, isStalled) = (closed, stalled)
            lock.unlock()
            if isClosed { return }
            if isStalled {
                usleep(50_000)
                continue
            }
            var set = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
            if poll(&set, 2, 100) <= 0 { continue }
            for (from, to) in [(0, b), (1, a)] where set[from].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { recv(set[from].fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return }
                var off = 0
                while off < n {
                    let w = buffer.withUnsafeBytes { send(to, $0.baseAddress! + off, n - off, Int32(MSG_NOSIGNAL)) }
                    if w <= 0 { return }
                    off += w
                }
            }
        }
    }
}
