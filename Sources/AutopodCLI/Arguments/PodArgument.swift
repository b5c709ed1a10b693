import ArgumentParser

/// The pod a command acts on: its id, its name, or a unique prefix of either. Left out, the one
/// pod that fits is meant: the running one (`info`, `stop`, `kill`, `shell`, `exec`), or the
/// stopped one (`start`). `CommandContext.pod` looks it up.
struct PodArgument: ParsableArguments {
    @Argument(
        help: ArgumentHelp("Pod id, name, or a unique prefix of either (optional when only one pod fits).", valueName: "pod"),
        completion: LocalCompletions.pods)
    var reference: String?
}

/// The same where the pod must be named, because more positional arguments follow it
/// (`tunnel POD PORT...`).
struct RequiredPodArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("Pod id, name, or a unique prefix of either.", valueName: "pod"), completion: LocalCompletions.pods)
    var reference: String
}
