import AutopodSupport

/// Copies a list of items over an `SFTPClient`, with many requests in flight:
///
/// 1. directories: uploads send every MKDIR at once on one channel, parents first (the server
///    answers a channel's requests in order); downloads make them locally, a level at a time;
/// 2. files, links and special files, up to `maxOpenFiles` at once, each on the least busy
///    channel; a big file is striped over every channel (a handle per channel, chunks handed
///    out in order), because the server's window caps each channel at 2 MiB in flight;
/// 3. directory modes and times, deepest first (writing files changed the times).
///
/// Memory stays bounded: a channel is given more WRITEs only while its queue holds less than
/// `queueLimit` and its unanswered bytes are under `laneLimit`; READs the same way against the
/// channel's window. Nothing holds a whole file.
final class SFTPTransfer {
    let client: SFTPClient
    let items: [TransferItem]
    let direction: TransferDirection
    let options: TransferOptions
    private(set) var report: TransferReport
    private let progressSink: (TransferProgress) -> Void

    /// No chunk is issued ending more than this past the lowest unwritten offset of its file,
    /// so a partial file is known good up to its size minus this (see `ChunkLedger`).
    static let aheadLimit: UInt64 = 16 * 1024 * 1024
    /// Unsent request bytes queued per channel before more are framed.
    static let queueLimit = 1024 * 1024
    /// Unanswered bytes per channel (requests sent, replies not back).
    static let laneLimit = 8 * 1024 * 1024
    /// Files in progress per channel taking requests (see `openFilesLimit`). A small file holds
    /// its handle for two round trips and its bytes are sent at once, so at a long round trip
    /// the number in flight is what sets the pace; the bytes stay bounded per channel (`hasRoom`).
    static let filesPerChannel = 512
    /// The largest WRITE (OpenSSH's sftp-server takes up to its 256 KiB packet less a header).
    static let maxWriteChunk = 256 * 1024
    /// Bytes of tails being compared at once.
    static let verifyBudget = 16 * 1024 * 1024

    private enum Phase {
        case directories
        case files
        case directoryAttributes
        case done
    }

    private var phase = Phase.directories
    private var levels: [[Int]] = []
    private var levelInFlight = 0
    private var failedDirectories: [String] = []
    private var queue: [Int] = []
    private var queueHead = 0
    /// Files (and links) in progress.
    private var activeCount = 0
    /// Jobs that asked to be pumped (a reply changed what they can do), each once.
    private var woken: [FileJob] = []
    /// Jobs with chunks still to issue: pumped every round, as channels make room.
    private var movers: [FileJob] = []
    /// Jobs waiting for the tail-check budget.
    private var budgetWaiters: [FileJob] = []
    private var attributesInFlight = 0
    private var attributesSent = false
    var verifyBytesInUse = 0

    private var bytesTotal: UInt64 = 0
    private var bytesDone: UInt64 = 0
    private var filesTotal = 0
    private var filesDone = 0
    private var lastPath: String?
    private var lastReport = ContinuousClock.now - .seconds(1)

    init(
        client: SFTPClient, items: [TransferItem], direction: TransferDirection, options: TransferOptions,
        report: TransferReport, progress: @escaping (TransferProgress) -> Void
    ) {
        self.client = client
        self.items = items
        self.direction = direction
        self.options = options
        self.report = report
        self.progressSink = progress
    }

    var engine: SFTPEngine { client.engine }

    /// Bytes per READ or WRITE: the server's limit when it says (OpenSSH: 255 KiB), capped.
    /// A WRITE takes the whole limit: each one costs the server a reply, a write() and a trip
    /// through sshd to the SFTP process, and with the bytes CPU-bound on loopback that work
    /// counts (sshd's CPU time for a 256 MiB upload, 64 KiB WRITEs against 255 KiB: 1.37 s
    /// against 1.10 s, 1.19 against 1.10, 0.93 against 0.91 in three runs on a loaded machine).
    var chunkSize: Int {
        let channel = client.primary
        let limit = (direction == .upload ? channel.maxWriteLength : channel.maxReadLength) ?? 32 * 1024
        return max(4096, min(limit, direction == .upload ? Self.maxWriteChunk : 64 * 1024))
    }

