import AutopodCore
import AutopodSupport
import ArgumentParser
import SSHKit

/// Options of every command that logs in to a pod.
struct SSHOptions: ParsableArguments {
    @Flag(help: "Accept one change of the pod's host key that no restart explains, replacing the pinned key. Only after you know why it changed; a later change is checked as usual.")
    var acceptNewHostKey = false

    @Option(
        name: .customShort("i"),
        help: ArgumentHelp(
            "Private key to log in with, tried before the configured ones (as ssh -i); repeat for more.", valueName: "key"))
    var identities: [String] = []

    @Option(help: ArgumentHelp("Accept one change of the pod's host key, to the key with this fingerprint only (as `ssh-keygen -l` prints it).", valueName: "SHA256:..."))
    var acceptHostKey: String?

    func validate() throws {
        for path in identities {
            if let problem = SettingChecker.sshKeyProblem(AutopodPaths.expandTilde(path)) { throw ValidationError("-i: \(problem)") }
        }
        if acceptNewHostKey && acceptHostKey != nil {
            throw ValidationError("give --accept-new-host-key or --accept-host-key, not both")
        }
        if let acceptHostKey, !Self.looksLikeFingerprint(acceptHostKey) {
            throw ValidationError("--accept-host-key takes a SHA256 fingerprint such as SHA256:uJ2b...; got \(String(reflecting: acceptHostKey))")
        }
    }

    /// The replacement the user allowed, if any.
    var replacement: HostKeyReplacement? {
        if let acceptHostKey { return .fingerprint(acceptHostKey) }
        return acceptNewHostKey ? .anyKey : nil
    }

    /// The same options for a background copy of the command.
    var arguments: [String] {
        if let acceptHostKey { return ["--accept-host-key", acceptHostKey] }
        return acceptNewHostKey ? ["--accept-new-host-key"] : []
    }

    static func looksLikeFingerprint(_ text: String) -> Bool {
        let body = text.hasPrefix("SHA256:") ? text.dropFirst(7) : text[...]
        return body.count >= 43 && body.count <= 44
            && body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=") }
    }

    /// The `-i` keys with `~` expanded.
    var identityFiles: [String] { identities.map { AutopodPaths.expandTilde($0) } }
}
