import AutopodSupport
import AutopodCore
import FoundationEssentials

extension CommandContext {
    /// SSH to `record`, with the passphrase asked on the terminal and host-key notices shown.
    func ssh(to record: PodRecord, options: SSHOptions) -> PodSSH {
        var ssh = PodSSH(podID: record.id, podName: record.name, config: config, paths: paths, provider: provider, store: store)
        ssh.acceptNewHostKey = options.acceptNewHostKey
        ssh.passphrase = { keyPath in Prompt.isInteractive ? Prompt.secret("Passphrase for \(keyPath)") : nil }
        ssh.notice = { message in StandardStream.error.write((Style.dim(message) + "\n")) }
        return ssh
    }

    /// The pod a command names, from the account's current list.
    func pod(_ reference: String?) throws -> PodView {
        try PodManager.find(reference, in: try manager.refresh())
    }
}
