import AutopodSupport
import FoundationEssentials
internal import CLibSSH2

/// One parsed key line of an OpenSSH known_hosts file.
public struct KnownHostsEntry: Sendable, Equatable {
    /// The host field as written: comma-separated names or patterns, or a hashed `|1|salt|hash`.
    public var hosts: String
    public var keyType: String
    public var keyBase64: String
    /// Everything after the key, verbatim (may be empty).
    public var comment: String

    public static let podTag = "autopod-pod="

    public init(hosts: String, keyType: String, keyBase64: String, comment: String = "") {
        self.hosts = hosts
        self.keyType = keyType
        self.keyBase64 = keyBase64
        self.comment = comment
    }

    public init(hosts: String, key: SSHHostKey, podID: String?) {
        self.init(hosts: hosts, keyType: key.type, keyBase64: key.base64, comment: podID.map { Self.podTag + $0 } ?? "")
    }

    /// The pod this entry was pinned for, from the `autopod-pod=ID` comment token.
    public var podID: String? {
        for token in comment.split(whereSeparator: { $0 == " " || $0 == "\t" }) where token.hasPrefix(Self.podTag) {
            let id = token.dropFirst(Self.podTag.count)
            return id.isEmpty ? nil : String(id)
        }
        return nil
    }

    public var hostKey: SSHHostKey? { SSHHostKey(type: keyType, base64: keyBase64) }

    public var line: String {
        comment.isEmpty ? "\(hosts) \(keyType) \(keyBase64)" : "\(hosts) \(keyType) \(keyBase64) \(comment)"
    }

    /// OpenSSH host matching for one name (`host` or `[host]:port`): exact or wildcard patterns,
    /// `!` negation, and hashed names.
    public func matches(hostName: String) -> Bool {
        if hosts.hasPrefix("|1|") {
            return Self.hashedNameMatches(hosts, hostName)
        }
        var matched = false
        for pattern in hosts.split(separator: ",") {
            let negated = pattern.hasPrefix("!")
            let body = String(negated ? pattern.dropFirst() : pattern[...])
            let hit: Bool
            if body.contains("*") || body.contains("?") {
                hit = fnmatch(body.lowercased(), hostName.lowercased(), 0) == 0
            } else {
                hit = body.lowercased() == hostName.lowercased()
            }
            if hit && negated { return false }
            if hit { matched = true }
        }
        return matched
    }

    static func hashedNameMatches(_ field: String, _ name: String) -> Bool {
        let parts = field.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, let salt = Data(base64Encoded: String(parts[2])),
            let expected = Data(base64Encoded: String(parts[3]))
        else { return false }
        var mac = [UInt8](repeating: 0, count: 20)
        let nameBytes = Array(name.utf8)
        let rc = salt.withUnsafeBytes { saltRaw in
            nameBytes.withUnsafeBytes { nameRaw in
                mac.withUnsafeMutableBufferPointer { out in
                    clibssh2_hmac_sha1(saltRaw.baseAddress, Int32(saltRaw.count), nameRaw.baseAddress, nameRaw.count, out.baseAddress)
                }
            }
        }
        return rc == 0 && mac == [UInt8](expected)
    }
}

/// A known_hosts line: a key entry we understand, or anything else (comments, blank lines,
/// `@` markers, malformed lines), which is kept byte for byte.
public enum KnownHostsLine: Sendable, Equatable {
    /// `original` is the line as read, written back unchanged unless the entry is edited.
    case entry(KnownHostsEntry, original: String)
    case verbatim(String)

    public static func parse(_ line: String) -> KnownHostsLine {
        let trimmed = line.trimmingSpaces()
        if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("@") { return .verbatim(line) }
        let fields = trimmed.split(maxSplits: 3, whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 3 else { return .verbatim(line) }
        let entry = KnownHostsEntry(
            hosts: String(fields[0]), keyType: String(fields[1]), keyBase64: String(fields[2]),
            comment: fields.count > 3 ? String(fields[3]).trimmingSpaces() : "")
        // A line whose key does not decode is malformed: keep it as text so it is never lost.
        guard entry.hostKey != nil else { return .verbatim(line) }
        return .entry(entry, original: line)
    }

    public static func fresh(_ entry: KnownHostsEntry) -> KnownHostsLine {
        .entry(entry, original: entry.line)
    }

    public var rendered: String {
        switch self {
        case .entry(_, let original): return original
        case .verbatim(let s): return s
        }
    }

    public var entry: KnownHostsEntry? {
        if case .entry(let e, _) = self { return e }
        return nil
    }
}
