import AutopodSupport
import Dispatch
import FoundationEssentials
internal import CLibSSH2

/// An interactive login shell over a PTY channel, like `ssh host`: raw local terminal, window
/// size kept in sync, OpenSSH `~` escapes, and the remote exit status as the result.
///
/// It runs in the session's single event loop; port forwards passed to `run(alongside:)` share
/// that loop (and so the session) while the shell is open.
public final class InteractiveShell {
    let session: SSHSession
    let term: String
    let stdin: Int32
    let stdout: Int32
    let stderr: Int32

    public init(
        session: SSHSession, term: String? = ProcessInfo.processInfo.environment["TERM"],
        stdin: Int32 = 0, stdout: Int32 = 1, stderr: Int32 = 2
    ) {
        self.session = session
        self.term = (term?.isEmpty ?? true) ? "xterm-256color" : term!
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Runs the shell until the remote side exits, the user types `~.`, or a terminating signal
    /// (SIGTERM, SIGHUP, SIGINT) arrives. The terminal is restored on every path.
    public func run(alongside forwards: PortForwarder? = nil, liveness: LivenessSettings = LivenessSettings()) throws(SSHError) -> RemoteExit {
        guard isatty(stdin) == 1 else {
            throw SSHError(.notATerminal, "Standard input is not a terminal, so an interactive shell cannot run.", endpoint: session.endpoint)
        }
        session.setBlocking(true)
        let channel = try SSHChannel.openSession(session)
        let size = TerminalMode.windowSize(isatty(stdout) == 1 ? stdout : stdin)
        var rc = libssh2_channel_request_pty_ex(channel.raw, term, UInt32(term.utf8.count), nil, 0, size.cols, size.rows, 0, 0)
        guard rc == 0 else { throw session.error(.channel, "The server refused a terminal (PTY) for the shell.", code: rc) }
        rc = libssh2_channel_process_startup(channel.raw, "shell", 5, nil, 0)
        guard rc == 0 else { throw session.error(.channel, "The server refused to start a shell.", code: rc) }

        let wake = try WakePipe()
        let signals = SignalWatcher(wake: wake)
        defer { signals.stop() }
        let terminal = TerminalMode(fd: stdin)
        try terminal.makeRaw()
        defer { terminal.restore() }

        let pump = ChannelPump(channel: channel, input: stdin, stdout: stdout, stderr: stderr)
        let loop = try SSHEventLoop(session: session, wake: wake)
        var escapes = EscapeFilter()
        var userDisconnected = false
        let out = stdout
        pump.inputFilter = { bytes in
            let (send, actions) = escapes.filter(bytes)
            for action in actions {
                switch action {
                case .disconnect:
                    userDisconnected = true
                    loop.stopRequested = true
                case .help:
                    _ = Posix.writeAll(out, Array(EscapeFilter.help.utf8))
                }
            }
            return send
        }
        var interruptedBy: Int32?
        var lastSize = size
        loop.onWake = { () throws(SSHError) in
            for sig in signals.take() {
                if sig == SIGWINCH {
                    let now = TerminalMode.windowSize(isatty(out) == 1 ? out : self.stdin)
                    if now != lastSize {
                        lastSize = now
                        _ = channel.retrying { libssh2_channel_request_pty_size_ex(channel.raw, now.cols, now.rows, 0, 0) }
                    }
                } else {
                    interruptedBy = sig
                    loop.stopRequested = true
                }
            }
        }
        loop.participants = [pump]
        if let forwards { loop.participants.append(forwards.participant(for: session)) }
        // A frozen terminal is the worst way to learn the link died: probe the server when it
        // has been silent, as tunnels do.
        loop.probe = LivenessProbe(session: session, idleAfter: liveness.probeAfterIdle, replyTimeout: liveness.probeReplyTimeout)
        do {
            try loop.run()
        } catch {
            if error.kind == .disconnected || error.kind == .unresponsive { session.isDead = true }
            throw error
        }
        if userDisconnected {
            // Only the line ended here: the program using the shell says what was closed, once.
            _ = Posix.writeAll(out, Array("\r\n".utf8))
            return .disconnectedByUser
        }
        if let interruptedBy {
            throw SSHError(.interrupted, "The shell was ended by signal \(interruptedBy) (\(String(cString: strsignal(interruptedBy))).")
        }
        return try pump.finish()
    }
}

/// Turns SIGWINCH and the terminating signals into wake-ups of the event loop. Dispatch signal
/// sources run on their own queue, so the loop thread is never interrupted mid-call.
final class SignalWatcher: Sendable {
    static let watched: [Int32] = [SIGWINCH, SIGTERM, SIGHUP, SIGINT]

    private struct State {
        var sources: [any DispatchSourceSignal] = []
        var previous: [Int32: sighandler_t?] = [:]
        /// Signals received and not yet taken by the loop.
        var pending: [Int32] = []
    }

    private let state = LockedValue(State())

    init(wake: WakePipe) {
        let queue = DispatchQueue(label: "autopod.shell.signals")
        state.withLock { state in
            for sig in Self.watched {
                state.previous[sig] = signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { [weak self] in
                    guard let self else { return }
                    self.state.withLock { $0.pending.append(sig) }
                    wake.wake()
                }
                source.resume()
                state.sources.append(source)
            }
        }
    }

    func take() -> [Int32] {
        state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
    }

    func stop() {
        let (sources, previous) = state.withLock { state in
            defer {
                state.sources = []
                state.previous = [:]
            }
            return (state.sources, state.previous)
        }
        for s in sources { s.cancel() }
        for (sig, handler) in previous { signal(sig, handler ?? SIG_DFL) }
    }
}
