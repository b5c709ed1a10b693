import ArgumentParser
import AutopodCore
import AutopodSupport

/// A pod's guard (see `GuardSettings`). `connect` sets it for the new pod, `config init` saves
/// it as every pod's default, `autopod guard` changes a pod's; all three declare it through this
/// group, so the flags, their help and their checks are the same everywhere.
struct GuardOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Stop a pod idle this long: no shell or command over SSH, no forwarded connection carrying data, GPUs under 5% and CPU low (e.g. 60m, 2h; 0 = never).",
            valueName: "duration"))
    var idleStop: GuardDuration?

    @Option(help: ArgumentHelp("What the guard does at any limit: stop (keeps the volume) or terminate (deletes the pod).", valueName: "stop|terminate"))
    var idleAction: GuardAction?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Stop a pod this long after each start, whatever it is doing (e.g. 8h; 0 = no limit).", valueName: "duration"))
    var maxRuntime: GuardDuration?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Stop a pod once it has cost this many dollars in all, storage included (0 = no budget).", valueName: "dollars"))
    var budget: GuardDollars?

    /// The config settings these flags set (`config init` then does not ask for them).
    var fieldsGiven: Set<String> {
        var fields: Set<String> = []
        if idleStop != nil { fields.insert("idleStop") }
        if idleAction != nil { fields.insert("idleAction") }
        if maxRuntime != nil { fields.insert("maxRuntime") }
        if budget != nil { fields.insert("budget") }
        return fields
    }

    var overrides: GuardOverrides {
        GuardOverrides(idleLimit: idleStop?.duration, maxRuntime: maxRuntime?.duration, budget: budget?.dollars, action: idleAction)
    }
}

/// `--idle-stop 60m`, `8h`, `1h30m`, `2d`, plain seconds, or `0`/`off`.
struct GuardDuration: ExpressibleByArgument {
    let duration: Duration

    init?(argument: String) {
        guard let duration = GuardLimitText.duration(argument) else { return nil }
        self.duration = duration
    }
}

/// `--budget 5`, `$2.50`, or `0`/`off`.
struct GuardDollars: ExpressibleByArgument {
    let dollars: Double

    init?(argument: String) {
        guard let dollars = GuardLimitText.dollars(argument) else { return nil }
        self.dollars = dollars
    }
}

/// `--idle-action stop` or `terminate`, any case.
extension GuardAction: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
