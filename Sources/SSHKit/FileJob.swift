import AutopodSupport

/// What uploads and downloads of one file share: the decision between skipping, resuming and
/// starting over, the lanes (a handle per channel) that carry its chunks, and the bookkeeping
/// of its outcome. `UploadJob` and `DownloadJob` fill in the two directions.
///
/// A file is written to its partial name (`TransferItem.partialPath`) and renamed when
/// complete. A rerun keeps a partial file up to `SFTPTransfer.aheadLimit` below its end, after
/// checking that the last `tailLength` bytes before that point match the source.
class FileJob {
    unowned let transfer: SFTPTransfer
    let index: Int
    let item: TransferItem
    let partialPath: String
    var existing: TransferItem.Existing
    var partial: TransferItem.Existing

    enum Stage {
        case start
        case waiting
        /// A tail check is due but the shared budget is in use; `pendingCheck` runs when it frees.
        case awaitingBudget
        case moving
        case finished
    }

    var stage = Stage.start {
        didSet {
            if stage == .moving && oldValue != .moving {
                transfer.addMover(self)
                transfer.wake(self)
            }
        }
    }
    /// In the transfer's list of jobs to pump.
    var isWoken = false
    var pendingCheck: (() -> Void)?
    /// The local file: the source of an upload, the partial file of a download.
    var fd: Int32 = -1
    var lanes: [Lane] = []
    var ledger = ChunkLedger(start: 0)
    /// Bytes of this file already reported as done (resumed, then moved).
    var counted: UInt64 = 0

    /// One channel's handle on the remote file, and what it has in flight.
    final class Lane {
        let channel: SFTPChannel
        var handle: [UInt8]?
        var inFlight = 0
        init(channel: SFTPChannel) {
            self.channel = channel
        }
    }

    init(transfer: SFTPTransfer, index: Int) {
        self.transfer = transfer
        self.index = index
        item = transfer.items[index]
        partialPath = TransferItem.partialPath(for: item.destination)
        existing = item.existing
        partial = item.partial
    }

    var isFinished: Bool { stage == .finished }
    /// Whether chunks remain to be issued (pumped each round while so).
    var hasChunksLeft: Bool { stage == .moving && ledger.next < dataEnd }
    /// Where the file's data ends (a download learns it may end sooner).
    var dataEnd: UInt64 { item.size }
    var options: TransferOptions { transfer.options }
    var chunk: Int { transfer.chunkSize }

    func pump() -> Bool {
        switch stage {
        case .start:
            stage = .waiting
            probe()
            return true
        case .awaitingBudget:
            guard let check = pendingCheck else { return false }
            pendingCheck = nil
            check()
            return stage != .awaitingBudget
        case .moving:
            return move()
        case .waiting, .finished:
            return false
        }
    }

    // MARK: For the directions

    /// Finds out `existing` and `partial` where unknown, then calls `decide()`.
    func probe() { decide() }
    /// The remote path whose bytes equal the local file's when the destination is complete.
    var remoteOfDestination: String { item.destination }
    var localOfDestination: String { item.source }
    /// For a partial: the remote and local sides to compare before its resume point.
    var remoteOfPartial: String { partialPath }
    var localOfPartial: String { item.source }
    func open(at point: UInt64, partialSize: UInt64) {}
    /// Issues chunks; returns whether it did.
    func move() -> Bool { false }

    // MARK: Deciding

    func decide() {
        if case .present(let attributes) = existing {
            if attributes.kind == .directory {
                return fail(SFTPError(.failure, "\(item.destination): a directory is in the way of the file", path: item.destination))
            }
            let sameTime = !options.preserveTimes || attributes.modificationTime == UInt32(truncatingIfNeeded: item.modificationTime)
            if options.skipComplete && attributes.kind == .regular && attributes.size == item.size && sameTime {
                let length = min(UInt64(options.tailLength), item.size)
                return check(remote: remoteOfDestination, local: localOfDestination, range: item.size - length..<item.size) { [self] same in
                    if same {
                        transfer.countUpToDate(item.size)
                        counted = item.size
                        succeed(.upToDate)
                    } else {
                        resumeOrStart()
                    }
                }
            }
        }
        resumeOrStart()
    }

    private func resumeOrStart() {
        guard options.resume, case .present(let attributes) = partial, attributes.kind == .regular, let size = attributes.size else {
            return open(at: 0, partialSize: 0)
        }
        let verified = size > SFTPTransfer.aheadLimit ? size - SFTPTransfer.aheadLimit : 0
        let point = min(verified, item.size)
        guard point > 0 else { return open(at: 0, partialSize: size) }
        let length = min(UInt64(options.tailLength), point)
        check(remote: remoteOfPartial, local: localOfPartial, range: point - length..<point) { [self] same in
            open(at: same ? point : 0, partialSize: size)
        }
    }

    /// Compares a range of both sides, within the transfer's budget for tails in memory.
    private func check(remote: String, local: String, range: Range<UInt64>, then: @escaping (Bool) -> Void) {
        let bytes = Int(range.count)
        guard transfer.verifyBytesInUse == 0 || transfer.verifyBytesInUse + bytes <= SFTPTransfer.verifyBudget else {
            stage = .awaitingBudget
            pendingCheck = { [self] in check(remote: remote, local: local, range: range, then: then) }
            transfer.waitForBudget(self)
            return
        }
        stage = .waiting
        transfer.verifyBytesInUse += bytes
        let channel = transfer.leastBusyChannel()
        TailCheck(channel: channel, remotePath: remote, localPath: local, range: range, chunk: chunk) { [self] same in
            transfer.releaseBudget(bytes)
            if stage != .finished { then(same) }
        }.start()
    }

    /// Counts a resume point as done.
    func resumed(at point: UInt64) {
        guard point > 0 else { return }
        transfer.countResumed(point)
        counted += point
    }

    // MARK: Lanes

    /// Lanes on channels this file does not use yet, when it is big enough to stripe.
    func newLaneChannels() -> [SFTPChannel] {
        guard transfer.stripes, item.size >= options.stripeThreshold, item.size - ledger.next >= 2 * 1024 * 1024 else { return [] }
        return transfer.engine.readyChannels.filter { channel in !lanes.contains { $0.channel === channel } }
    }

    /// The end below which the next chunk may lie (`SFTPTransfer.aheadLimit`).
    var issueLimit: UInt64 { min(item.size, ledger.lowestIncomplete + SFTPTransfer.aheadLimit) }

    func closeRemoteHandles() {
        for lane in lanes {
            if let handle = lane.handle {
                lane.channel.close(handle)
                lane.handle = nil
            }
        }
    }

    // MARK: Outcomes

    func succeed(_ outcome: TransferReport.Outcome) {
        guard stage != .finished else { return }
        stage = .finished
        closeLocal()
        closeRemoteHandles()
        transfer.settle(size: item.size, counted: counted, failed: false)
        transfer.finish(index, outcome)
        transfer.jobEnded()
    }

    func fail(_ error: SFTPError) {
        guard stage != .finished else { return }
        stage = .finished
        closeLocal()
        closeRemoteHandles()
        transfer.settle(size: item.size, counted: counted, failed: true)
        transfer.finish(index, .failed, failure: error)
        transfer.jobEnded()
    }

    func closeLocal() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }
}
