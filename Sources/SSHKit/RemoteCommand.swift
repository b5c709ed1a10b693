import AutopodSupport
internal import CLibSSH2

extension SSHSession {
    /// Runs `command` on a new channel, streaming its stdout and stderr to the given fds and
    /// feeding it `stdin` until EOF (then sending EOF). Returns how the command ended.
    ///
    /// The output fds may be blocking (a terminal, a file): a slow consumer then slows the
    /// command, which is the backpressure we want. A closed stdout (its reader left) closes the
    /// channel and returns `.outputClosed`. The session is watched by a `LivenessProbe`, so a
    /// dead link throws `.disconnected` within `idleAfter + replyTimeout` even while the
    /// command is silent. With `terminal`, the command gets a PTY of that type and size (its
    /// stderr then arrives on stdout, as with `ssh -t`).
    public func exec(
        _ command: String, stdin: Int32? = nil, stdout: Int32 = 1, stderr: Int32 = 2, terminal: RemoteTerminal? = nil,
        liveness: LivenessSettings = LivenessSettings(), interrupt: RemoteInterrupt? = nil
    ) throws(SSHError) -> RemoteExit {
        setBlocking(true)
        let channel = try SSHChannel.openSession(self, window: 4 * 1024 * 1024)
        if let terminal {
            let rc = libssh2_channel_request_pty_ex(
                channel.raw, terminal.type, UInt32(terminal.type.utf8.count), nil, 0, terminal.columns, terminal.rows, 0, 0)
            guard rc == 0 else { throw error(.channel, "The server refused a terminal (PTY) for the command.", code: rc) }
        }
        let rc = libssh2_channel_process_startup(channel.raw, "exec", 4, command, UInt32(command.utf8.count))
        guard rc == 0 else {
            throw error(.channel, "The server refused to run the command.", code: rc)
        }
        // With a PTY the remote side does the line editing and turns Ctrl+C into SIGINT, so a
        // local terminal passes every key through, as `ssh -t` does.
        var raw: TerminalMode?
        if terminal != nil, let stdin, isatty(stdin) == 1 {
            let mode = TerminalMode(fd: stdin)
            try mode.makeRaw()
            raw = mode
        }
        defer { raw?.restore() }
        let pump = ChannelPump(channel: channel, input: stdin, stdout: stdout, stderr: stderr)
        let wake = try WakePipe()
        let signals = interrupt == nil && terminal == nil ? nil : SignalWatcher(wake: wake)
        defer { signals?.stop() }
        let loop = try SSHEventLoop(session: self, wake: wake)
        loop.participants = [pump]
        loop.probe = LivenessProbe(session: self, idleAfter: liveness.probeAfterIdle, replyTimeout: liveness.probeReplyTimeout)
        var pendingSignal: Int32?
        var lastSize = terminal.map { (cols: $0.columns, rows: $0.rows) }
        let sizeFD = isatty(stdout) == 1 ? stdout : (stdin ?? stdout)
        loop.onWake = { [unowned loop] () throws(SSHError) in
            for sig in signals?.take() ?? [] {
                if sig == SIGWINCH {
                    let now = TerminalMode.windowSize(sizeFD)
                    if let size = lastSize, now != size {
                        lastSize = now
                        _ = channel.retrying { libssh2_channel_request_pty_size_ex(channel.raw, now.cols, now.rows, 0, 0) }
                    }
                } else {
                    pendingSignal = sig
                    loop.stopRequested = true
                }
            }
        }
        var interruptsSent = 0
        var firstSignal = SIGINT
        do throws(SSHError) {
            while true {
                try loop.run()
                guard let sig = pendingSignal else { break }
                guard let interrupt else {
                    throw SSHError(.interrupted, "The command was ended by signal \(sig) (\(String(cString: strsignal(sig)))).")
                }
                pendingSignal = nil
                interruptsSent += 1
                if interruptsSent == 1 { firstSignal = sig }
                try signalRemote(interrupt.command(interruptsSent == 1 ? RemoteInterrupt.name(of: sig) : "KILL"))
                if interruptsSent >= 2 { break }
                // Wait for the command to end of it (its exit status or signal is the result).
                loop.stopRequested = false
            }
        } catch {
            // Channels released after this must not wait on a socket that will never drain.
            if error.kind == .disconnected || error.kind == .unresponsive { isDead = true }
            throw error
        }
        // Given up after the second interrupt: report the one the user sent, as a shell would.
        if interruptsSent >= 2 && !pump.isFinished { return .signal(RemoteInterrupt.name(of: firstSignal)) }
        return try pump.finish()
    }
}

extension SSHSession {
    /// Runs `command` on a second channel to signal the running one, its output discarded.
    fileprivate func signalRemote(_ command: String) throws(SSHError) {
        let null = open("/dev/null", O_WRONLY)
        defer { if null >= 0 { close(null) } }
        _ = try exec(command, stdin: nil, stdout: null, stderr: null)
        setBlocking(false)
    }
}

