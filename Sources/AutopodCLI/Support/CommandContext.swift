import AutopodSupport
import AutopodCore
import FoundationEssentials

/// What a pod command needs: the config, the provider built from it, and the state store.
struct CommandContext {
    let environment: Environment
    let paths: AutopodPaths
    let config: AutopodConfig
    /// RunPod, through whichever API the config and `AUTOPOD_API` choose; commands never ask which.
    let provider: any CloudProvider
    let store: PodStateStore

    /// Loads the config, applies `overrides` (the command line's), and builds the RunPod
    /// provider; a missing key says how to set one.
    static func make(
        global: GlobalOptions, statusDisplay: Bool = false, bootstrapped: Bool = false, readBudget: Duration? = nil,
        overrides: (inout AutopodConfig) -> Void = { _ in }
    ) throws -> CommandContext {
        let environment = Environment.process
        // `bootstrapped`: the command set up logging already (it can be done once per process).
        if !bootstrapped { global.bootstrap(statusDisplay: statusDisplay, environment: environment) }
        let paths = AutopodPaths.fromEnvironment(environment)
        // A home another user owns or can write in is refused before anything is read from it.
        try paths.checkHome()
        var config = try ConfigStore(paths: paths).load(environment: environment)
        overrides(&config)
        guard let key = config.effectiveAPIKey(environment: environment), !key.isEmpty else {
            throw CLIFailure(
                "no RunPod API key is set. Set RUNPOD_API_KEY in the environment, or run `autopod config init` to save one "
                    + "(create a key at https://www.runpod.io/console/user/settings).")
        }
        return CommandContext(
            environment: environment, paths: paths, config: config,
            provider: try makeProvider(
                config: config, apiKey: key, environment: environment, deadline: readBudget.map { Deadline.after($0) }),
            store: PodStateStore(paths: paths))
    }

    /// The provider for `config` and the environment: `AUTOPOD_API` (or `api`) picks the API,
    /// `AUTOPOD_API_TIMEOUT` (seconds) shortens each request, for tests and slow links.
    static func makeProvider(
        config: AutopodConfig, apiKey: String, environment: Environment, timeout: Duration? = nil, deadline: Deadline? = nil
    ) throws -> any CloudProvider {
        LogSetup.redactor.add(secret: apiKey)
        let baseURL = config.effectiveBaseURL(environment: environment)
        if let problem = APIEndpoint.problem(baseURL) {
            throw CLIFailure(
                "refusing the RunPod API URL: \(problem) (from \(environment["RUNPOD_API_BASE_URL"] == nil ? "apiBaseURL in the config" : "RUNPOD_API_BASE_URL")).")
        }
        let choice: CloudAPIChoice
        do {
            choice = try config.effectiveAPI(environment: environment).choice
        } catch {
            throw CLIFailure("\(error); unset it or set it to auto (the default), rest or graphql.")
        }
        var seconds = timeout
        if let text = environment["AUTOPOD_API_TIMEOUT"], let value = Double(text), value > 0, value < 1e9 {
            seconds = .seconds(value)
        }
        return RunPodBackend.makeProvider(
            choice: choice, baseURL: baseURL, apiKey: apiKey, timeout: seconds, deadline: deadline)
    }

    var manager: PodManager { PodManager(provider: provider, store: store) }
}
