import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod start POD`: resume a stopped pod.
struct StartCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Resume a stopped pod on its machine.",
        discussion: """
            A stopped pod can only resume on the machine it was on. When that machine's GPUs are \
            rented out, RunPod says "not enough free GPUs": wait and retry, or kill the pod and \
            `connect` anew (the volume's data is kept only until kill). Ports change on every \
            start; `autopod info` shows the new SSH endpoint. Without POD, the one stopped pod is \
            started.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @OptionGroup var pod: PodArgument

    func run(_ context: CommandContext) throws {
        let manager = context.manager
        let views = try manager.refresh()
        let view: PodView
        if pod.reference == nil {
            let stopped = views.filter { $0.status == .stopped }
            guard stopped.count == 1 else {
                throw CLIFailure(stopped.isEmpty ? "no pod is stopped" : "several pods are stopped; name one: \(stopped.map(\.record.name).joined(separator: ", "))")
            }
            view = stopped[0]
        } else {
            view = try PodManager.find(pod.reference, in: views)
        }
        if view.status == .running || view.status == .starting {
            throw CLIFailure("\(view.record.name) is already running")
        }
        let record = try manager.start(view)
        if output.json {
            try JSONOutput.write(StatusChange(action: "start", pod: PodJSON(PodView(record: record, remote: nil, now: Date())), status: "STARTING"))
            return
        }
        print(Style.ok("✓") + " started \(record.name) (\(Format.perHour(record.pricePerHour))). SSH answers once the container is up: `autopod info \(record.name)`.")
    }
}
