import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

// A new SSH key while pods still run: those pods know only the previous key, so it stays an
// identity autopod offers (`extraSSHKeyPaths`), and the new key can be added to them over it.
extension ConfigInit {
    /// Creates a key and makes it the configured one, keeping the one it replaces as an extra
    /// identity. Returns the replaced key, if there was one.
    func switchToNewKey(_ config: inout AutopodConfig) throws -> String? {
        let previous = config.sshKeyPath.flatMap { SettingChecker.sshKeyProblem($0) == nil ? $0 : nil }
        let path = try createKey()
        config.sshKeyPath = path
        guard let previous, previous != path else { return nil }
        config.extraSSHKeyPaths = [previous] + (config.extraSSHKeyPaths ?? []).filter { $0 != previous && $0 != path }
        print(
            Style.warn("!") + " \(previous) stays an extra identity: pods started before now know only it, "
                + "and autopod keeps offering it to them.")
        return previous
    }

    /// Tells which running pods know only the previous key and, in a terminal, offers to add the
    /// new one to their `authorized_keys`, logging in with the previous key.
    func offerNewKeyToRunningPods(newKey: String, previousKey: String, interactive: Bool) {
        guard let line = OpenSSHKeyFile.publicKeyLine(forPrivateKeyAt: newKey) else { return }
        let pods: [PodView]
        do {
            let context = try CommandContext.make(global: global, bootstrapped: true)
            pods = try context.manager.refresh().filter { $0.remote?.isRunning ?? false }
            guard !pods.isEmpty else { return }
            let names = pods.map(\.record.name).joined(separator: ", ")
            print(Style.warn("!") + " running pods do not know the new key yet: \(names) (autopod logs in to them with \(previousKey))")
            guard interactive, Prompt.confirm("Add the new key to \(pods.count == 1 ? "it" : "them") (~/.ssh/authorized_keys)?", default: true)
            else {
                print("  To add the new key to them, run `autopod config init` in a terminal, or remove \(previousKey) only after they are gone.")
                return
            }
            for pod in pods {
                do {
                    try context.ssh(to: pod.record, options: SSHOptions.parse([])).authorize(publicKeyLine: line)
                    print(Style.ok("✓") + " \(pod.record.name) accepts \(newKey) now")
                } catch {
                    print(Style.warn("!") + " \(pod.record.name): \(error)")
                }
            }
        } catch {
            print(Style.warn("!") + " could not list running pods (\(error)); those started before now know only \(previousKey)")
        }
    }
}
