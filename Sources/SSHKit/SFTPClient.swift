import AutopodSupport
import Logging

/// Files on the far side of an SSH session, over SFTP (OpenSSH's sftp-server or internal-sftp).
///
/// The protocol is spoken by SSHKit itself over session channels rather than through
/// libssh2's SFTP calls: libssh2 1.10 keeps one open, one read and one write state per SFTP
/// session, so it cannot have many files in flight at once, which is what makes small files
/// fast over a long link (see `SFTPTransfer`). Everything runs on the calling thread, inside
/// the session's event loop, with keepalives and the liveness probe of a tunnel.
///
/// Not Sendable (one thread, like the session); `cancellation` may be used from any thread.
public final class SFTPClient {
    public let session: SSHSession
    public let options: SFTPOptions
    /// Ctrl+C: any thread may cancel what the client is doing.
    public let cancellation: SFTPCancellation
    let engine: SFTPEngine
    private let loop: SSHEventLoop
    private let probe: LivenessProbe
    private var broken: SFTPError?
    let logger: Logger

    /// Starts SFTP on an authenticated session: one channel now (or all of them, see
    /// `SFTPOptions.openAllChannelsAtStart`), more when a transfer can use them. Returns once
    /// the first is ready. Throws `.noSFTP` when the server has no SFTP subsystem.
    public init(session: SSHSession, options: SFTPOptions = SFTPOptions(), logger: Logger = Logger(label: "autopod.sftp")) throws(SFTPError) {
        self.session = session
        self.options = options
        self.logger = logger
        engine = SFTPEngine(session: session)
        do {
            cancellation = SFTPCancellation(wake: try WakePipe())
            loop = try SSHEventLoop(session: session, wake: cancellation.wake)
        } catch {
            throw SFTPError(transport: error)
        }
        probe = LivenessProbe(session: session, idleAfter: options.probeAfterIdle, replyTimeout: options.probeReplyTimeout)
        loop.participants = [engine]
        loop.probe = probe
        loop.onWake = { [cancellation] () throws(SSHError) in
            if cancellation.isCancelled { throw SSHError(.interrupted, "The copy was interrupted.") }
        }
        engine.ensureChannels(options.openAllChannelsAtStart ? options.channels : 1, window: options.channelWindow)
        let first = engine.channels[0]
        do {
            try run { first.isReady }
        } catch {
            if error.kind == .connectionLost, let transport = error.transport, transport.kind == .channel {
                throw SFTPError(.noSFTP, transport.description, transport: transport)
            }
            throw error
        }
        logger.debug("sftp ready", metadata: ["version": "\(first.version)", "extensions": "\(first.extensions.keys.sorted())"])
    }

    deinit {
        engine.closeAll()
    }

    /// Starts opening the extra channels a transfer of many files (or one big one) uses, so
    /// they open while the copy is being planned instead of after (libssh2 opens one channel
    /// at a time, a few round trips each). The work goes on without waiting for them.
    public func openChannels() {
        engine.ensureChannels(options.channels, window: options.channelWindow)
    }

    /// The first channel, on which single operations run.
    var primary: SFTPChannel { engine.channels[0] }

    /// The link's round trip, as the first channel measured it (see `SFTPChannel.roundTrip`).
    var roundTrip: Duration? { primary.roundTrip }

    /// Runs the event loop until `condition` holds. A transport failure leaves the client
    /// unusable (every later call throws the same error): make a new session and client.
    func run(until condition: @escaping () -> Bool) throws(SFTPError) {
        if let broken { throw broken }
        if condition() { return }
        engine.isDone = condition
        loop.stopRequested = false
        do {
            // Requests framed since the last run are still in the channels' queues: write them
            // before the loop first waits, or that wait would be for replies to nothing. (As if
            // the socket had woken it: these writes are new, not late; see `lateWakeups`.)
            session.socketReady = true
            try engine.service(PollSet(), now: .now)
            if !condition() { try loop.run() }
        } catch {
            engine.work = nil
            let mapped: SFTPError
            if error.kind == .interrupted {
                mapped = SFTPError(.cancelled, "interrupted")
                // The session is still good, but requests in flight would answer handlers that
                // no longer exist: nothing more goes over it.
            } else {
                session.isDead = error.kind == .disconnected || error.kind == .unresponsive
                mapped = SFTPError(transport: error)
            }
            broken = mapped
            throw mapped
        }
    }

    // MARK: Single operations

