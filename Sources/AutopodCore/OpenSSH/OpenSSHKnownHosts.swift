import AutopodSupport
import FoundationEssentials
import SSHKit

/// autopod's host-key pins, rewritten for OpenSSH: one line per pod under its `HostKeyAlias`
/// (`autopod-ID`), so `ssh` checks exactly the key autopod pinned, whatever the pod's address
/// today. The file is derived from autopod's own known_hosts after every check, so a key
/// autopod accepts after a real restart is accepted by OpenSSH too, and one it refuses (or
/// never saw) is refused; a killed pod's tombstone leaves no line at all.
public enum OpenSSHKnownHosts {
    /// The `HostKeyAlias` of a pod's ssh-config entry.
    public static func alias(podID: String) -> String { "autopod-" + podID }

    /// The file's text for autopod's known_hosts lines.
    public static func render(_ lines: [KnownHostsLine]) -> String {
        var text = "# Written by autopod from its host-key pins (known_hosts in the same folder). Edits are overwritten.\n"
        for entry in lines.compactMap(\.entry) {
            guard let podID = entry.podID, PodID.isValid(podID) else { continue }
            text += "\(alias(podID: podID)) \(entry.keyType) \(entry.keyBase64)\n"
        }
        return text
    }

    /// Brings the file in step with autopod's pins; true when it changed. Holds the lock
    /// `KnownHostsFile` takes (the home folder), so a slower process never writes older pins
    /// over newer ones.
    @discardableResult
    public static func sync(paths: AutopodPaths) throws -> Bool {
        let folder = paths.home.path
        guard FileManager.default.fileExists(atPath: folder) else { return false }
        let fd = open(folder, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileProblem(path: folder, reason: "cannot open it (\(Posix.errorString()))", fix: "check its permissions") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        let text = render(try KnownHostsFile(path: paths.knownHosts.path).lines())
        let target = paths.openSSHKnownHosts.path
        if let current = FileManager.default.contents(atPath: target), String(decoding: current, as: UTF8.self) == text { return false }
        try PrivateFile.replace(target, with: Array(text.utf8), mode: 0o600)
        return true
    }

    /// Whether the file holds a line for the pod (`autopod proxy` pins first when it does not).
    public static func hasPin(podID: String, paths: AutopodPaths) -> Bool {
        guard let data = FileManager.default.contents(atPath: paths.openSSHKnownHosts.path) else { return false }
        let prefix = alias(podID: podID) + " "
        return String(decoding: data, as: UTF8.self).split(separator: "\n").contains { $0.hasPrefix(prefix) }
    }
}
