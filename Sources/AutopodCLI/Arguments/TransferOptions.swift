import ArgumentParser
import AutopodCore

/// What `cp` and `sync` share: how to log in to the pod, how long to keep reconnecting when
/// the link drops, and the file session they open with both.
struct TransferOptions: ParsableArguments {
    @OptionGroup var ssh: SSHOptions

    @Option(help: ArgumentHelp("Seconds to keep reconnecting after the link drops before giving up.", valueName: "seconds"))
    var retryFor: Double = 300

    /// A file session to the pod `reference` names; a terminated pod is refused (its files are gone).
    func session(to reference: String, context: CommandContext) throws -> (PodView, PodFileSession) {
        let view = try context.pod(reference)
        if view.status == .terminated { throw CLIFailure("\(view.record.name) has been terminated; its files are gone") }
        let session = PodFileSession(ssh: context.ssh(to: view, options: ssh))
        session.retryFor = .seconds(retryFor)
        return (view, session)
    }
}