    /// Sends one request on the primary channel and runs the loop until its reply is decoded.
    private func call<T>(_ send: (SFTPChannel, @escaping (Result<T, SFTPError>) -> Void) -> Void) throws(SFTPError) -> T {
        var result: Result<T, SFTPError>?
        send(primary) { result = $0 }
        try run { result != nil }
        switch result! {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }

    /// The canonical absolute form of `path` (`.` is the directory the server starts in).
    public func realPath(_ path: String) throws(SFTPError) -> String {
        try name(.realpath, "realpath", path)
    }

    /// The attributes of `path` (of the link itself unless `followLinks`), or nil when there
    /// is nothing there.
    public func attributes(_ path: String, followLinks: Bool = false) throws(SFTPError) -> SFTPAttributes? {
        try call { channel, done in
            channel.request(followLinks ? .stat : .lstat, path: path) { reply in
                done(reply.statResult.map { .success($0) } ?? .failure(reply.error("stat", path)))
            }
        }
    }

    public func readLink(_ path: String) throws(SFTPError) -> String {
        try name(.readlink, "readlink", path)
    }

    /// The one name a REALPATH or READLINK of `path` answers with.
    private func name(_ request: SFTPProtocol.MessageType, _ operation: String, _ path: String) throws(SFTPError) -> String {
        try call { channel, done in
            channel.request(request, path: path) { reply in
                done(reply.firstName.map { .success($0) } ?? .failure(reply.error(operation, path)))
            }
        }
    }

    public func makeDirectory(_ path: String, mode: UInt32 = 0o755) throws(SFTPError) {
        try call { channel, done in
            channel.request(
                .mkdir,
                { q in
                    q.appendString(path)
                    q.appendAttributes(SFTPAttributes(permissions: mode))
                    return true
                },
                reply: { reply in done(reply.isOK ? .success(()) : .failure(reply.error("mkdir", path))) }
            )
        }
    }

    public func remove(_ path: String) throws(SFTPError) {
        try call { channel, done in
            channel.request(.remove, path: path) { reply in done(reply.isOK ? .success(()) : .failure(reply.error("remove", path))) }
        }
    }

    public func removeDirectory(_ path: String) throws(SFTPError) {
        try call { channel, done in
            channel.request(.rmdir, path: path) { reply in done(reply.isOK ? .success(()) : .failure(reply.error("rmdir", path))) }
        }
    }

    /// Renames `source` to `target`, replacing `target` if it exists (OpenSSH's posix-rename;
    /// a server without it gets remove-then-rename).
    public func rename(_ source: String, to target: String) throws(SFTPError) {
        try call { channel, done in
            Self.rename(on: channel, source, to: target) { done($0.map { .failure($0) } ?? .success(())) }
        }
    }

    static func rename(on channel: SFTPChannel, _ source: String, to target: String, done: @escaping (SFTPError?) -> Void) {
        if channel.supports(SFTPProtocol.Extension.posixRename) {
            channel.extended(
                SFTPProtocol.Extension.posixRename,
                { q in
                    q.appendString(source)
                    q.appendString(target)
                },
                reply: { reply in done(reply.isOK ? nil : reply.error("rename", target)) }
            )
        } else {
            channel.request(.remove, path: target) { _ in }
            channel.request(.rename, source, target) { reply in done(reply.isOK ? nil : reply.error("rename", target)) }
        }
    }

    /// Makes `path` a symbolic link to `target`.
    public func symlink(_ path: String, target: String) throws(SFTPError) {
        try call { channel, done in
            Self.symlink(on: channel, path, target: target) { done($0.map { .failure($0) } ?? .success(())) }
        }
    }

    /// OpenSSH's sftp-server takes SYMLINK's two paths in the opposite order to the draft
    /// (target first); every server autopod meets is OpenSSH's.
    static func symlink(on channel: SFTPChannel, _ path: String, target: String, done: @escaping (SFTPError?) -> Void) {
        channel.request(.symlink, target, path) { reply in done(reply.isOK ? nil : reply.error("symlink", path)) }
    }

    public func setAttributes(_ path: String, _ attributes: SFTPAttributes) throws(SFTPError) {
        try call { channel, done in
            channel.request(
                .setstat,
                { q in
                    q.appendString(path)
                    q.appendAttributes(attributes)
                    return true
                },
                reply: { reply in done(reply.isOK ? .success(()) : .failure(reply.error("setstat", path))) }
            )
        }
    }

    // MARK: Idle

    /// Keeps the connection alive (keepalives, liveness probe) until `fd` is readable or
    /// `timeout` passes; returns whether `fd` became readable. A dead link throws, as any call.
    public func wait(forReadable fd: Int32, timeout: Duration) throws(SFTPError) -> Bool {
        let end = ContinuousClock.now + timeout
        engine.watch(fd)
        engine.deadline = end
        defer {
            engine.watch(nil)
            engine.deadline = nil
        }
        try run { [engine] in engine.watchedFired || ContinuousClock.now >= end }
        return engine.watchedFired
    }

    // MARK: Batches (one round trip for all)

    /// The attributes of each path (nil where nothing is), asked all at once.
    public func attributes(of paths: [String], followLinks: Bool = false) throws(SFTPError) -> [SFTPAttributes?] {
        var results = [SFTPAttributes?](repeating: nil, count: paths.count)
        var pending = paths.count
        var failure: SFTPError?
        for (i, path) in paths.enumerated() {
            primary.request(followLinks ? .stat : .lstat, path: path) { reply in
                pending -= 1
                if let found = reply.statResult {
                    results[i] = found
                } else if failure == nil {
                    failure = reply.error("stat", path)
                }
            }
        }
        try run { pending == 0 }
        if let failure { throw failure }
        return results
    }

    /// What is at each path, asked all at once: attributes, or nil where there is nothing.
    /// Paths whose answer was another error are left out (ask them alone to get the error).
    public func knownAttributes(of paths: [String], followLinks: Bool = false) throws(SFTPError) -> [String: SFTPAttributes?] {
        var known: [String: SFTPAttributes?] = [:]
        var pending = paths.count
        for path in paths {
            primary.request(followLinks ? .stat : .lstat, path: path) { reply in
                pending -= 1
                // `.some`: a path with nothing there is known too (a nil would remove the key).
                if let found = reply.statResult { known[path] = .some(found) }
            }
        }
        try run { pending == 0 }
        return known
    }

    /// The targets of symbolic links, asked all at once; links that cannot be read are left out.
    public func readLinks(_ paths: [String]) throws(SFTPError) -> [String: String] {
        var targets: [String: String] = [:]
        var pending = paths.count
        for path in paths {
            primary.request(.readlink, path: path) { reply in
                pending -= 1
                if let target = reply.firstName { targets[path] = target }
            }
        }
        try run { pending == 0 }
        return targets
    }

    /// Runs a command on the same connection (its own channel) with `input` on stdin, and
    /// returns its exit status and stdout. For small outputs (it is held in memory).
    public func runCommand(_ command: String, input: [UInt8]) throws(SFTPError) -> (status: Int32, output: [UInt8]) {
        // The liveness probe may be half way through opening its channel; libssh2 has one
        // channel-open slot per session, so let it finish first.
        try run { [probe] in !probe.inFlight }
        guard let inFile = tmpfile(), let outFile = tmpfile() else {
            throw SFTPError.local("tmpfile", "a temporary file", errno: errno)
        }
        defer {
            fclose(inFile)
            fclose(outFile)
        }
        let inFD = fileno(inFile)
        let outFD = fileno(outFile)
        if Posix.writeAll(inFD, input) != nil || lseek(inFD, 0, SEEK_SET) != 0 {
            throw SFTPError.local("write", "a temporary file", errno: errno)
        }
        let exit: RemoteExit
        do {
            let discard = open("/dev/null", O_WRONLY | O_CLOEXEC)
            defer { close(discard) }
            exit = try session.exec(command, stdin: inFD, stdout: outFD, stderr: discard)
        } catch {
            session.isDead = error.kind == .disconnected || error.kind == .unresponsive
            broken = SFTPError(transport: error)
            throw broken!
        }
        session.setBlocking(false)
        let size = Int(lseek(outFD, 0, SEEK_END))
        var output = [UInt8](repeating: 0, count: max(0, size))
        _ = pread(outFD, &output, output.count, 0)
        return (exit.exitCode, output)
    }

    // MARK: Listings

    /// The entries of one directory (without `.` and `..`), with their attributes as lstat.
    public func listDirectory(_ path: String) throws(SFTPError) -> [SFTPDirectoryEntry] {
        let walk = SFTPTreeWalk(client: self, root: path, recursive: false, descend: { _ in false })
        return try walk.run().entries.map { SFTPDirectoryEntry(name: $0.relativePath, attributes: $0.attributes) }
    }

    /// Every entry under `root` (relative paths, parents before children), in one pipelined
    /// listing: directories are read concurrently, several READDIRs in flight per directory.
    /// `descend` is asked before a directory's contents are listed (its relative path).
    /// Throws when `root` itself cannot be listed; a subdirectory that cannot be read is in
    /// the tree's `unreadable`.
    public func walk(_ root: String, descend: @escaping (String) -> Bool = { _ in true }) throws(SFTPError) -> SFTPTree {
        try SFTPTreeWalk(client: self, root: root, recursive: true, descend: descend).run()
    }

    /// Removes many paths at once (pipelined): files and links first, then directories,
    /// deepest first. Returns what could not be removed; the rest is gone.
    public func removeAll(files: [String], directories: [String]) throws(SFTPError) -> [SFTPError] {
        var failures: [SFTPError] = []
        let deepestFirst = directories.sorted { $0.split(separator: "/").count > $1.split(separator: "/").count }
        // A directory can only go once what was in it is gone: each round ends before the next.
        for (type, paths) in [(SFTPProtocol.MessageType.remove, files), (.rmdir, deepestFirst)] {
            var pending = 0
            for path in paths {
                pending += 1
                primary.request(type, path: path) { reply in
                    pending -= 1
                    if !reply.isOK { failures.append(reply.error(String(describing: type), path)) }
                }
            }
            try run { pending == 0 }
        }
        return failures
    }

    // MARK: Transfers

    /// Copies `items` in `direction`, filling `report` as files finish (it stays meaningful when
    /// this throws: a lost connection keeps what was done, and the partial files, to resume).
    public func transfer(
        _ items: [TransferItem], direction: TransferDirection, options transferOptions: TransferOptions,
        report: inout TransferReport, progress: @escaping (TransferProgress) -> Void = { _ in }
    ) throws(SFTPError) {
        let transfer = SFTPTransfer(
            client: self, items: items, direction: direction, options: transferOptions, report: report, progress: progress)
        defer { report = transfer.report }
        try transfer.run()
    }
}
