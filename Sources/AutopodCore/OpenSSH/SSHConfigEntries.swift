import AutopodSupport
import FoundationEssentials

/// OpenSSH `Host` blocks for pods: each named after the pod (and its id as an alias), reached
/// through `autopod proxy` (which finds the pod's current address), and checked against the
/// key autopod pinned (`HostKeyAlias` in autopod's own known_hosts for OpenSSH), with strict
/// checking on. So `ssh NAME`, `rsync`, `git` and editors keep working after a stop and start
/// without an edit, and never with host-key checking turned off.
public struct SSHConfigEntries: Sendable {
    public struct Pod: Sendable, Equatable {
        public var id: String
        public var name: String
        public var gpu: String
    }

    public var pods: [Pod]
    public var user: String
    public var identityFiles: [String]
    /// The autopod binary OpenSSH runs (absolute: editors start `ssh` with their own PATH).
    public var executable: String
    /// AUTOPOD_HOME when it is not the default, passed to the proxy (an editor's environment
    /// is not the shell's).
    public var autopodHome: String?
    public var knownHostsFile: String

    public init(
        pods: [Pod], user: String, identityFiles: [String], executable: String, autopodHome: String?, knownHostsFile: String
    ) {
        self.pods = pods
        self.user = user
        self.identityFiles = identityFiles
        self.executable = executable
        self.autopodHome = autopodHome
        self.knownHostsFile = knownHostsFile
    }

    public static let header = "# Written by autopod (`autopod ssh-config`); it rewrites this file as pods come and go.\n"

    /// The blocks, one per pod (ids that are not RunPod ids are left out).
    public func render() -> String {
        var text = Self.header
        for pod in pods where PodID.isValid(pod.id) {
            let names = (Self.isHostName(pod.name) && pod.name != pod.id ? [pod.name] : []) + [pod.id]
            text += "\n# \(pod.name.filter { !$0.isNewline }) (\(pod.gpu.filter { !$0.isNewline }))\n"
            text += "Host \(names.joined(separator: " "))\n"
            text += "    User \(Self.configValue(user))\n"
            for file in identityFiles { text += "    IdentityFile \(Self.configValue(file))\n" }
            text += "    ProxyCommand \(proxyCommand)\n"
            text += "    HostKeyAlias \(OpenSSHKnownHosts.alias(podID: pod.id))\n"
            text += "    UserKnownHostsFile \(Self.configValue(knownHostsFile))\n"
            text += "    GlobalKnownHostsFile none\n"
            text += "    StrictHostKeyChecking yes\n"
            // OpenSSH would otherwise add keys to a file that autopod rewrites from its pins.
            text += "    UpdateHostKeys no\n"
            text += "    ServerAliveInterval 30\n"
        }
        return text
    }

    /// `autopod proxy %n` as the shell OpenSSH starts it reads it, with `%` doubled where it
    /// is not OpenSSH's token.
    public var proxyCommand: String {
        var words: [String] = []
        if let autopodHome { words += ["env", Self.shellQuoted("AUTOPOD_HOME=" + autopodHome)] }
        words += [Self.shellQuoted(executable), "proxy", "%n"]
        return words.map { $0 == "%n" ? $0 : $0.replacing("%", with: "%%") }.joined(separator: " ")
    }

    /// A pod name usable as a `Host` pattern: no wildcard, negation, list or space.
    public static func isHostName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: ".")
            }
    }

    /// A path or word as an ssh_config value: double-quoted when it holds a space, `%` doubled
    /// (OpenSSH expands tokens in these values).
    static func configValue(_ text: String) -> String {
        let escaped = text.replacing("%", with: "%%")
        return escaped.contains(where: { $0 == " " || $0 == "\t" }) ? "\"\(escaped)\"" : escaped
    }

    static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-/=+:@".unicodeScalars.contains($0)) }
        return plain ? word : "'" + word.replacing("'", with: "'\\''") + "'"
    }
}
