import AutopodSupport
import FoundationEssentials

/// What the user chose in `autopod config init` (or left at its default).
public struct AutopodConfig: Codable, Sendable, Equatable {
    /// RunPod API key. `RUNPOD_API_KEY` overrides it.
    public var apiKey: String?
    /// RunPod API base URL. `RUNPOD_API_BASE_URL` overrides it.
    public var apiBaseURL = defaultBaseURL
    /// Which of RunPod's APIs to speak. `AUTOPOD_API` overrides it.
    public var api = CloudAPIChoice.auto
    /// Private key used for SSH (ed25519 or ECDSA).
    public var sshKeyPath: String?
    public var sshUser = "root"
    /// GPU type ids in order of preference; `connect` falls back through them.
    public var gpuTypes = defaultGPUTypes
    public var gpuCount = 1
    public var cloudType = CloudType.secure
    /// A RunPod data centre id such as EU-RO-1; nil lets RunPod choose.
    public var dataCenterId: String?
    public var image = defaultImage
    public var containerDiskGB = 20
    public var volumeGB = 50
    public var volumeMountPath = "/workspace"
    /// Ports the pod exposes, in RunPod's `8888/http,22/tcp` form.
    public var ports = "8888/http,22/tcp"
    /// Pod ports forwarded to localhost by `connect`, `shell` and a `tunnel` given no ports
    /// (`8888`, or `LOCAL:REMOTE`).
    public var forwards: [ConfigForward] = [8888]
    /// Keys that were `sshKeyPath` before a new one was made: pods started before then know only
    /// them, so autopod still offers them (after `sshKeyPath`) when it logs in. Nil (not
    /// written) when there are none.
    public var extraSSHKeyPaths: [String]? = nil
    /// The guard every pod gets (see `GuardSettings`), as the user writes it: a pod idle this
    /// long is stopped ("60m"; "0" switches idle stops off).
    public var idleStop = GuardLimitText.format(GuardSettings.defaults.idleLimit)
    /// What the guard does at any limit: stop (keep the volume) or terminate.
    public var idleAction = GuardSettings.defaults.action
    /// Longest a pod may run after each start, whatever it does ("8h"); nil for no limit.
    public var maxRuntime: String?
    /// Dollars a pod may cost in all, storage included; nil for no budget.
    public var budget: Double?

    public static let defaultBaseURL = "https://api.runpod.io"
    public static let defaultGPUTypes = ["NVIDIA A40", "NVIDIA RTX A6000", "NVIDIA RTX A5000"]
    /// RunPod's current official PyTorch image (the one runpodctl's documentation uses).
    public static let defaultImage = "runpod/pytorch:1.0.3-cu1281-torch291-ubuntu2404"
    /// The limits a saved config keeps to, and the command line's flags check.
    public static let gpuCountRange = 1...8
    public static let containerDiskRange = 1...4000
    public static let volumeRange = 0...10000

    /// The guard these settings give each pod (a limit that does not parse is off; the
    /// parser reports it before a config gets this far).
    public var guardSettings: GuardSettings {
        get {
            GuardSettings(
                idleLimit: GuardLimitText.duration(idleStop) ?? .zero,
                maxRuntime: maxRuntime.flatMap(GuardLimitText.duration) ?? .zero, budget: budget ?? 0, action: idleAction)
        }
        set {
            idleStop = GuardLimitText.format(newValue.idleLimit)
            idleAction = newValue.action
            maxRuntime = newValue.maxRuntime > .zero ? GuardLimitText.format(newValue.maxRuntime) : nil
            budget = newValue.budget > 0 ? newValue.budget : nil
        }
    }

    /// Defaults, with the SSH key that `SSHKeyFinder` detects in `~/.ssh`.
    public static func defaults(environment: Environment = .process) -> AutopodConfig {
        var config = AutopodConfig()
        config.sshKeyPath = SSHKeyFinder(environment: environment).preferredUsableKey()?.path
        return config
    }

    /// The key with environment overrides applied; never logged.
    public func effectiveAPIKey(environment: Environment) -> String? {
        if let key = environment["RUNPOD_API_KEY"], !key.isEmpty { return key }
        return apiKey
    }

    /// The API to speak, with `AUTOPOD_API` applied, and where the choice came from. A value of
    /// `AUTOPOD_API` that names no API is an error rather than a silent default.
    public func effectiveAPI(environment: Environment) throws(ConfigIssue) -> (choice: CloudAPIChoice, source: String) {
        if let text = environment["AUTOPOD_API"], !text.isEmpty {
            guard let choice = CloudAPIChoice(text: text) else {
                throw ConfigIssue(field: "AUTOPOD_API", problem: "\"\(text)\" is not one of auto, rest, graphql")
            }
            return (choice, "AUTOPOD_API")
        }
        return (api, "config")
    }

    public func effectiveBaseURL(environment: Environment) -> String {
        if let url = environment["RUNPOD_API_BASE_URL"], !url.isEmpty { return url }
        return apiBaseURL
    }

    /// The key masked for display: the first four and last four characters.
    public static func mask(_ key: String?) -> String {
        guard let key, !key.isEmpty else { return "(not set)" }
        // The last 4 characters tell two keys apart; nothing else of the key is shown.
        guard key.count > 12 else { return String(repeating: "•", count: 8) }
        return "••••" + key.suffix(4)
    }
}
