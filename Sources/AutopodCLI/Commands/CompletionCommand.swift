import ArgumentParser
import AutopodSupport

/// `autopod completion bash|zsh|fish`: the shell's completion script, which completes commands,
/// flags, pod names and GPU names (the last two from autopod's local files, without the API).
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        _superCommandName: "autopod",
        abstract: "Print the completion script for bash, zsh or fish.",
        discussion: """
            bash:  echo 'source <(autopod completion bash)' >> ~/.bashrc
            zsh:   autopod completion zsh > "${fpath[1]}/_autopod"   (then start a new shell)
            fish:  autopod completion fish > ~/.config/fish/completions/autopod.fish
            Pod names and GPU names are completed from this machine's state, without calling RunPod.
            """)

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "The shell: bash, zsh or fish.")
    var shell: Shell

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell.rawValue) else { throw ValidationError("unknown shell \(shell.rawValue)") }
        print(AutopodCommand.completionScript(for: kind), terminator: "")
    }
}
