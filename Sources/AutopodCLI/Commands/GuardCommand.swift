import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials
import SSHKit

/// `autopod guard [POD]`: show or change what stops a pod by itself.
struct GuardCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        _superCommandName: "autopod",
        abstract: "Show or change a pod's guard: stop it when idle, after a runtime, or at a budget.",
        discussion: """
            Every pod autopod reaches runs a small watchdog that stops it (or, with --idle-action \\
            terminate, terminates it) through RunPod's API with the pod's own key, even when this \\
            machine is asleep or gone. A pod is idle when no shell or command runs over SSH, no \\
            forwarded connection carries data, every GPU is under 5% and the CPU is low; an open \\
            shell counts as use, a tunnel whose connections are quiet does not. The runtime limit \\
            counts from each start; the budget is the pod's whole cost, storage included.

            Without flags, shows the guard in force and how far the pod is towards each limit. \\
            With flags, changes them on the pod at once (or, for a stopped pod, from its next \\
            start). The config's defaults (`autopod config init --idle-stop ...`) apply to pods \\
            whose guard was never set.

              autopod guard mypod --idle-stop 30m --max-runtime 8h --budget 5
              autopod guard mypod --off
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var sshOptions: SSHOptions
    @OptionGroup var pod: PodArgument
    @OptionGroup(title: "Limits") var limits: GuardOptions

    @Flag(help: "Switch every limit off for this pod.")
    var off = false

    func validate() throws {
        if off && (limits.idleStop != nil || limits.maxRuntime != nil || limits.budget != nil) {
            throw ValidationError("--off switches every limit off; give it without --idle-stop, --max-runtime or --budget")
        }
    }

    func run(_ context: CommandContext) throws {
        let view = try context.pod(pod.reference)
        let record = view.record
        let current = context.podGuard.settings(for: record)
        let changing = off || !limits.overrides.isEmpty
        var settings = limits.overrides.applied(to: current)
        if off { settings = GuardSettings(idleLimit: .zero, maxRuntime: .zero, budget: 0, action: settings.action) }

        var outcome: WatchdogOutcome?
        var status: GuardStatus?
        if view.status == .running {
            let session = try context.ssh(to: record, options: sshOptions).connect()
            if changing {
                outcome = context.enforceGuard(settings, on: view, over: session)
            } else {
                status = context.podGuard.status(over: session)
            }
        } else if changing {
            _ = try context.store.update { state in state.update(id: record.id) { $0.guardSettings = settings } }
        }

        if output.json {
            JSONOutput.write(json: Self.json(pod: record.id, settings: settings, status: status, running: outcome?.isRunning))
            return
        }
        var panel = Panel(title: "\(record.name)'s guard")
        panel.add("limits", changing ? GuardWords.inForce(settings, outcome) : settings.summary)
        if let status, !settings.isOff {
            panel.add("now", status.progress(towards: settings) + Style.dim("  (checked \(Format.date(status.checkedAt)))"))
        } else if view.status == .running && !changing && !settings.isOff {
            panel.add("now", Style.warn("the watchdog has not reported yet"))
        }
        if let note = view.guardNote { panel.add("last", note) }
        if view.status != .running && changing {
            panel.add("on the pod", Style.dim("from its next start (`autopod start \(record.name)`)"))
        }
        if settings.budget > 0, view.cost >= settings.budget, view.status == .running {
            panel.add("note", Style.warn("\(record.name) has cost \(Format.dollars(view.cost)) already: the guard acts at its next check"))
        }
        print(panel.render())
    }

    /// `autopod guard --json`: the limits in force, whether the watchdog runs (after a change)
    /// and its last check (when only asked).
    static func json(pod: String, settings: GuardSettings, status: GuardStatus?, running: Bool?) -> JSONValue {
        func seconds(_ duration: Duration) -> JSONValue { .number(Double(Int(duration.seconds))) }
        var fields: [String: JSONValue] = [
            "pod": .string(pod), "idleSeconds": seconds(settings.idleLimit), "maxRuntimeSeconds": seconds(settings.maxRuntime),
            "budget": .number(settings.budget), "action": .string(settings.action.rawValue),
        ]
        if let running { fields["watchdogRunning"] = .bool(running) }
        if let status {
            fields["idleForSeconds"] = seconds(status.idle)
            fields["busy"] = .string(status.busy)
            fields["runtimeSeconds"] = seconds(status.runtime)
            fields["spent"] = .number(status.spent)
        }
        return .object(fields)
    }
}
