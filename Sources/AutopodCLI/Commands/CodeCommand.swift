import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod code POD [PATH]`: VS Code (or Cursor) on the pod over Remote-SSH, through the
/// ssh-config entry autopod keeps (written first if needed).
struct CodeCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "code",
        _superCommandName: "autopod",
        abstract: "Open VS Code (or Cursor, --cursor) on a pod over Remote-SSH.",
        discussion: """
            Runs `code --remote ssh-remote+NAME PATH` (PATH defaults to /workspace). The editor \
            reaches the pod through the entry in ~/.ssh/autopod.conf (see `autopod ssh-config`), \
            which this writes first and includes from ~/.ssh/config after asking once; the \
            entry keeps working after a stop and start.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var pod: RequiredPodArgument
    @Argument(help: ArgumentHelp("Folder on the pod to open.", valueName: "path"))
    var path = "/workspace"
    @Flag(help: "Open Cursor instead of VS Code.")
    var cursor = false
    @Flag(name: .shortAndLong, help: "Add the Include line to ~/.ssh/config without asking.")
    var yes = false

    func run(_ context: CommandContext) throws {
        let views = try context.manager.refresh()
        let view = try PodManager.find(pod.reference, in: views)
        let record = view.record
        let host = SSHConfigEntries.isHostName(record.name) ? record.name : record.id
        let entries = context.openSSHEntries
        do {
            try entries.write(views.map(\.record))
        } catch {
            throw CLIFailure("cannot write \(entries.configFile.path): \(error)")
        }
        let included = try SSHIncludeStep(yes: yes).run(entries, paths: context.paths)
        if !included {
            StandardStream.error.write(Style.warn("the editor finds \(host) only once ~/.ssh/config includes autopod's entries (above)") + "\n")
        }
        let editor = cursor ? "cursor" : "code"
        let command = [editor, "--remote", "ssh-remote+\(host)", path]
        guard let program = ProgramPath.find(editor, environment: context.environment) else {
            throw CLIFailure(
                "\(editor) is not on PATH. Install its shell command (in the editor: \"Shell Command: Install '\(editor)' command in PATH\"), "
                    + "or run: \(command.map(TerminalText.shellWord).joined(separator: " "))")
        }
        let result = try ChildProcess.run([program] + command.dropFirst(), timeout: .seconds(120))
        guard result.status == 0 else {
            throw CLIFailure("\(editor) failed (exit \(result.status)): \(result.stderr.trimmingWhitespace())")
        }
        print(Style.ok("✓") + " opened \(path.terminalSafe) on \(host.terminalSafe) in \(cursor ? "Cursor" : "VS Code")")
    }
}
