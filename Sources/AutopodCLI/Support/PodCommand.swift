import ArgumentParser
import AutopodCore

/// A command that works with the account. Its `run()` loads the config, applies the command
/// line's overrides, builds the provider and the state store once (`CommandContext`) and hands
/// them to `run(_:)`, as swift-package-manager's `SwiftCommand` does with its state; a command
/// only says what it does with them.
protocol PodCommand: ParsableCommand {
    var global: GlobalOptions { get }

    /// The command reports every event itself (`tunnel`): the terminal gets only errors (or,
    /// with `-v`, everything), the log file the rest. False unless a command says otherwise.
    var statusDisplay: Bool { get }

    /// Changes the command line makes to the loaded config for this run only (`connect --gpu`,
    /// `gpus --cloud`), so `context.config` is the configuration in force. None unless a command
    /// says otherwise.
    func applyOverrides(to config: inout AutopodConfig)

    /// For commands that only read and can fall back to what autopod recorded (`list`, `info`):
    /// how long all their API requests together may take. Nil (the default) for the rest.
    var readBudget: Duration? { get }

    func run(_ context: CommandContext) throws
}

extension PodCommand {
    var statusDisplay: Bool { false }

    func applyOverrides(to config: inout AutopodConfig) {}

    var readBudget: Duration? { nil }

    func run() throws {
        try run(CommandContext.make(global: global, statusDisplay: statusDisplay, readBudget: readBudget, overrides: applyOverrides))
    }
}
