import AutopodSupport
import AutopodCore
import FoundationEssentials
import SSHKit

extension CommandContext {
    /// SSH to `record`, with the passphrase asked on the terminal and host-key notices shown.
    func ssh(to record: PodRecord, options: SSHOptions) -> PodSSH {
        var ssh = PodSSH(podID: record.id, podName: record.name, config: config, paths: paths, provider: provider, store: store)
        ssh.hostKeyAllowance = HostKeyAllowance(options.replacement)
        ssh.identityFiles = options.identityFiles
        ssh.passphrase = { keyPath in Prompt.isInteractive ? Prompt.secret("Passphrase for \(keyPath)") : nil }
        // Host-key notices (first pin, a change accepted after a proven restart); `-q` hides them, as OpenSSH's does.
        ssh.notice = { message in Output.notice(message) }
        return ssh
    }

    /// SSH to the pod of `view`, whose endpoint the first connection takes from the list the
    /// command found it in (see `PodSSH.useListing`).
    func ssh(to view: PodView, options: SSHOptions) -> PodSSH {
        let ssh = ssh(to: view.record, options: options)
        ssh.useListing(view.remote)
        return ssh
    }

    /// The pod a command names (see `PodArgument`), from the account's current list.
    /// `includeTerminated`: a terminated pod autopod still remembers can be named too (`info`).
    func pod(_ reference: String?, includeTerminated: Bool = false) throws -> PodView {
        try PodManager.find(reference, in: try manager.refresh(includeTerminated: includeTerminated))
    }
}

extension CommandContext {
    /// OpenSSH's view of the pods (ssh-config's entries and pins), refreshed after a change.
    var openSSHEntries: OpenSSHEntries { OpenSSHEntries(paths: paths, config: config, environment: environment) }
}
