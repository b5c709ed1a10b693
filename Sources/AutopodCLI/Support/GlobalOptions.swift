import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Show debug messages on the terminal (the log file always has them).")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Show only warnings and errors.")
    var quiet = false

    var paths: AutopodPaths { AutopodPaths.fromEnvironment() }

    /// Sets up logging and colour; commands call this first (`CommandContext.make` does).
    /// `statusDisplay`: the command reports every event itself (`tunnel`), so only errors (or,
    /// with `-v`, everything) reach the terminal; the log file has the rest.
    /// `environment`: tests give their own.
    func bootstrap(statusDisplay: Bool = false, environment: Environment = .process) {
        let verbosity = verbose ? 1 : statusDisplay ? -2 : quiet ? -1 : 0
        LogSetup.bootstrap(paths: AutopodPaths.fromEnvironment(environment), verbosity: verbosity)
        Style.configure(environment: environment)
        Output.quiet = quiet && !verbose
    }
}

/// `--json` for commands that show data.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON instead of a table.")
    var json = false
}
