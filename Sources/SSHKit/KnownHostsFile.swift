import AutopodSupport
import FoundationEssentials

/// The outcome of a successful host-key check, for the caller to show.
public struct HostKeyVerdict: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case trusted, pinned, addressUpdated, replaced
    }

    public var outcome: Outcome
    public var fingerprint: String
    /// A sentence for the user when something changed (first contact, replaced key), else nil.
    public var notice: String?
}

/// autopod's known_hosts file, in OpenSSH format so `ssh -o UserKnownHostsFile=FILE` can use it.
/// Parsed and written here (not with libssh2_knownhost_writefile, which drops comments and any
/// line it cannot parse). Rewrites are atomic and serialized between processes with a lock.
public struct KnownHostsFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public static func hostField(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    /// The file's lines; a missing file has none.
    public func lines() throws(SSHError) -> [KnownHostsLine] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(.knownHostsFile, "Cannot read \(path). Check its permissions.")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        if text.isEmpty { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { KnownHostsLine.parse(String($0)) }
    }

    public func entries() throws(SSHError) -> [KnownHostsEntry] {
        try lines().compactMap(\.entry)
    }

    /// Checks a pod's host key and records the result (pin, address update, replacement).
    /// Throws the refusal when the key changed unexpectedly.
    @discardableResult
    public func verify(
        podID: String, endpoint: SSHEndpoint, presented: SSHHostKey,
        restartSeenSincePinned: Bool, acceptNew: Bool
    ) throws(SSHError) -> HostKeyVerdict {
        let hostField = endpoint.knownHostsName
        return try update(podID: podID, hostField: hostField, presented: presented) { lines in
            HostKeyPolicy.evaluate(
                podID: podID, hostField: hostField, presented: presented, lines: lines,
                restartSeenSincePinned: restartSeenSincePinned, acceptNew: acceptNew)
        }
    }

    /// Checks a plain host's key with OpenSSH's rules and pins it on first contact.
    @discardableResult
    public func verify(endpoint: SSHEndpoint, presented: SSHHostKey, acceptNew: Bool = false) throws(SSHError) -> HostKeyVerdict {
        try update(podID: nil, hostField: endpoint.knownHostsName, presented: presented) { lines in
            HostKeyPolicy.evaluate(
                host: endpoint.host, port: endpoint.port, presented: presented, lines: lines, acceptNew: acceptNew)
        }
    }

    /// Removes every entry pinned for the pod; returns how many were removed.
    @discardableResult
    public func forget(podID: String) throws(SSHError) -> Int {
        try withLock { () throws(SSHError) -> Int in
            let before = try lines()
            let after = before.filter { $0.entry?.podID != podID }
            if after.count != before.count { try write(after) }
            return before.count - after.count
        }
    }

    private func update(
        podID: String?, hostField: String, presented: SSHHostKey, decide: ([KnownHostsLine]) -> HostKeyDecision
    ) throws(SSHError) -> HostKeyVerdict {
        try withLock { () throws(SSHError) -> HostKeyVerdict in
            let current = try lines()
            let decision = decide(current)
            let fp = presented.fingerprint
            let who = podID.map { "pod \($0) (\(hostField))" } ?? hostField
            let verdict: HostKeyVerdict
            switch decision {
            case .refuse(let error):
                throw error
            case .trusted:
                return HostKeyVerdict(outcome: .trusted, fingerprint: fp, notice: nil)
            case .pin:
                verdict = HostKeyVerdict(
                    outcome: .pinned, fingerprint: fp,
                    notice: "First contact with \(who): pinned its \(presented.type) host key \(fp).")
            case .trustedAtNewAddress:
                verdict = HostKeyVerdict(outcome: .addressUpdated, fingerprint: fp, notice: nil)
            case .replace(let old, let reason):
                let why = reason == .restartSeen
                    ? "the pod restarted since the key was pinned, and containers make new host keys on start"
                    : "--accept-new-host-key was given"
                verdict = HostKeyVerdict(
                    outcome: .replaced, fingerprint: fp,
                    notice: "The host key of \(who) changed from \(old.joined(separator: ", ")) to \(fp); accepted because \(why).")
            }
            try write(HostKeyPolicy.apply(decision, to: current, podID: podID, hostField: hostField, presented: presented))
            return verdict
        }
    }

    private var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Serializes read-modify-write between autopod processes (a tunnel and a shell may pin at
    /// the same time). The directory itself is locked, so no lock file is left behind.
    private func withLock<T>(_ body: () throws(SSHError) -> T) throws(SSHError) -> T {
        try ensureDirectory()
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SSHError(.knownHostsFile, "Cannot open \(directory): \(Posix.errorString()).")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private func ensureDirectory() throws(SSHError) {
        if FileManager.default.fileExists(atPath: directory) { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SSHError(.knownHostsFile, "Cannot create \(directory): \(FileErrorText.reason(error)).")
        }
    }

    /// Temp file in the same directory, fsync, rename, fsync the directory: a crash leaves
    /// either the old file or the new one, never a torn one.
    private func write(_ lines: [KnownHostsLine]) throws(SSHError) {
        let text = lines.map(\.rendered).joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        let tmp = path + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SSHError(.knownHostsFile, "Cannot write \(tmp): \(Posix.errorString()). Check the directory's permissions.")
        }
        let failure = Posix.writeAll(fd, Array(text.utf8))
        fchmod(fd, 0o600)
        let synced = fsync(fd) == 0
        close(fd)
        guard failure == nil, synced else {
            unlink(tmp)
            throw SSHError(.knownHostsFile, "Cannot write \(tmp): \(Posix.errorString(failure ?? errno)).")
        }
        guard rename(tmp, path) == 0 else {
            let err = errno
            unlink(tmp)
            throw SSHError(.knownHostsFile, "Cannot replace \(path): \(Posix.errorString(err)).")
        }
        let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}
