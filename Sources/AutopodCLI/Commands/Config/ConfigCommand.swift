import AutopodSupport
import ArgumentParser

/// `autopod config`: set up, show and locate the configuration.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Set up autopod, or show its configuration.",
        subcommands: [ConfigInit.self, ConfigShow.self, ConfigPath.self]
    )
}
