import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod stop POD`: release the GPU, keep the volume.
struct StopCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        _superCommandName: "autopod",
        abstract: "Stop a pod: the GPU is released and billing for it ends; the volume is kept.",
        discussion: """
            The volume at /workspace is kept and still billed for storage while the pod is \
            stopped; the container disk is wiped. `autopod start` resumes it on the same machine, \
            which only works while that machine has a free GPU. `autopod kill` ends every charge.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @OptionGroup var pod: PodArgument

    func run(_ context: CommandContext) throws {
        let manager = context.manager
        let view = try context.pod(pod.reference)
        if view.status == .stopped {
            throw CLIFailure("\(view.record.name) is already stopped; `autopod start \(TerminalText.shellWord(view.record.name))` resumes it")
        }
        let record = try manager.stop(view)
        guard try StatusChange.reportEnded("stop", record, status: "STOPPED", done: "stopped", context: context, json: output.json) else { return }
        let perDay = PodCost.stoppedPerDay(record)
        let kept = perDay > 0 ? "The volume is kept and costs \(Format.perDay(perDay)) while stopped." : "The volume is kept (and billed for storage)."
        let name = TerminalText.shellWord(record.name)
        Output.done(Style.dim("  \(kept) `autopod start \(name)` resumes it; `autopod kill \(name)` deletes it."))
    }
}
