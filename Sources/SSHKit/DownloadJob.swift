import AutopodSupport

/// One remote file to the local disk: READs in flight on every lane, each DATA reply written
/// with pwrite straight from the channel's input buffer into the local partial file, then the
/// mode and times set and the partial renamed over the destination.
final class DownloadJob: FileJob {
    /// Where the remote file turned out to end (EOF before the listed size: it shrank).
    private var end: UInt64 = .max
    private var partialSize: UInt64 = 0

    override var dataEnd: UInt64 { min(item.size, end) }
    override var remoteOfDestination: String { item.source }
    override var localOfDestination: String { item.destination }
    override var remoteOfPartial: String { item.source }
    override var localOfPartial: String { partialPath }

    override func probe() {
        do throws(SFTPError) {
            if existing == .unknown { existing = try LocalFileInfo.lstat(item.destination).map { .present($0.attributes) } ?? .absent }
            if partial == .unknown { partial = try LocalFileInfo.lstat(partialPath).map { .present($0.attributes) } ?? .absent }
        } catch {
            return fail(error)
        }
        decide()
    }

    override func open(at point: UInt64, partialSize: UInt64) {
        self.partialSize = partialSize
        fd = Glibc.open(partialPath, O_WRONLY | O_CREAT | O_CLOEXEC | (point == 0 ? O_TRUNC : 0), 0o600)
        guard fd >= 0 else {
            let code = errno
            return fail(SFTPError.local("create", item.destination, errno: code))
        }
        let lane = Lane(channel: transfer.leastBusyChannel())
        lanes = [lane]
        stage = .waiting
        openRemote(lane) { [self] in
            resumed(at: point)
            ledger = ChunkLedger(start: point)
            stage = .moving
        }
    }

    private func openRemote(_ lane: Lane, then: @escaping () -> Void) {
        lane.channel.open(
            item.source, .read,
            reply: { [self] handle, reply in
                guard let handle else {
                    if lane === lanes.first { fail(reply.error("open", item.source)) }
                    return
                }
                if stage == .finished || (stage == .moving && ledger.next >= min(item.size, end)) {
                    lane.channel.close(handle)
                    return
                }
                lane.handle = handle
                then()
            }
        )
    }

    override func move() -> Bool {
        var did = false
        for channel in newLaneChannels() {
            let lane = Lane(channel: channel)
            lanes.append(lane)
            openRemote(lane) {}
            did = true
        }
        var progress = true
        while progress && stage == .moving {
            progress = false
            for lane in lanes where lane.handle != nil && transfer.hasRoom(lane.channel, for: chunk) {
                guard let (offset, length) = ledger.issue(length: chunk, end: min(issueLimit, end)) else { break }
                read(lane, offset, length, chunkStart: offset)
                progress = true
                did = true
            }
        }
        if stage == .moving && ledger.next >= min(item.size, end) && ledger.isIdle {
            finish()
            did = true
        }
        return did
    }

    /// READs `length` bytes at `offset`, part of the chunk that starts at `chunkStart`; a short
    /// answer asks again for the rest.
    private func read(_ lane: Lane, _ offset: UInt64, _ length: Int, chunkStart: UInt64) {
        guard let handle = lane.handle else { return }
        let channel = lane.channel
        channel.bytesInFlight += length
        lane.inFlight += length
        channel.read(
            handle, at: offset, length: length,
            reply: { [self] reply in
                channel.bytesInFlight -= length
                lane.inFlight -= length
                guard stage == .moving else { return }
                var r = reply.reader
                if reply.type == SFTPProtocol.MessageType.data.rawValue, let data = r.stringBytes(), data.count <= length {
                    var written = 0
                    while written < data.count {
                        let n = pwrite(fd, data.baseAddress! + written, data.count - written, off_t(offset) + off_t(written))
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 { return fail(SFTPError.local("write", item.destination, errno: n < 0 ? errno : EIO)) }
                        written += n
                    }
                    transfer.countTransferred(data.count)
                    counted += UInt64(data.count)
                    if data.count < length && data.count > 0 {
                        return read(lane, offset + UInt64(data.count), length - data.count, chunkStart: chunkStart)
                    }
                    if data.count == 0 { end = min(end, offset) }
                } else if reply.isEOF {
                    end = min(end, offset)
                } else {
                    return fail(reply.error("read", item.source))
                }
                ledger.complete(chunkStart)
                transfer.wake(self)
            }
        )
    }

    private func finish() {
        stage = .waiting
        closeRemoteHandles()
        let size = min(item.size, end)
        if size != item.size || partialSize > size {
            if ftruncate(fd, off_t(size)) != 0 { return fail(SFTPError.local("truncate", item.destination, errno: errno)) }
        }
        if fchmod(fd, mode_t(item.mode)) != 0 { return fail(SFTPError.local("chmod", item.destination, errno: errno)) }
        if options.preserveTimes { LocalFiles.setTimes(fd: fd, access: item.accessTime, modification: item.modificationTime) }
        closeLocal()
        if rename(partialPath, item.destination) != 0 { return fail(SFTPError.local("rename", item.destination, errno: errno)) }
        succeed(.copied)
    }
}
