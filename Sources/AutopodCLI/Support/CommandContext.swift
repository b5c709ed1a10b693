import AutopodSupport
import AutopodCore
import FoundationEssentials

/// What a pod command needs: the config, the provider built from it, and the state store.
struct CommandContext {
    let environment: Environment
    let paths: AutopodPaths
    let config: AutopodConfig
    let provider: RunPodProvider
    let store: PodStateStore

    /// Loads the config, applies `overrides` (the command line's), and builds the RunPod
    /// provider; a missing key says how to set one.
    static func make(
        global: GlobalOptions, statusDisplay: Bool = false, overrides: (inout AutopodConfig) -> Void = { _ in }
    ) throws -> CommandContext {
        let environment = Environment.process
        global.bootstrap(statusDisplay: statusDisplay, environment: environment)
        let paths = AutopodPaths.fromEnvironment(environment)
        var config = try ConfigStore(paths: paths).load(environment: environment)
        overrides(&config)
        guard let key = config.effectiveAPIKey(environment: environment), !key.isEmpty else {
            throw CLIFailure(
                "no RunPod API key is set. Set RUNPOD_API_KEY in the environment, or run `autopod config init` to save one "
                    + "(create a key at https://www.runpod.io/console/user/settings).")
        }
        LogSetup.redactor.add(secret: key)
        var client = GraphQLClient(baseURL: config.effectiveBaseURL(environment: environment), apiKey: key)
        // AUTOPOD_API_TIMEOUT (seconds) shortens the per-request timeout, for tests and slow links.
        if let text = environment["AUTOPOD_API_TIMEOUT"], let seconds = Double(text), seconds > 0, seconds < 1e9 {
            client.timeout = .seconds(seconds)
        }
        return CommandContext(
            environment: environment, paths: paths, config: config, provider: RunPodProvider(client: client),
            store: PodStateStore(paths: paths))
    }

    var manager: PodManager { PodManager(provider: provider, store: store) }
}
