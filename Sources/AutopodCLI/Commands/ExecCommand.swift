import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials
import SSHKit

/// `autopod exec POD -- CMD...`: run a command on a pod, as a script would.
struct ExecCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command on a pod and exit with its status.",
        discussion: """
            The command runs in the pod's environment (RunPod's /etc/rp_environment when the image \
            has it), like RunPod's own clients run it. Its stdout and stderr stay apart, piped \
            stdin is passed on (with its end), and autopod exits with the command's status, or \
            128+N when signal N killed it.

              autopod exec autopod-2026-11-27-001 -- nvidia-smi
              tar c data | autopod exec mypod -- 'tar x -C /workspace'
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions

    @OptionGroup var pod: PodArgument

    @Argument(parsing: .postTerminator, help: "The command, after `--`; several words are joined with spaces, as ssh does.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after `--`, e.g. autopod exec \(pod.reference ?? "POD") -- nvidia-smi") }
    }

    func run(_ context: CommandContext) throws {
        let view = try context.pod(pod.reference)
        let session = try context.ssh(to: view.record, options: ssh).connect()
        // Every command that reaches a pod makes sure its guard runs there (one more channel).
        context.enforceGuard(on: view, over: session)
        // A terminal on stdin is the user, not data: only piped input is forwarded.
        let input: Int32? = isatty(STDIN_FILENO) == 1 ? nil : STDIN_FILENO
        let exit = try session.exec(
            RunPodEnvironment.wrap(command.joined(separator: " ")), stdin: input, stdout: STDOUT_FILENO, stderr: STDERR_FILENO)
        throw ExitCode(exit.exitCode)
    }
}
