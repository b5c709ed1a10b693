import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod shell [POD]`: an interactive shell on a pod, over in-process SSH.
struct ShellCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        _superCommandName: "autopod",
        abstract: "Open an interactive shell on a pod, with the configured ports forwarded.",
        discussion: """
            A real terminal on the pod: your TERM and window size, resizes followed. As in \
            OpenSSH, `~.` at the start of a line disconnects and `~?` lists the escapes. The \
            configured forwards (config `forwards`, default 8888) run over the same connection \
            while the shell is open. autopod exits with the shell's exit status, or 255 when the \
            connection is lost (the message says whether the pod was stopped, killed, or the link \
            went down; a dead link is noticed within about 10 s).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions

    @OptionGroup var pod: PodArgument

    @Flag(help: "Do not forward the configured ports.")
    var noForwards = false

    func run(_ context: CommandContext) throws {
        let view = try context.pod(pod.reference)
        try view.requireRunning()
        let status = try ShellSession.run(
            context.ssh(to: view, options: ssh), forwards: noForwards ? [] : context.config.forwards,
            guarding: (context, view))
        throw ExitCode(status)
    }
}
