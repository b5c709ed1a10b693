import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod info POD`: one pod in detail.
struct InfoCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show one pod: status, GPU, image, ports, SSH endpoint, runtime and cost.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @OptionGroup var pod: PodArgument

    func run(_ context: CommandContext) throws {
        let view = try context.pod(pod.reference, includeTerminated: true)
        if output.json {
            JSONOutput.write(json: PodJSON(view).json)
            return
        }
        let record = view.record
        var panel = Panel(title: "\(record.name)  \(Style.dim(record.id))")
        panel.add("status", Style.status(view.status.rawValue) + (view.remote?.lastStatusChange.map { Style.dim("  \($0)") } ?? ""))
        panel.add("gpu", Format.gpu(record) + Style.dim("  \(record.gpuTypeId)"))
        panel.add("cloud", record.cloudType.rawValue)
        panel.add("image", view.remote?.imageName ?? record.imageName ?? "—")
        panel.add("ports", view.remote?.ports ?? "—")
        if view.status == .running, let endpoint = view.remote?.sshEndpoint ?? record.endpoint {
            panel.add("ssh", "\(context.config.sshUser)@\(endpoint.host) -p \(endpoint.port)")
        } else {
            panel.add("ssh", Style.dim(view.status == .starting ? "not published yet" : "— (not running)"))
        }
        panel.add("runtime", Format.duration(view.runningSeconds))
        panel.add("price", Format.perHour(record.pricePerHour) + Style.dim("  at creation"))
        panel.add("cost so far", Format.dollars(view.cost))
        panel.add("created", Format.date(record.createdAt) + (record.createdByAutopod ? "" : Style.dim("  (not by autopod; first seen)")))
        if let terminated = record.terminatedAt { panel.add("terminated", Format.date(terminated)) }
        print(panel.render())
    }
}
