import AutopodSupport

/// Whether a remote file and a local file hold the same bytes in `range`: the remote range is
/// read with pipelined READs, each side is hashed with SHA-256, and the digests compared.
/// This is how a rerun tells a complete file from a different one of the same size, and a
/// partial file worth continuing from one to start over.
final class TailCheck {
    let channel: SFTPChannel
    let remotePath: String
    let localPath: String
    let range: Range<UInt64>
    let chunk: Int
    private let done: (Bool) -> Void
    private var buffer: [UInt8]
    private var handle: [UInt8]?
    private var outstanding = 0
    private var broken = false

    init(channel: SFTPChannel, remotePath: String, localPath: String, range: Range<UInt64>, chunk: Int, done: @escaping (Bool) -> Void) {
        self.channel = channel
        self.remotePath = remotePath
        self.localPath = localPath
        self.range = range
        self.chunk = chunk
        self.done = done
        buffer = [UInt8](repeating: 0, count: Int(range.count))
    }

    func start() {
        if range.isEmpty { return done(true) }
        channel.open(
            remotePath, .read,
            reply: { [self] handle, reply in
                guard let handle else { return done(false) }
                self.handle = handle
                var offset = range.lowerBound
                while offset < range.upperBound {
                    let n = Int(min(UInt64(chunk), range.upperBound - offset))
                    read(offset, n)
                    offset += UInt64(n)
                }
            }
        )
    }

    private func read(_ offset: UInt64, _ length: Int) {
        guard let handle else { return }
        outstanding += 1
        channel.read(
            handle, at: offset, length: length,
            reply: { [self] reply in
                outstanding -= 1
                var r = reply.reader
                if !broken, reply.type == SFTPProtocol.MessageType.data.rawValue, let data = r.stringBytes(), data.count > 0, data.count <= length {
                    let at = Int(offset - range.lowerBound)
                    buffer.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[at..<at + data.count]).copyMemory(from: data) }
                    if data.count < length { read(offset + UInt64(data.count), length - data.count) }
                } else {
                    broken = true  // EOF or an error: the remote file is shorter or unreadable
                }
                if outstanding == 0 { finish() }
            }
        )
    }

    private func finish() {
        if let handle {
            channel.close(handle)
        }
        guard !broken else { return done(false) }
        let local = [UInt8](unsafeUninitializedCapacity: buffer.count) { out, count in
            count = Self.pread(localPath, into: UnsafeMutableRawBufferPointer(out), at: range.lowerBound)
        }
        guard local.count == buffer.count else { return done(false) }
        let remoteDigest = SHA256Digest()
        remoteDigest.update(buffer)
        let localDigest = SHA256Digest()
        localDigest.update(local)
        done(remoteDigest.finish() == localDigest.finish())
    }

    /// Reads up to `buffer.count` bytes of `path` at `offset`; returns how many (0 on error).
    static func pread(_ path: String, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var done = 0
        while done < buffer.count {
            let n = Glibc.pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return done
    }
}
