import ArgumentParser
import AutopodCore
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Show debug messages on the terminal (the log file always has them).")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Show only warnings and errors.")
    var quiet = false

    var paths: AutopodPaths { AutopodPaths.fromEnvironment() }

    /// Sets up logging and colour; commands call this first (`CommandContext.make` does).
    func bootstrap() {
        LogSetup.bootstrap(paths: paths, verbosity: quiet ? -1 : verbose ? 1 : 0)
        Style.configure()
    }
}

/// `--json` for commands that show data.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON instead of a table.")
    var json = false
}
