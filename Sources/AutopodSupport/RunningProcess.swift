/// A program under way whose stdout and stderr are collected as they come, by a thread that
/// reads both pipes (so a chatty program never stalls on a full one) and feeds stdin.
public final class RunningProcess: Sendable {
    public let process: ChildProcess

    private struct Collected {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        /// The reader has closed its descriptors and returned.
        var finished = false
        /// Asked to stop reading (the program exited but something still holds its pipes).
        var stopRequested = false
    }
    private let collected = LockedValue(Collected())

    /// Starts `arguments` (see `ChildProcess.init`) with `input` on its stdin (then end of file)
    /// and stderr kept apart from stdout, or merged into it.
    public init(
        _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil, input: String? = nil,
        mergingErrors: Bool = false
    ) throws(ChildProcess.SpawnError) {
        let out = Self.pipePair()
        let err = mergingErrors ? nil : Self.pipePair()
        let stdin = input.map { _ in Self.pipePair() }
        do {
            process = try ChildProcess(
                arguments, environment: environment, directory: directory,
                stdin: stdin.map { .descriptor($0.read) } ?? .null, stdout: .descriptor(out.write),
                stderr: err.map { .descriptor($0.write) } ?? .stdout)
        } catch {
            for fd in [out.read, out.write, err?.read, err?.write, stdin?.read, stdin?.write].compactMap({ $0 }) { close(fd) }
            throw error
        }
        // The child has its copies; ours would keep the pipes open (no end of file) forever.
        close(out.write)
        if let err { close(err.write) }
        if let stdin {
            close(stdin.read)
            Posix.setNonBlocking(stdin.write)
        }
        let feed = stdin.map { (fd: $0.write, bytes: Array(input!.utf8)) }
        let readers: [(fd: Int32, isStdout: Bool)] = [(out.read, true)] + (err.map { [($0.read, false)] } ?? [])
        Self.detach { [self] in pump(readers: readers, input: feed) }
    }

    /// Runs `body` on a thread of its own: the reader blocks in poll for the program's whole life.
    private static func detach(_ body: @escaping @Sendable () -> Void) {
        precondition(DetachedThread.start(body), "pthread_create failed: no thread for a child process's reader")
    }

    private static func pipePair() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        Posix.setCloseOnExec(fds[0])
        Posix.setCloseOnExec(fds[1])
        return (fds[0], fds[1])
    }

    /// Reads until every pipe reaches end of file (or a stop is asked for), writing the input
    /// as the child takes it.
    private func pump(readers: [(fd: Int32, isStdout: Bool)], input: (fd: Int32, bytes: [UInt8])?) {
        // A child that exits without reading its input makes our write fail with EPIPE; blocked
        // here, SIGPIPE cannot kill the test runner or the simulator.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)

        var readers = readers
        var input = input
        var written = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !readers.isEmpty && !collected.withLock({ $0.stopRequested }) {
            if let feed = input, written >= feed.bytes.count {
                close(feed.fd)
                input = nil
            }
            var polls = readers.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if let feed = input { polls.append(pollfd(fd: feed.fd, events: Int16(POLLOUT), revents: 0)) }
            if poll(&polls, nfds_t(polls.count), 100) < 0 && errno != EINTR { break }
            var closed: Set<Int32> = []
            for (index, reader) in readers.enumerated() where polls[index].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(reader.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    collected.withLock {
                        if reader.isStdout { $0.stdout += buffer[0..<n] } else { $0.stderr += buffer[0..<n] }
                    }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    closed.insert(reader.fd)
                }
            }
            for fd in closed { close(fd) }
            readers.removeAll { closed.contains($0.fd) }
            if let feed = input, polls.last?.revents ?? 0 != 0 {
                let n = feed.bytes.withUnsafeBytes { write(feed.fd, $0.baseAddress! + written, feed.bytes.count - written) }
                if n > 0 {
                    written += n
                } else if n < 0 && errno != EAGAIN && errno != EINTR {
                    written = feed.bytes.count  // the child closed its stdin: the rest has nowhere to go
                }
            }
        }
        for reader in readers { close(reader.fd) }
        if let feed = input { close(feed.fd) }
        collected.withLock { $0.finished = true }
    }

    public var isRunning: Bool { process.isRunning }

    /// What the program has written to stdout so far.
    public var stdoutSoFar: String { collected.withLock { String(decoding: $0.stdout, as: UTF8.self) } }

    /// What the program has written to stderr so far.
    public var stderrSoFar: String { collected.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    public func interrupt() { process.signal(SIGINT) }

    public func terminate() { process.signal(SIGTERM) }

    /// Waits for the program to end and for its output. One still running after `timeout` is
    /// sent SIGTERM, then SIGKILL, and the result says it timed out.
    public func wait(timeout: Duration = .seconds(120)) -> ProcessResult {
        var timedOut = false
        if !process.wait(timeout: timeout) {
            timedOut = true
            process.signal(SIGTERM)
            if !process.wait(timeout: .seconds(5)) { process.signal(SIGKILL) }
        }
        let status = process.wait()
        // A program that left a daemon behind (tmux) has handed it our pipes: no end of file
        // comes, so after a grace period the reader is told to stop.
        let grace = Deadline.after(.seconds(5))
        while !collected.withLock({ $0.finished }) && !grace.hasPassed { usleep(2_000) }
        collected.withLock { $0.stopRequested = true }
        while !collected.withLock({ $0.finished }) { usleep(2_000) }
        return collected.withLock {
            ProcessResult(
                status: status, stdout: String(decoding: $0.stdout, as: UTF8.self),
                stderr: String(decoding: $0.stderr, as: UTF8.self), timedOut: timedOut)
        }
    }
}
