import AutopodCore
import AutopodSupport

extension ConfigInit {
    /// The settings `askGuardDefaults` asks for.
    static let guardFields: Set<String> = ["idleStop", "maxRuntime", "budget", "idleAction"]

    /// The guard every pod gets; each answer reads as its flag does, and one that does not read
    /// leaves the value as it was. `only`: just these settings (a repair).
    func askGuardDefaults(_ config: inout AutopodConfig, only: Set<String>? = nil) {
        func wanted(_ field: String) -> Bool { only?.contains(field) ?? true }
        guard !Self.guardFields.filter(wanted).isEmpty else { return }
        var settings = config.guardSettings
        if only == nil {
            print(Style.dim("A pod's guard stops it by itself, even while this machine sleeps; 0 switches a limit off."))
        }
        if wanted("idleStop"),
            let text = Prompt.ask("Stop a pod idle for (no shell, no traffic over SSH, GPUs under 5%)", default: config.idleStop),
            let limit = GuardLimitText.duration(text)
        {
            settings.idleLimit = limit
        }
        if wanted("maxRuntime"), let text = Prompt.ask("Stop a pod this long after each start, whatever it does", default: config.maxRuntime ?? "0"),
            let limit = GuardLimitText.duration(text)
        {
            settings.maxRuntime = limit
        }
        if wanted("budget"), let text = Prompt.ask("Stop a pod once it has cost, in dollars", default: config.budget.map { $0.fixed(2) } ?? "0"),
            let dollars = GuardLimitText.dollars(text)
        {
            settings.budget = dollars
        }
        if wanted("idleAction"),
            let text = Prompt.ask("At a limit: stop (keeps the volume) or terminate (deletes the pod)", default: settings.action.rawValue),
            let action = GuardAction(argument: text)
        {
            settings.action = action
        }
        config.guardSettings = settings
    }
}
