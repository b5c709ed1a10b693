import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod kill POD`: terminate a pod and everything on it.
struct KillCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        _superCommandName: "autopod",
        abstract: "Terminate a pod: every charge ends and its disks, volume included, are deleted.",
        discussion: "Asks first unless --yes is given. Without a terminal, --yes is required.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @OptionGroup var pod: PodArgument
    @Flag(name: .shortAndLong, help: "Do not ask.")
    var yes = false

    func run(_ context: CommandContext) throws {
        let manager = context.manager
        // Terminated pods too: "already terminated" is the truth, "no pod matches" is not.
        let view = try context.pod(pod.reference, includeTerminated: true)
        if view.record.isTerminated {
            throw CLIFailure("\(view.record.name.terminalSafe) is already terminated; nothing bills for it")
        }
        if !yes {
            guard Prompt.isInteractive else {
                throw CLIFailure("refusing to kill \(view.record.name) without confirmation: stdin is not a terminal. Pass --yes to kill it from a script.")
            }
            let question = "Terminate \(view.record.name.terminalSafe) (\(Format.gpu(view.record)))? Its volume and all data on it are deleted."
            guard Prompt.confirm(question, default: false) else {
                print("Kept \(view.record.name.terminalSafe).")
                // Nothing was done: a script (or `&&`) must not go on as if the pod were gone.
                throw ExitCode(1)
            }
        }
        let record = try manager.kill(id: view.record.id) ?? view.record
        try StatusChange.reportEnded("kill", record, status: "TERMINATED", done: "terminated", context: context, json: output.json)
    }
}