    func run() throws(SFTPError) {
        var directories: [Int] = []
        for (i, item) in items.enumerated() where report.outcomes[i] == nil {
            switch item.kind {
            case .directory: directories.append(i)
            case .file:
                bytesTotal += item.size
                filesTotal += 1
                queue.append(i)
            default:
                filesTotal += 1
                queue.append(i)
            }
        }
        var byDepth: [Int: [Int]] = [:]
        for i in directories { byDepth[Self.depth(items[i].destination), default: []].append(i) }
        levels = byDepth.keys.sorted().map { byDepth[$0]! }
        // More channels only pay when there is much to move (each costs a few round trips).
        let big = stripes && queue.contains { items[$0].kind == .file && items[$0].size >= options.stripeThreshold }
        if big || queue.count > 16 {
            // They open while the work starts on the first one; a big file takes each on as a
            // lane once it is ready, small files go to whichever is least busy.
            engine.ensureChannels(client.options.channels, window: client.options.channelWindow)
        }

        engine.work = { [unowned self] () throws(SSHError) -> Bool in pump() }
        defer {
            engine.work = nil
            engine.deadline = nil
        }
        try client.run { [unowned self] in phase == .done }
        reportProgress(force: true)
    }

    static func depth(_ path: String) -> Int { path.split(separator: "/").count }

    /// Whether big files are spread over every channel (see `TransferOptions.stripeDownloadsFrom`);
    /// when the round trip is unknown, they are.
    var stripes: Bool {
        direction == .upload || client.roundTrip.map { $0 >= options.stripeDownloadsFrom } ?? true
    }

    // MARK: Scheduling

    private func pump() -> Bool {
        var did = false
        switch phase {
        case .directories:
            did = pumpDirectories()
        case .files:
            did = pumpFiles()
        case .directoryAttributes:
            did = pumpDirectoryAttributes()
        case .done:
            return false
        }
        reportProgress(force: false)
        return did
    }

    private func pumpDirectories() -> Bool {
        guard levelInFlight == 0 else { return false }
        if direction == .upload {
            // Every MKDIR at once, parents before children, on one channel: the server answers a
            // channel's requests in order, so a parent exists before its child's MKDIR runs (and
            // when it could not be made, the child's MKDIR fails and is named too). The files
            // follow at once, on that channel while any MKDIR is unanswered (see
            // `leastBusyChannel`): no round trip for the tree at all.
            for i in levels.joined() { makeDirectory(i) }
            levels.removeAll()
            phase = .files
            return true
        }
        guard !levels.isEmpty else {
            phase = .files
            return true
        }
        for i in levels.removeFirst() { makeDirectory(i) }
        return true
    }

    private func pumpFiles() -> Bool {
        var did = false
        // Only jobs that have something to do are visited: with hundreds of small files in
        // flight, visiting all of them on every reply was most of the work.
        let due = woken
        woken.removeAll(keepingCapacity: true)
        for job in due {
            job.isWoken = false
            if !job.isFinished && job.pump() { did = true }
        }
        if !movers.isEmpty {
            for job in movers where !job.isFinished && job.pump() { did = true }
            movers.removeAll { $0.isFinished || !$0.hasChunksLeft }
        }
        let limit = openFilesLimit
        while activeCount < limit && queueHead < queue.count {
            let i = queue[queueHead]
            queueHead += 1
            did = true
            start(i)
        }
        if activeCount == 0 && queueHead >= queue.count && levelInFlight == 0 {
            phase = .directoryAttributes
            return true
        }
        // Progress reports tick even while nothing arrives (rate, ETA).
        engine.deadline = .now + .milliseconds(250)
        return did
    }

    /// Files in progress at once. Many small files are bound by round trips, not bytes, so
    /// many are in flight (the bytes are bounded by `hasRoom` per channel), but in proportion
    /// to the channels taking requests: a file stays on the channel it was opened on, and each
    /// channel is one server process, so files started before the others take requests would
    /// all queue on the first (and while MKDIRs are unanswered, every file goes to their
    /// channel). Each holds a handle on its channel's server (at most half its limit per
    /// channel, as channels are not perfectly balanced) and, until its last WRITE is framed, a
    /// local descriptor.
    private var openFilesLimit: Int {
        var perChannel = Self.filesPerChannel
        if let handles = client.primary.maxOpenHandles { perChannel = min(perChannel, max(4, handles / 2)) }
        let channels = levelInFlight > 0 ? 1 : max(1, engine.workingChannels.count)
        return min(options.maxOpenFiles, descriptorLimit, perChannel * channels)
    }

