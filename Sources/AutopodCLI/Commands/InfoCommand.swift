import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod info POD`: one pod in detail.
struct InfoCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", _superCommandName: "autopod", abstract: "Show one pod: status, GPU, image, ports, SSH endpoint, runtime and cost.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var sshOptions: SSHOptions

    @OptionGroup var pod: PodArgument

    var readBudget: Duration? { StaleData.readBudget }

    func run(_ context: CommandContext) throws {
        let view: PodView
        var offline: String?
        do {
            view = try context.manager.detailed(try context.pod(pod.reference, includeTerminated: true))
        } catch ProviderError.transient(let message, _) {
            view = try PodManager.find(pod.reference, in: try context.manager.recordedViews(includeTerminated: true))
            offline = message
            StandardStream.error.write(
                "warning: RunPod could not be reached (\(message.terminalSafe)); showing the pod as autopod last saw it\n")
        }
        if output.json {
            JSONOutput.write(json: StaleData.mark(PodJSON(view).json, stale: offline != nil))
            return
        }
        let record = view.record
        var panel = Panel(title: "\(record.name.terminalSafe)  \(Style.dim(record.id.terminalSafe))")
        panel.add("status", Style.status(view.status.rawValue) + (view.remote?.lastStatusChange.map { Style.dim("  \($0.terminalSafe)") } ?? ""))
        panel.add("gpu", Format.gpu(record) + Style.dim("  \(record.gpuTypeId.terminalSafe)"))
        panel.add("cloud", record.cloudType.rawValue)
        if let spot = Format.spot(record) {
            panel.add("spot", spot + Style.dim("  RunPod takes the pod back if the market rises above the bid"))
        }
        panel.add("image", (view.remote?.imageName ?? record.imageName ?? "—").terminalSafe)
        panel.add("ports", (view.remote?.ports ?? "—").terminalSafe)
        // RunPod's HTTPS proxy serves each http port (ids are checked: the URL is safe as is).
        for port in RunPodProxyURL.httpPorts(view.remote?.ports) { panel.add("https \(port)", RunPodProxyURL.url(podID: record.id, port: port)) }
        if view.status == .running, let endpoint = view.remote?.sshEndpoint ?? record.endpoint {
            panel.add("ssh", "\(context.config.sshUser)@\(endpoint.host)".terminalSafe + " -p \(endpoint.port)")
        } else {
            panel.add("ssh", Style.dim(view.status == .starting ? "not published yet" : "— (not running)"))
        }
        panel.add("runtime", Format.duration(view.runningSeconds))
        if view.status == .running, let utilization = view.remote?.utilization {
            for (index, gpu) in utilization.gpus.enumerated() {
                panel.add(
                    utilization.gpus.count == 1 ? "gpu util" : "gpu \(index) util",
                    "\(Format.percent(gpu.util))" + Style.dim("  memory \(Format.percent(gpu.memoryUtil))"))
            }
            panel.add("cpu util", Format.percent(utilization.cpu))
            panel.add("memory util", Format.percent(utilization.memory))
        }
        panel.add("price", Format.perHour(record.pricePerHour) + Style.dim("  at creation"))
        panel.add("cost so far", Format.costs(view.costs))
        let stoppedPerDay = PodCost.stoppedPerDay(record)
        panel.add("storage", Format.storage(record.storage) + (stoppedPerDay > 0 ? Style.dim("  \(Format.perDay(stoppedPerDay)) while stopped") : ""))
        addGuard(to: &panel, view, context: context)
        panel.add("created", Format.date(record.createdAt) + (record.createdByAutopod ? "" : Style.dim("  (not by autopod: its start as RunPod reports it, or when autopod first saw it)")))
        if let terminated = record.terminatedAt { panel.add("terminated", Format.date(terminated)) }
        print(panel.render())
        if offline != nil { print(Style.warn(StaleData.tableLine)) }
    }

    /// The guard in force; for a running pod, how far it is towards each limit (the watchdog's
    /// last check, read over SSH); for a stopped one, whether its guard stopped it.
    private func addGuard(to panel: inout Panel, _ view: PodView, context: CommandContext) {
        guard view.status != .terminated || view.guardNote != nil else { return }
        let settings = context.podGuard.settings(for: view.record)
        panel.add("guard", settings.summary)
        if view.status == .running && !settings.isOff {
            let status = try? context.podGuard.status(over: context.ssh(to: view, options: sshOptions).connect())
            panel.add("guard now", status.map { $0.progress(towards: settings) } ?? Style.dim("no report from the pod's watchdog"))
        }
        if let note = view.guardNote { panel.add("stopped", Style.warn(note)) }
    }
}