/// Moves bytes between one session channel and local fds: input → channel (with EOF), channel
/// stdout/stderr → two fds, both always drained so neither stalls the window. Shared by exec
/// and the interactive shell (which filters input through the escape handler).
final class ChannelPump: SSHLoopParticipant {
    let channel: SSHChannel
    let stdout: Int32
    let stderr: Int32
    /// Set to nil once input reached EOF (and EOF was sent) or cannot be delivered any more.
    var input: Int32?
    /// Input bytes read but not yet accepted by the channel; retried with the same bytes, as
    /// libssh2's non-blocking contract requires.
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var inputEOF = false
    private var eofSent = false
    private var inputSlot: Int?
    /// Transforms input before it is sent (the shell's `~` escapes); nil = send as is.
    var inputFilter: (([UInt8]) -> [UInt8])?

    private(set) var outputDone = false
    /// Local stdout's reader went away; the channel is closed without waiting for the command.
    private(set) var outputClosed = false
    private(set) var closed = false
    var isFinished: Bool { closed }
    var hasChannels: Bool { !closed }
    var nextDeadline: ContinuousClock.Instant? { nil }

    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(channel: SSHChannel, input: Int32?, stdout: Int32, stderr: Int32) {
        self.channel = channel
        self.input = input
        self.inputEOF = input == nil
        self.stdout = stdout
        self.stderr = stderr
    }

    func register(_ set: inout PollSet) {
        inputSlot = nil
        if let input, !inputEOF, pendingOffset >= pending.count, !outputDone {
            inputSlot = set.add(input, Int16(POLLIN))
        }
    }

    /// Queues bytes for the channel (the shell's escape handler uses this for `~~`).
    func enqueue(_ bytes: [UInt8]) {
        if pendingOffset >= pending.count {
            pending = bytes
            pendingOffset = 0
        } else {
            pending += bytes
        }
    }

    func endInput() {
        inputEOF = true
    }

    func service(_ set: PollSet, now: ContinuousClock.Instant) throws(SSHError) {
        if closed { return }
        try drainOutput()
        if !outputDone {
            try pumpInput(readable: set.isReadable(inputSlot))
        }
        if outputDone {
            try closeChannel()
        }
    }

    private func drainOutput() throws(SSHError) {
        var progress = true
        while progress && !outputDone {
            progress = false
            for (stream, fd) in [(Int32(0), stdout), (CLIBSSH2_EXTENDED_DATA_STDERR, stderr)] {
                while true {
                    let r = buffer.withUnsafeMutableBytes { channel.read(stream: stream, into: $0) }
                    guard case .bytes(let n) = r else {
                        if case .failed(let code) = r { try fail(code, "reading command output") }
                        break
                    }
                    progress = true
                    let err = buffer.withUnsafeBytes { Posix.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    if err == EPIPE && fd == stdout {
                        // The reader of our stdout left (`exec ... | head -1`): nothing the
                        // command writes can be delivered, so end it as a pipeline would,
                        // by closing the channel, instead of draining forever.
                        outputClosed = true
                        outputDone = true
                        return
                    }
                    // Any other failed write (a closed stderr) drops those bytes, but keeps
                    // draining so the remote side is not stalled.
                }
            }
            if channel.isEOF { outputDone = true }
        }
    }

    private func pumpInput(readable: Bool) throws(SSHError) {
        // poll() vouched for one read; a second could block on a blocking fd.
        var readable = readable
        while true {
            if pendingOffset < pending.count {
                let r = pending.withUnsafeBytes { raw in
                    channel.write(UnsafeRawBufferPointer(rebasing: raw[pendingOffset...]))
                }
                switch r {
                case .bytes(let n):
                    pendingOffset += n
                    continue
                case .wouldBlock, .none:
                    return
                case .failed(let code):
                    if LibSSH2.isTransportFailure(code) { try fail(code, "sending input") }
                    // The command closed its side; input has nowhere to go.
                    pending = []
                    pendingOffset = 0
                    inputEOF = true
                    eofSent = true
                    input = nil
                    return
                }
            }
            if inputEOF {
                if !eofSent {
                    let rc = channel.sendEOF()
                    if rc == LibSSH2.eagain { return }
                    if rc != 0 && LibSSH2.isTransportFailure(rc) { try fail(rc, "sending end of input") }
                    eofSent = true
                    input = nil
                }
                return
            }
            guard readable, let input else { return }
            var chunk = [UInt8](repeating: 0, count: 32 * 1024)
            let n = read(input, &chunk, chunk.count)
            readable = false
            if n > 0 {
                chunk.removeLast(chunk.count - n)
                let bytes = inputFilter?(chunk) ?? chunk
                enqueue(bytes)
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                return
            } else {
                inputEOF = true
                continue
            }
        }
    }

    private var closeStage = 0

    private func closeChannel() throws(SSHError) {
        if closeStage == 0 {
            let rc = channel.close()
            if rc == LibSSH2.eagain { return }
            closeStage = 1
        }
        if closeStage == 1 {
            let rc = channel.waitClosed()
            if rc == LibSSH2.eagain { return }
            closeStage = 2
        }
        closed = true
    }

    /// Exit status or signal; valid once the loop finished.
    func finish() throws(SSHError) -> RemoteExit {
        if outputClosed { return .outputClosed }
        if let sig = channel.exitSignal { return .signal(sig) }
        return .status(channel.exitStatus)
    }

    private func fail(_ code: Int32, _ what: String) throws(SSHError) {
        throw channel.session.error(.channel, "The connection failed while \(what).", code: code)
    }
}
