import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials
import SSHKit

/// `autopod exec POD -- CMD...`: run a command on a pod, as a script would.
struct ExecCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        _superCommandName: "autopod",
        abstract: "Run a command on a pod and exit with its status.",
        discussion: """
            The command runs in the pod's environment (RunPod's /etc/rp_environment when the image \
            has it), like RunPod's own clients run it. Its stdout and stderr stay apart, piped \
            stdin is passed on (with its end), and autopod exits with the command's status, or \
            128+N when signal N killed it. One word after `--` is a shell command line; several \
            words are the program and its arguments, each passed exactly as given. If the \
            connection fails, or the pod is stopped or lost, autopod says why and exits 255. \
            When the reader of its output goes away (`| head -1`), the command is ended and \
            autopod exits 141, as the writer of a shell pipeline does.

              autopod exec autopod-2026-11-27-001 -- nvidia-smi
              autopod exec mypod -- 'cd /workspace && ls'
              autopod exec mypod -- python train.py --name "run 2"
              tar c data | autopod exec mypod -- tar x -C /workspace
              autopod exec -t mypod -- htop
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions

    @OptionGroup var pod: PodArgument

    @Flag(name: .customShort("t"), help: "Give the command a terminal (for interactive and full-screen programs); its stderr then arrives on stdout.")
    var terminal = false

    @Argument(parsing: .postTerminator, help: "The command, after `--`: one word is a shell command line, several words are a program and its exact arguments.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after `--`, e.g. autopod exec \(pod.reference ?? "POD") -- nvidia-smi") }
    }

    func run(_ context: CommandContext) throws {
        let view = try context.pod(pod.reference)
        try view.requireRunning()
        let ssh = context.ssh(to: view, options: self.ssh)
        let status = try PodSessionExit.run(ssh) {
            let session = try ssh.connect()
            // Every command that reaches a pod makes sure its guard runs there (one more channel).
            context.enforceGuard(on: view, over: session)
            // A terminal on stdin is the user, not data: only piped input is forwarded, unless
            // the command has a terminal of its own to type into.
            let input: Int32? = terminal || isatty(STDIN_FILENO) != 1 ? STDIN_FILENO : nil
            let pty = terminal ? RemoteTerminal.matching(fd: isatty(STDOUT_FILENO) == 1 ? STDOUT_FILENO : STDIN_FILENO, type: context.environment["TERM"]) : nil
            // Ctrl+C stops the remote command too, not only autopod (see RemoteInterrupt).
            let tag = RemoteCommandLine.newTag()
            let interrupt = RemoteInterrupt { signal in RemoteCommandLine.stop(tag: tag, signal: signal) }
            let exit = try session.exec(
                RemoteCommandLine.wrapped(RemoteCommandLine.command(command), tag: tag), stdin: input, stdout: STDOUT_FILENO,
                stderr: STDERR_FILENO, terminal: pty, interrupt: interrupt)
            return exit.exitCode
        }
        throw ExitCode(status)
    }
}
