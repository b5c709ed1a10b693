import AutopodSupport
import SSHKit

/// Cancels a `PodFileSession` from another thread: the client in use stops at once, and a
/// wait between reconnect attempts ends (its pipe becomes readable).
public final class FileSessionCancellation: Sendable {
    private let state = LockedValue<(cancelled: Bool, current: SFTPCancellation?)>((false, nil))
    let wakeFD: Int32
    private let wakeWrite: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            Posix.setCloseOnExec(fds[0])
            Posix.setCloseOnExec(fds[1])
            Posix.setNonBlocking(fds[1])
        }
        wakeFD = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        if wakeFD >= 0 { close(wakeFD) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }

    public func cancel() {
        let current = state.withLock { value -> SFTPCancellation? in
            value.cancelled = true
            return value.current
        }
        current?.cancel()
        var byte: UInt8 = 1
        _ = Libc.write(wakeWrite, &byte, 1)
    }

    public var isCancelled: Bool { state.current.cancelled }

    /// The client now in use (nil between connections); cancelled at once if cancel came first.
    func attach(_ client: SFTPCancellation?) {
        let cancelled = state.withLock { value -> Bool in
            value.current = client
            return value.cancelled
        }
        if cancelled { client?.cancel() }
    }
}
