import ArgumentParser
import AutopodCore

/// `--wait-timeout` of `connect` and `start`: how long they wait for the pod to answer SSH.
struct WaitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How long to wait for the pod to answer SSH, e.g. 90s, 15m.", valueName: "duration"))
    var waitTimeout = WaitDuration.minutes(15)
}
