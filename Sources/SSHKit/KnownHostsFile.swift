import AutopodSupport
import FoundationEssentials

/// The outcome of a successful host-key check, for the caller to show.
public struct HostKeyVerdict: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case trusted, pinned, addressUpdated, replaced
    }

    public var outcome: Outcome
    public var fingerprint: String
    /// The replacement used the user's allowance (which is then spent).
    public var acceptedByUser = false
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
        restartEvidence: String?, accept: HostKeyReplacement?
    ) throws(SSHError) -> HostKeyVerdict {
        let hostField = endpoint.knownHostsName
        return try update(podID: podID, hostField: hostField, presented: presented, restartEvidence: restartEvidence) { lines in
            HostKeyPolicy.evaluate(
                podID: podID, hostField: hostField, presented: presented, lines: lines,
                restartEvidence: restartEvidence, accept: accept)
        }
    }

    @discardableResult
    public func verify(
        podID: String, endpoint: SSHEndpoint, presented: SSHHostKey,
        restartSeenSincePinned: Bool, acceptNew: Bool
    ) throws(SSHError) -> HostKeyVerdict {
        try verify(
            podID: podID, endpoint: endpoint, presented: presented,
            restartEvidence: restartSeenSincePinned ? "the pod restarted since the key was pinned" : nil,
            accept: acceptNew ? .anyKey : nil)
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

    /// Replaces the pod's pins with a tombstone, for a pod that was terminated: a tunnel still
    /// running, or an API slow to drop the pod, must not pin whatever answers at its old address.
    public func bury(podID: String, note: String) throws(SSHError) {
        guard KnownHostsEntry.isSafeField(podID), KnownHostsEntry.isSafeField(note) else {
            throw SSHError(.knownHostsFile, "Refusing to write a known_hosts line for a pod id with spaces or control characters.")
        }
        try withLock { () throws(SSHError) in
            let before = try lines()
            if before.contains(where: { $0.tombstonePodID == podID }) { return }
            try write(before.filter { $0.entry?.podID != podID } + [.tombstone(podID: podID, note: note)])
        }
    }

    private func update(
        podID: String?, hostField: String, presented: SSHHostKey, restartEvidence: String? = nil,
        decide: ([KnownHostsLine]) -> HostKeyDecision
    ) throws(SSHError) -> HostKeyVerdict {
        // A newline or space in a field would end it early and could write a second, valid
        // entry pinning someone else's key (the id and address come from the API).
        guard KnownHostsEntry.isSafeField(hostField), podID.map(KnownHostsEntry.isSafeField) ?? true else {
            throw SSHError(
                .knownHostsFile,
                "Refusing to pin a host key for an address or pod id with spaces or control characters (from the API).")
        }
        return try withLock { () throws(SSHError) -> HostKeyVerdict in
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
                let why =
                    reason == .restartSeen
                    ? "\(restartEvidence ?? "the pod restarted since the key was pinned"), and containers make new host keys on start"
                    : "you allowed it (--accept-new-host-key or --accept-host-key); the next change is checked as usual"
                verdict = HostKeyVerdict(
                    outcome: .replaced, fingerprint: fp, acceptedByUser: reason == .acceptedByUser,
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

    /// Through `PrivateFile`: an exclusive temporary file, fsync, rename, so a crash leaves the
    /// old file or the new one, and nothing planted in the folder is followed.
    private func write(_ lines: [KnownHostsLine]) throws(SSHError) {
        let text = lines.map(\.rendered).joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        do {
            try PrivateFile.replace(path, with: Array(text.utf8), mode: 0o600)
        } catch {
            throw SSHError(.knownHostsFile, "Cannot write known_hosts: \(error.description). Check the folder's permissions.")
        }
    }
}
