import AutopodSupport

/// One deadline over the whole SSH handshake: banner, key exchange and authentication.
/// libssh2's timeout is per blocking wait, so a server that trickles endless non-`SSH-` lines
/// (or a slow key exchange) never trips it: each byte resets the wait. A thread of its own waits
/// for the deadline and, if the handshake is still going, shuts the socket down, which ends any
/// libssh2 call blocked on it; `finish` then says whether the deadline did it.
final class HandshakeWatchdog: Sendable {
    private struct State {
        var fired = false
        var finished = false
        var paused = false
    }

    private let socket: Int32
    private let deadline: Deadline
    private let wake: (read: Int32, write: Int32)
    private let state = LockedValue(State())

    init(socket: Int32, timeout: Duration) {
        self.socket = socket
        self.deadline = .after(timeout)
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        wake = (fds[0], fds[1])
        guard wake.read >= 0 else { return }
        Posix.setCloseOnExec(wake.read)
        Posix.setCloseOnExec(wake.write)
        DetachedThread.start { [self] in watch() }
    }

    /// Stops the watch; true when the deadline had already shut the socket.
    @discardableResult
    func finish() -> Bool {
        let (fired, first) = state.withLock { state -> (Bool, Bool) in
            defer { state.finished = true }
            return (state.fired, !state.finished)
        }
        if first && wake.write >= 0 { close(wake.write) }
        return fired
    }

    /// Runs `body` (a passphrase prompt: a person's typing is not the server's stalling) with
    /// the deadline held off; it ends no sooner than `body` does.
    func pausing<T>(_ body: () -> T) -> T {
        state.withLock { $0.paused = true }
        defer { state.withLock { $0.paused = false } }
        return body()
    }

    var hasFired: Bool { state.current.fired }

    private func watch() {
        defer { close(wake.read) }
        while true {
            var entry = pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)
            let remaining = deadline.remaining
            let rc = poll(&entry, 1, remaining > .zero ? remaining.pollMilliseconds : 0)
            if rc < 0 && errno == EINTR { continue }
            if rc != 0 { return }  // finished: the write end was closed
            let fire = state.withLock { state -> Bool in
                guard !state.finished, !state.paused else { return false }
                state.fired = true
                return true
            }
            if fire {
                shutdown(socket, Int32(SHUT_RDWR))
                return
            }
            if state.current.finished { return }
            // Paused for a prompt: look again shortly.
            var again = pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)
            if poll(&again, 1, 200) != 0 { return }
        }
    }
}