    /// Half the process's descriptor limit (the rest for channels, directories and the like).
    private lazy var descriptorLimit: Int = {
        var files = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files) == 0, files.rlim_cur < rlim_t(Int32.max) else { return .max }
        return max(16, Int(files.rlim_cur) / 2 - 32)
    }()

    /// A job's reply changed what it can do: pump it on the next round.
    func wake(_ job: FileJob) {
        guard !job.isWoken && !job.isFinished else { return }
        job.isWoken = true
        woken.append(job)
    }

    /// A job has chunks left to issue whenever a channel has room.
    func addMover(_ job: FileJob) {
        movers.append(job)
    }

    func waitForBudget(_ job: FileJob) {
        budgetWaiters.append(job)
    }

    func releaseBudget(_ bytes: Int) {
        verifyBytesInUse -= bytes
        let waiting = budgetWaiters
        budgetWaiters.removeAll()
        for job in waiting { wake(job) }
    }

    private func start(_ i: Int) {
        let item = items[i]
        if let blocked = unmadeDirectory(above: item.destination) {
            return finish(i, .failed, failure: Self.notCopied(item.destination, directory: blocked))
        }
        switch item.kind {
        case .file:
            let job: FileJob = direction == .upload ? UploadJob(transfer: self, index: i) : DownloadJob(transfer: self, index: i)
            activeCount += 1
            _ = job.pump()
        case .symlink(let target):
            makeLink(i, target: target)
        case .special(let what):
            report.notes.append("skipped \(item.source): a \(what), which cannot be copied")
            finish(i, .skipped)
        case .directory:
            break
        }
    }

    static func notCopied(_ destination: String, directory: String) -> SFTPError {
        SFTPError(.failure, "\(destination): not copied, its directory \(directory) could not be made", path: destination)
    }

    /// A directory above `destination` that could not be made: what a file sent behind its
    /// MKDIR failed for.
    func unmadeDirectory(above destination: String) -> String? {
        failedDirectories.first { destination.hasPrefix($0 + "/") }
    }

    /// The channel taking requests with the least outstanding work; the MKDIRs' channel while
    /// any is unanswered, so that every request behind them runs after them.
    func leastBusyChannel() -> SFTPChannel {
        if levelInFlight > 0 && direction == .upload { return client.primary }
        return engine.workingChannels.min { ($0.bytesInFlight + $0.queuedBytes, $0.requestsInFlight) < ($1.bytesInFlight + $1.queuedBytes, $1.requestsInFlight) }
            ?? client.primary
    }

    /// Whether `channel` may be given another request of `bytes`.
    func hasRoom(_ channel: SFTPChannel, for bytes: Int) -> Bool {
        switch direction {
        case .upload: return channel.queuedBytes < Self.queueLimit && channel.bytesInFlight + bytes <= Self.laneLimit
        case .download: return channel.bytesInFlight + bytes <= min(Self.laneLimit, Int(channel.window) - 65536)
        }
    }

    // MARK: Outcomes

    /// A file job is done (its outcome is recorded through `finish`).
    func jobEnded() {
        activeCount -= 1
    }

    func finish(_ i: Int, _ outcome: TransferReport.Outcome, failure: SFTPError? = nil) {
        report.outcomes[i] = outcome
        let item = items[i]
        if let failure {
            report.failures.append(TransferFailure(path: failure.path ?? item.destination, reason: failure.description, kind: failure.kind))
        }
        if case .directory = item.kind { return }
        filesDone += 1
        lastPath = item.destination
    }

    /// A file finished: `counted` of its bytes were reported as they moved; the rest of
    /// `size` is done now (or, when it failed, leaves the total).
    func settle(size: UInt64, counted: UInt64, failed: Bool) {
        if failed {
            bytesTotal -= min(bytesTotal, size)
            bytesDone -= min(bytesDone, counted)
        } else if counted < size {
            bytesDone += size - counted
        }
    }

    func countTransferred(_ bytes: Int) {
        report.bytesTransferred += UInt64(bytes)
        bytesDone += UInt64(bytes)
    }

    func countResumed(_ bytes: UInt64) {
        report.bytesResumed += bytes
        report.filesResumed += 1
        bytesDone += bytes
    }

    func countUpToDate(_ bytes: UInt64) {
        report.bytesUpToDate += bytes
        bytesDone += bytes
    }

    private func reportProgress(force: Bool) {
        let now = ContinuousClock.now
        guard force || lastReport.duration(to: now) >= .milliseconds(200) else { return }
        lastReport = now
        progressSink(
            TransferProgress(
                bytesDone: min(bytesDone, bytesTotal), bytesTotal: bytesTotal, bytesTransferred: report.bytesTransferred,
                filesDone: filesDone, filesTotal: filesTotal, currentPath: lastPath, finished: phase == .done))
    }

    // MARK: Directories

    private func makeDirectory(_ i: Int) {
        let item = items[i]
        if case .present(let attributes) = item.existing {
            if attributes.kind == .directory {
                report.outcomes[i] = .upToDate
                return
            }
            return failDirectory(i, SFTPError(.failure, "\(item.destination): not a directory (something else is in the way)", path: item.destination))
        }
        // Owner rwx while filling it; the real mode is set at the end.
        let mode = item.mode | 0o700
        switch direction {
        case .download:
            if mkdir(item.destination, mode_t(mode)) == 0 {
                report.outcomes[i] = .copied
            } else if errno == EEXIST, (try? LocalFileInfo.lstat(item.destination))??.kind == .directory {
                report.outcomes[i] = .upToDate
            } else {
                failDirectory(i, SFTPError.local("mkdir", item.destination, errno: errno))
            }
        case .upload:
            levelInFlight += 1
            let channel = client.primary
            channel.request(
                .mkdir,
                { q in
                    q.appendString(item.destination)
                    q.appendAttributes(SFTPAttributes(permissions: mode))
                    return true
                },
                reply: { [self] reply in
                    if reply.isOK {
                        levelInFlight -= 1
                        report.outcomes[i] = .copied
                        return
                    }
                    let error = reply.error("mkdir", item.destination)
                    // FAILURE is also "it exists": fine if it is a directory.
                    channel.request(.lstat, path: item.destination) { [self] check in
                        levelInFlight -= 1
                        var r = check.reader
                        if check.type == SFTPProtocol.MessageType.attrs.rawValue, r.attributes()?.kind == .directory {
                            report.outcomes[i] = .upToDate
                        } else {
                            failDirectory(i, error)
                        }
                    }
                }
            )
        }
    }

    private func failDirectory(_ i: Int, _ error: SFTPError) {
        failedDirectories.append(items[i].destination)
        finish(i, .failed, failure: error)
    }

    private func pumpDirectoryAttributes() -> Bool {
        if !attributesSent {
            attributesSent = true
            let directories = items.indices.filter { i in
                if case .directory = items[i].kind { return report.outcomes[i] == .copied || report.outcomes[i] == .upToDate }
                return false
            }.sorted { Self.depth(items[$0].destination) > Self.depth(items[$1].destination) }
            for i in directories { setDirectoryAttributes(i) }
            // Framed but not sent yet: say so, or the loop would wait for replies to requests
            // still in the channel's queue (until the next deadline, a quarter second).
            if attributesInFlight > 0 { return true }
        }
        guard attributesInFlight == 0 else { return false }
        phase = .done
        return true
    }

    private func setDirectoryAttributes(_ i: Int) {
        let item = items[i]
        switch direction {
        case .download:
            if chmod(item.destination, mode_t(item.mode)) != 0 {
                return finish(i, .failed, failure: SFTPError.local("chmod", item.destination, errno: errno))
            }
            if options.preserveTimes { LocalFiles.setTimes(item.destination, access: item.accessTime, modification: item.modificationTime) }
        case .upload:
            var attributes = SFTPAttributes(permissions: item.mode)
            if options.preserveTimes {
                attributes.accessTime = UInt32(truncatingIfNeeded: item.accessTime)
                attributes.modificationTime = UInt32(truncatingIfNeeded: item.modificationTime)
            }
            attributesInFlight += 1
            client.primary.request(
                .setstat,
                { q in
                    q.appendString(item.destination)
                    q.appendAttributes(attributes)
                    return true
                },
                reply: { [self] reply in
                    attributesInFlight -= 1
                    if !reply.isOK { finish(i, .failed, failure: reply.error("setstat", item.destination)) }
                }
            )
        }
    }

    // MARK: Links

    private func makeLink(_ i: Int, target: String) {
        let item = items[i]
        if case .present(let attributes) = item.existing, attributes.kind == .directory {
            return finish(i, .failed, failure: SFTPError(.failure, "\(item.destination): a directory is in the way of the link", path: item.destination))
        }
        switch direction {
        case .download:
            if case .present(let attributes) = item.existing, attributes.kind == .symlink,
                (try? LocalFileInfo.readLink(item.destination)) == target
            {
                return finish(i, .upToDate)
            }
            unlink(item.destination)
            if Glibc.symlink(target, item.destination) != 0 {
                return finish(i, .failed, failure: SFTPError.local("symlink", item.destination, errno: errno))
            }
            finish(i, .copied)
        case .upload:
            let channel = leastBusyChannel()
            if item.existing != .absent { channel.request(.remove, path: item.destination) { _ in } }
            activeCount += 1
            SFTPClient.symlink(on: channel, item.destination, target: target) { [self] error in
                activeCount -= 1
                if let error { finish(i, .failed, failure: error) } else { finish(i, .copied) }
            }
        }
    }
}
