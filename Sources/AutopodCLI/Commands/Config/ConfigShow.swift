import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod config show`: the configuration in force, with the API key masked.
struct ConfigShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", _superCommandName: "autopod config", abstract: "Show the configuration in force, with the API key masked.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        global.bootstrap()
        let environment = Environment.process
        let store = ConfigStore(paths: global.paths)
        let config = try store.load(environment: environment)
        let key = config.effectiveAPIKey(environment: environment)
        let keySource = environment["RUNPOD_API_KEY"].map { $0.isEmpty ? nil : "RUNPOD_API_KEY" } ?? nil
        let api: (choice: CloudAPIChoice, source: String)
        do {
            api = try config.effectiveAPI(environment: environment)
        } catch {
            throw CLIFailure("\(error); unset it or set it to auto (the default), rest or graphql.")
        }
        if output.json {
            var shown = config
            shown.apiKey = key.map { AutopodConfig.mask($0) }
            shown.apiBaseURL = config.effectiveBaseURL(environment: environment)
            shown.api = api.choice
            try JSONOutput.write(shown)
            return
        }
        var panel = Panel(title: "autopod configuration" + (store.exists ? "" : " (defaults: no config file yet)"))
        panel.add("file", store.paths.config.path)
        panel.add("api key", AutopodConfig.mask(key) + (keySource.map { " (from \($0))" } ?? ""))
        panel.add("api url", config.effectiveBaseURL(environment: environment))
        panel.add("api", api.choice.rawValue + (api.source == "config" ? "" : " (from \(api.source))"))
        for route in RunPodBackend.routes(api.choice) {
            panel.add("", Style.dim("\(route.what): \(route.api)"))
        }
        panel.add("ssh key", config.sshKeyPath ?? Style.warn("(none found: run `autopod config init`)"))
        if let extra = config.extraSSHKeyPaths, !extra.isEmpty {
            panel.add("earlier keys", extra.joined(separator: ", ") + Style.dim(" (for pods started before the key changed)"))
        }
        panel.add("ssh user", config.sshUser)
        panel.add("gpu types", config.gpuTypes.joined(separator: ", "))
        panel.add("gpu count", "\(config.gpuCount)")
        panel.add("cloud", config.cloudType.rawValue)
        panel.add("data centre", config.dataCenterId ?? "any")
        panel.add("image", config.image)
        panel.add("container disk", "\(config.containerDiskGB) GB")
        panel.add("volume", "\(config.volumeGB) GB at \(config.volumeMountPath)")
        panel.add("ports", config.ports)
        panel.add("forwards", config.forwards.map(\.description).joined(separator: ", "))
        panel.add("guard", config.guardSettings.summary + Style.dim("  (each pod's: `autopod guard POD`)"))
        print(panel.render())
    }
}
