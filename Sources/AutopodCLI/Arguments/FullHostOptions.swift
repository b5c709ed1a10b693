import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `start` of a stopped pod whose machine RunPod cannot place it on ("not enough free GPUs"):
/// with a network volume, a new pod on that volume; without one, a start with zero GPUs to
/// copy the data off before a kill.
struct FullHostOptions: ParsableArguments {
    @Flag(help: "If the machine is full and the pod has a network volume: create a new pod on that volume and kill this one.")
    var newPod = false
    @Flag(help: "If the machine is full: start the pod with no GPU, to copy its data off (`autopod cp`), then kill it.")
    var zeroGpus = false

    enum Choice {
        case newPod, zeroGPUs
    }

    /// What to do: the flag given, else the user's answer on a terminal; nil to only explain.
    func choice(for record: PodRecord, busy: StartError) throws -> Choice? {
        if newPod {
            guard record.networkVolumeId != nil else {
                throw CLIFailure(
                    "\(record.name) has no network volume, so a new pod would start without its data; "
                        + "`autopod start \(TerminalText.shellWord(record.name)) --zero-gpus` lets you copy the data off")
            }
            return .newPod
        }
        if zeroGpus { return .zeroGPUs }
        StandardStream.error.write(busy.description + "\n")
        let options =
            record.networkVolumeId != nil
            ? "  - `autopod start \(TerminalText.shellWord(record.name)) --new-pod`: a new pod on its network volume (in the same data centre), this one killed"
            : "  - `autopod start \(TerminalText.shellWord(record.name)) --zero-gpus`: start it with no GPU, copy the data off with `autopod cp`, then kill it"
        StandardStream.error.write(options + "\n")
        guard Prompt.isInteractive else { throw CLIFailure("\(record.name) was not started") }
        let question = record.networkVolumeId != nil ? "Create a new pod on the network volume now?" : "Start it with zero GPUs now?"
        guard Prompt.confirm(question, default: false) else { throw CLIFailure("\(record.name) was not started") }
        return record.networkVolumeId != nil ? .newPod : .zeroGPUs
    }

    /// Does it; returns the pod that now runs (this one without a GPU, or the new one).
    func act(_ choice: Choice, on view: PodView, context: CommandContext, output: OutputOptions) throws -> PodRecord {
        let record = view.record
        switch choice {
        case .zeroGPUs:
            let started = try context.manager.startWithoutGPUs(view)
            if output.json {
                try StatusChange.write("start", started, status: "STARTING")
                return started
            }
            print(
                Style.ok("✓") + " started \(record.name.terminalSafe) with no GPU (its machine's GPUs are rented out). "
                    + "Copy the data off once SSH answers (`autopod cp \(TerminalText.shellWord(record.name)):/workspace ./\(record.name)`), "
                    + "then `autopod kill \(TerminalText.shellWord(record.name))`.")
            return started
        case .newPod:
            var base = LaunchOptions(config: context.config)
            if let keyPath = context.config.sshKeyPath { base.env["PUBLIC_KEY"] = try LaunchOptions.publicKey(forPrivateKey: keyPath) }
            let replacement = PodReplacement(manager: context.manager, base: base)
            let volume = try replacement.volume(of: record)
            let created = try replacement.launch(
                like: record, volume: volume, spot: record.spotBid.map { _ in SpotBid() }, fallback: context.config.gpuTypes)
            // Its data is on the network volume; the old pod would only hold the volume.
            _ = try context.manager.kill(id: record.id)
            if output.json {
                try StatusChange.write("start", created, status: "STARTING")
                return created
            }
            print(
                Style.ok("✓") + " \(record.name.terminalSafe)'s machine is full: created \(created.name.terminalSafe) (\(created.id.terminalSafe)) "
                    + "on \(Format.gpu(created)) with network volume \((volume?.name ?? "").terminalSafe), and killed \(record.name.terminalSafe). "
                    + "`autopod shell \(TerminalText.shellWord(created.name))` once it answers.")
            return created
        }
    }
}
