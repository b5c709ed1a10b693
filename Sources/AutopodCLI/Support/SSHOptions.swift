import AutopodCore
import AutopodSupport
import ArgumentParser

/// Options of every command that logs in to a pod.
struct SSHOptions: ParsableArguments {
    @Flag(help: "Accept a pod host key that changed without a restart autopod saw, replacing the pinned one. Only after you know why it changed.")
    var acceptNewHostKey = false

    @Option(
        name: .customShort("i"),
        help: ArgumentHelp(
            "Private key to log in with, tried before the configured ones (as ssh -i); repeat for more.", valueName: "key"))
    var identities: [String] = []

    func validate() throws {
        for path in identities {
            if let problem = SettingChecker.sshKeyProblem(AutopodPaths.expandTilde(path)) { throw ValidationError("-i: \(problem)") }
        }
    }

    /// The `-i` keys with `~` expanded.
    var identityFiles: [String] { identities.map { AutopodPaths.expandTilde($0) } }
}
