import AutopodSupport
import ArgumentParser
import FoundationEssentials
import AutopodCore

/// `autopod config path`: where the configuration lives.
struct ConfigPath: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path", _superCommandName: "autopod config", abstract: "Print the path of the configuration file (AUTOPOD_HOME/config.json).")

    func run() throws {
        print(AutopodPaths.fromEnvironment().config.path)
    }
}
