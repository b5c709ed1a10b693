import AutopodCore
import AutopodSupport
import FoundationEssentials

/// The step `ssh-config --write` and `code` share: `~/.ssh/config` includes autopod's entries.
struct SSHIncludeStep {
    /// Add the line without asking (`--yes`).
    var yes: Bool

    /// Adds the Include line to ~/.ssh/config, asking first (once: a "no" is remembered).
    /// True when the user's config includes the entries afterwards.
    @discardableResult
    func run(_ entries: OpenSSHEntries, paths: AutopodPaths) throws -> Bool {
        let userConfig = Self.resolved(entries.userConfigFile.path)
        let existing = FileManager.default.contents(atPath: userConfig)
        let text = existing.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let target = entries.configFile.path
        if SSHUserConfig.includes(text, path: target) { return true }
        let line = SSHUserConfig.includeLine(target)
        if !yes {
            let declined = FileManager.default.fileExists(atPath: paths.sshIncludeDeclined.path)
            guard Prompt.isInteractive, !declined else {
                print("  add this line at the top of \(userConfig) to use them (or run with --yes):\n    \(line)")
                return false
            }
            guard Prompt.confirm("Add `\(line)` at the top of \(userConfig)? Nothing else in it changes.", default: true) else {
                try? PrivateFile.replace(paths.sshIncludeDeclined.path, with: Array("declined\n".utf8), mode: 0o600)
                print("  left \(userConfig) alone; to use the entries, add at its top:\n    \(line)")
                return false
            }
        }
        var info = stat()
        let mode = existing != nil && stat(userConfig, &info) == 0 ? info.st_mode & 0o777 : 0o600
        do {
            try AutopodPaths.ensureDirectory(entries.userConfigFile.deletingLastPathComponent())
            try PrivateFile.replace(userConfig, with: Array(SSHUserConfig.addingInclude(to: text, path: target).utf8), mode: mode)
        } catch {
            throw CLIFailure("cannot add the Include line to \(userConfig): \(error). Add it yourself at the top:\n    \(line)")
        }
        print(Style.ok("✓") + " \(userConfig) includes it (one line added at the top)")
        return true
    }

    /// The file a symlinked ~/.ssh/config points at (dotfile managers link it), so the link stays.
    static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }
}
