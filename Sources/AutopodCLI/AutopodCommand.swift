import AutopodSupport
import ArgumentParser
import AutopodCore
import SSHKit
import FoundationEssentials

/// The root command: parses the command line and hands off to a subcommand.
public struct AutopodCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "autopod",
        abstract: "Rent a RunPod GPU, get a shell on it, and keep its ports forwarded.",
        discussion: """
            A typical session: `autopod connect` finds a GPU that is in stock, starts a pod, \
            waits until SSH answers, forwards Jupyter to localhost:8888 and opens a shell. \
            `autopod list` shows what your pods cost; `autopod stop` or `autopod kill` ends the bill.
            """,
        version: AutopodVersion.current,
        subcommands: [
            ConfigCommand.self, GpusCommand.self, ConnectCommand.self, ListCommand.self, InfoCommand.self,
            StopCommand.self, StartCommand.self, KillCommand.self, ShellCommand.self, ExecCommand.self, CpCommand.self,
            SyncCommand.self, TunnelCommand.self, GuardCommand.self, LogsCommand.self, CostCommand.self, SSHConfigCommand.self,
            ProxyCommand.self, CompletionCommand.self, OpenCommand.self, CodeCommand.self, VolumeCommand.self,
            RecoverCommand.self,
        ]
    )

    public init() {}

    /// Runs autopod and exits with its status: 0 success, 1 failure, 2 usage error, 130 interrupted.
    public static func main() {
        // Before anything reads the API key: no core file, no /proc/PID/environ for others.
        ProcessHardening.apply()
        signal(SIGPIPE, SIG_IGN)
        // Nearly every command talks to RunPod: libcurl's start-up runs on the second core while
        // the command line is parsed.
        NativeLibraries.beginInBackground()
        let status: Int32
        do {
            var command = try DirectDispatch.parse() ?? parseAsRoot()
            try command.run()
            status = 0
        } catch {
            status = report(error)
        }
        NativeLibraries.initialize()
        Libc.exit(status)
    }

    /// Prints `error` the way a person wants to read it and returns the exit status for it.
    static func report(_ error: any Error) -> Int32 {
        if let exitCode = error as? ExitCode { return exitCode.rawValue }
        let parserCode = exitCode(for: error)
        if parserCode == .success {
            // --help and --version arrive as errors; the parser prints them.
            print(fullMessage(for: error))
            return 0
        }
        if parserCode == .validationFailure {
            StandardStream.error.write((fullMessage(for: error) + "\n"))
            return 2
        }
        // An SSH failure is told with autopod's advice; SSHKit itself reports only what failed.
        let text = (error as? SSHError)?.userMessage ?? String(describing: error)
        // Error text carries names and messages from RunPod and remote hosts.
        let message = TerminalText.escaped(LogSetup.redactor.current.redact(text), keepingLines: true)
        StandardStream.error.write("error: \(message)\n")
        if let failure = error as? CLIFailure { return failure.exitStatus }
        return 1
    }
}
