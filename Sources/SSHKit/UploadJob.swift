import AutopodSupport

/// One local file to the server: OPEN the partial file, WRITEs straight from the local file
/// into the request queue (many in flight, over every channel for a big file), then FSETSTAT
/// mode and times, CLOSE, and rename over the destination. A file on one lane (every small
/// one) sends FSETSTAT and CLOSE behind its last WRITE without waiting: three round trips.
final class UploadJob: FileJob {
    private var finishing = false
    /// The partial file was longer than the source: cut it at the end.
    private var truncate = false
    /// FSETSTAT and CLOSE answered, all OK (see `renameWhenSettled`).
    private var attributesSettled = false
    private var renameSent = false
    /// The channel that holds the handle the attributes and CLOSE went to.
    private var homeChannel: SFTPChannel?

    override func probe() {
        var pending = 0
        let channel = transfer.leastBusyChannel()
        for (path, isPartial) in [(item.destination, false), (partialPath, true)] {
            if (isPartial ? partial : existing) != .unknown { continue }
            pending += 1
            channel.request(.lstat, path: path) { [self] reply in
                pending -= 1
                var r = reply.reader
                let found: TransferItem.Existing =
                    reply.type == SFTPProtocol.MessageType.attrs.rawValue ? r.attributes().map { .present($0) } ?? .absent : .absent
                if isPartial { partial = found } else { existing = found }
                if pending == 0 && stage != .finished { decide() }
            }
        }
        if pending == 0 { decide() }
    }

    override func open(at point: UInt64, partialSize: UInt64) {
        fd = Glibc.open(item.source, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return fail(SFTPError.local("open", item.source, errno: errno)) }
        truncate = point > 0 && partialSize > item.size
        let lane = Lane(channel: transfer.leastBusyChannel())
        lanes = [lane]
        var flags: SFTPProtocol.OpenFlags = [.write, .create]
        if point == 0 { flags.insert(.truncate) }
        stage = .waiting
        lane.channel.open(
            partialPath, flags, attributes: SFTPAttributes(permissions: 0o600),
            reply: { [self] handle, reply in
                guard let handle else {
                    if let directory = transfer.unmadeDirectory(above: item.destination) {
                        return fail(SFTPTransfer.notCopied(item.destination, directory: directory))
                    }
                    return fail(reply.error("create", item.destination))
                }
                guard stage != .finished else { return }
                lane.handle = handle
                resumed(at: point)
                ledger = ChunkLedger(start: point)
                stage = .moving
            }
        )
    }

    override func move() -> Bool {
        var did = false
        for channel in newLaneChannels() {
            let lane = Lane(channel: channel)
            lanes.append(lane)
            channel.open(
                partialPath, .write,
                reply: { [self] handle, reply in
                    guard let handle else { return }
                    if stage == .finished || finishing {
                        channel.close(handle)
                    } else {
                        lane.handle = handle
                    }
                }
            )
            did = true
        }
        var progress = true
        while progress && stage == .moving && !finishing {
            progress = false
            for lane in lanes where lane.handle != nil && transfer.hasRoom(lane.channel, for: chunk) {
                guard let (offset, length) = ledger.issue(length: chunk, end: issueLimit) else { break }
                guard write(lane, offset, length) else { return true }
                progress = true
                did = true
            }
        }
        // With one lane, mode, times and CLOSE can follow the last WRITE at once: the server
        // answers a channel's requests in order, so they land after the data (a small file
        // costs OPEN, then WRITE+FSETSTAT+CLOSE, then the rename). Over several lanes a WRITE
        // on another channel could land after the times are set, so those wait for every reply.
        if stage == .moving && !finishing && ledger.next >= item.size && (ledger.isIdle || lanes.count == 1) {
            finish()
            did = true
        }
        return did
    }

    /// The rename that makes the partial file the destination, once every WRITE and the
    /// attributes and CLOSE behind them are answered. Never sent ahead of those replies: a
    /// failed WRITE must leave the file under its partial name.
    private func renameWhenSettled() {
        guard stage != .finished, finishing, attributesSettled, ledger.isIdle, !renameSent, let channel = homeChannel else { return }
        renameSent = true
        SFTPClient.rename(on: channel, partialPath, to: item.destination) { [self] error in
            if let error { fail(error) } else { succeed(.copied) }
        }
    }

    /// Frames one WRITE with its data read from the local file in place.
    private func write(_ lane: Lane, _ offset: UInt64, _ length: Int) -> Bool {
        guard let handle = lane.handle else { return false }
        let channel = lane.channel
        var readError: Int32 = 0
        let framed = channel.request(
            .write,
            { [fd] q in
                q.appendString(handle)
                q.append(offset)
                q.append(UInt32(length))
                var got = 0
                q.fill(upTo: length) { buffer in
                    while got < length {
                        let n = pread(fd, buffer.baseAddress! + got, length - got, off_t(offset) + off_t(got))
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 {
                            readError = n < 0 ? errno : 0
                            break
                        }
                        got += n
                    }
                    return got
                }
                return got == length
            },
            reply: { [self] reply in
                channel.bytesInFlight -= length
                lane.inFlight -= length
                guard stage != .finished else { return }
                guard reply.isOK else { return fail(reply.error("write", item.destination)) }
                ledger.complete(offset)
                transfer.wake(self)
                transfer.countTransferred(length)
                counted += UInt64(length)
                renameWhenSettled()
            }
        )
        guard framed else {
            if readError != 0 {
                fail(SFTPError.local("read", item.source, errno: readError))
            } else {
                fail(SFTPError(.localFile, "\(item.source): it got shorter while being copied; copy it again once it is written", path: item.source))
            }
            return false
        }
        channel.bytesInFlight += length
        lane.inFlight += length
        return true
    }

    /// Mode, times and size on the open handle, CLOSE, then the rename that makes it the file.
    private func finish() {
        finishing = true
        guard let home = lanes.first, let handle = home.handle else { return fail(SFTPError(.failure, "\(item.destination): lost its handle", path: item.destination)) }
        for lane in lanes.dropFirst() {
            if let extra = lane.handle {
                lane.channel.close(extra)
            }
            lane.handle = nil
        }
        closeLocal()
        var attributes = SFTPAttributes(permissions: item.mode)
        if options.preserveTimes {
            attributes.accessTime = UInt32(truncatingIfNeeded: item.accessTime)
            attributes.modificationTime = UInt32(truncatingIfNeeded: item.modificationTime)
        }
        var pending = 0
        var firstError: SFTPError?
        let collect: (SFTPReply, String) -> Void = { [self] reply, operation in
            pending -= 1
            if !reply.isOK && firstError == nil { firstError = reply.error(operation, item.destination) }
            guard pending == 0, stage != .finished else { return }
            if let firstError { return fail(firstError) }
            attributesSettled = true
            renameWhenSettled()
        }
        homeChannel = home.channel
        if truncate {
            pending += 1
            home.channel.request(
                .fsetstat,
                { [size = item.size] q in
                    q.appendString(handle)
                    q.appendAttributes(SFTPAttributes(size: size))
                    return true
                },
                reply: { collect($0, "truncate") }
            )
        }
        pending += 2
        home.channel.request(
            .fsetstat,
            { q in
                q.appendString(handle)
                q.appendAttributes(attributes)
                return true
            },
            reply: { collect($0, "chmod") }
        )
        home.channel.request(
            .close,
            { q in
                q.appendString(handle); return true
            },
            reply: { collect($0, "close") }
        )
        home.handle = nil
    }
}
