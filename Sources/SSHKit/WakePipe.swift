import AutopodSupport

/// A pipe whose only job is to wake a `poll()`: signal handlers and other threads write a byte.
/// Both ends are non-blocking so a full pipe never blocks the writer (one pending byte is enough).
final class WakePipe: Sendable {
    let readFD: Int32
    let writeFD: Int32

    init() throws(SSHError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw SSHError(.io, "Cannot create a pipe: \(Posix.errorString()).")
        }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds {
            Posix.setNonBlocking(fd)
            Posix.setCloseOnExec(fd)
        }
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    func drain() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buf, buf.count) > 0 {}
    }

    deinit {
        close(readFD)
        close(writeFD)
    }
}
