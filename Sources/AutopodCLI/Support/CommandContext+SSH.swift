import AutopodCore
import Foundation
import SSHKit

extension CommandContext {
    /// SSH to `record`, with the passphrase asked on the terminal and host-key notices shown.
    func ssh(to record: PodRecord, options: SSHOptions) -> PodSSH {
        var ssh = PodSSH(podID: record.id, podName: record.name, config: config, paths: paths, provider: provider, store: store)
        ssh.acceptNewHostKey = options.acceptNewHostKey
        ssh.passphrase = { keyPath in Prompt.isInteractive ? Prompt.secret("Passphrase for \(keyPath)") : nil }
        ssh.notice = { message in FileHandle.standardError.write(Data((Style.dim(message) + "\n").utf8)) }
        return ssh
    }

    /// The pod a command names, from the account's current list.
    func pod(_ reference: String?) throws -> PodView {
        try PodManager.find(reference, in: try manager.refresh())
    }
}
