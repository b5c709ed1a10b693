import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod config init`: the set-up wizard. Every question has a flag, so
/// `--non-interactive` can set everything from a script.
struct ConfigInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Set up autopod: API key, SSH key, GPU preference and pod defaults.",
        discussion: """
            Asks one question at a time, with the current value or the default in brackets: \
            press Enter to keep it. The API key is typed without echo and checked with RunPod. \
            With --non-interactive nothing is asked: flags, then the existing file, then defaults.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "RunPod API key (safer: set RUNPOD_API_KEY, or type it when asked).")
    var apiKey: String?
    @Option(name: .customLong("ssh-key"), help: "Private SSH key to use (ed25519 or ECDSA).")
    var sshKey: String?
    @Flag(help: "Create a new ed25519 key pair for autopod in ~/.ssh.")
    var createSSHKey = false
    @OptionGroup(title: "Pod defaults") var podOptions: PodOptions
    @OptionGroup(title: "Guard defaults (what stops a pod by itself)") var guardOptions: GuardOptions
    @Flag(help: "Ask nothing: use the flags, the existing file and the defaults.")
    var nonInteractive = false

    func run() throws {
        global.bootstrap()
        let environment = Environment.process
        let store = ConfigStore(paths: global.paths)
        // A broken file is reported and left alone: load throws before anything is written.
        var config = try store.load(environment: environment)
        let interactive = !nonInteractive && Prompt.isInteractive
        if !nonInteractive && !interactive {
            throw CLIFailure("stdin is not a terminal: pass --non-interactive with flags to configure from a script")
        }
        if let apiKey { config.apiKey = apiKey }
        try applyFlags(to: &config)

        if interactive {
            print(Style.bold("autopod set-up") + Style.dim("  (Enter keeps the value in brackets)"))
            try askAPIKey(&config, environment: environment)
            try askSSHKey(&config)
            offerToRegister(config, environment: environment)
            askPodDefaults(&config)
            askGuardDefaults(&config)
        } else {
            if createSSHKey { config.sshKeyPath = try createKey() }
            if let key = config.apiKey { checkKey(key, config: config, environment: environment, interactive: false) }
        }
        try store.save(config)
        print("Saved \(store.paths.config.path)")
        if config.sshKeyPath == nil {
            print(Style.warn("No usable SSH key is set: run `autopod config init --create-ssh-key` before `connect`."))
        }
    }

    private func applyFlags(to config: inout AutopodConfig) throws {
        if let sshKey { config.sshKeyPath = AutopodPaths.expandTilde(sshKey) }
        podOptions.apply(to: &config)
        config.guardSettings = guardOptions.overrides.applied(to: config.guardSettings)
        if let path = config.sshKeyPath, SSHKeyFinder.kind(ofPrivateKeyAt: path) == .rsa {
            throw CLIFailure("\(path) is an RSA key. \(DiscoveredKey.rsaExplanation)")
        }
    }

    private func askAPIKey(_ config: inout AutopodConfig, environment: Environment) throws {
        while true {
            let current = config.apiKey.map { " [\(AutopodConfig.mask($0))]" } ?? ""
            let typed = Prompt.secret("RunPod API key\(current)")?.trimmingSpaces() ?? ""
            if !typed.isEmpty { config.apiKey = typed }
            guard let key = config.apiKey else {
                print(Style.warn("No key set; autopod cannot reach RunPod until you add one (or set RUNPOD_API_KEY)."))
                return
            }
            LogSetup.redactor.add(secret: key)
            if checkKey(key, config: config, environment: environment, interactive: true) { return }
            config.apiKey = nil
        }
    }

    /// Checks the key with a live call. Returns false only when RunPod refused it.
    @discardableResult
    private func checkKey(_ key: String, config: AutopodConfig, environment: Environment, interactive: Bool) -> Bool {
        LogSetup.redactor.add(secret: key)
        var client = GraphQLClient(baseURL: config.effectiveBaseURL(environment: environment), apiKey: key)
        client.timeout = .seconds(10)
        do {
            let id = try RunPodAccount(client: client).verifyKey()
            print(Style.ok("✓") + " key accepted by RunPod (account \(id))")
            return true
        } catch .unauthorized {
            print(Style.bad("✗") + " RunPod refused this key." + (interactive ? " Try again (Enter to skip)." : ""))
            return !interactive
        } catch {
            print(Style.warn("!") + " could not check the key now (\(error)); it is saved unchecked")
            return true
        }
    }

    private func askSSHKey(_ config: inout AutopodConfig) throws {
        let keys = SSHKeyFinder().discover()
        for key in keys where !key.isUsable {
            print(Style.dim("  \(key.path): \(key.kind.rawValue) key, not usable. ") + (key.kind == .rsa ? DiscoveredKey.rsaExplanation : ""))
        }
        let usable = keys.filter(\.isUsable)
        if createSSHKey || (usable.isEmpty && Prompt.confirm("No ed25519 or ECDSA key found. Create one now?", default: true)) {
            config.sshKeyPath = try createKey()
            return
        }
        for (index, key) in usable.enumerated() { print("  \(index + 1). \(key.path) (\(key.kind.rawValue))") }
        let fallback = config.sshKeyPath ?? usable.first?.path
        let answer = Prompt.ask("SSH key: a number above, a path, or 'new' to create one", default: fallback) ?? fallback
        if answer == "new" {
            config.sshKeyPath = try createKey()
        } else if let answer, let number = Int(answer), usable.indices.contains(number - 1) {
            config.sshKeyPath = usable[number - 1].path
        } else if let answer {
            let path = AutopodPaths.expandTilde(answer)
            if SSHKeyFinder.kind(ofPrivateKeyAt: path) == .rsa { print(Style.warn(DiscoveredKey.rsaExplanation)) }
            config.sshKeyPath = path
        }
    }

    /// Offers to add the chosen key to the RunPod account, so pods started outside autopod (and
    /// RunPod's own SSH proxy) accept it too. autopod's own pods get it either way.
    private func offerToRegister(_ config: AutopodConfig, environment: Environment) {
        guard let keyPath = config.sshKeyPath, let line = OpenSSHKeyFile.publicKeyLine(forPrivateKeyAt: keyPath),
            let apiKey = config.effectiveAPIKey(environment: environment)
        else { return }
        let account = RunPodAccount(client: GraphQLClient(baseURL: config.effectiveBaseURL(environment: environment), apiKey: apiKey))
        do {
            let blob = line.split(separator: " ").dropFirst().first.map(String.init) ?? line
            if try account.publicKeys().contains(where: { $0.contains(blob) }) {
                print(Style.ok("✓") + " \(keyPath).pub is already on your RunPod account")
                return
            }
            guard Prompt.confirm("Add \(keyPath).pub to your RunPod account's SSH keys?", default: true) else { return }
            try account.register(publicKey: line)
            print(Style.ok("✓") + " added to your RunPod account (pods started from now on accept it)")
        } catch {
            print(Style.warn("!") + " could not check the account's SSH keys (\(error)); autopod passes the key to its pods anyway")
        }
    }

    /// Creates `~/.ssh/id_ed25519`, or `~/.ssh/autopod_ed25519` when that name is taken.
    private func createKey() throws -> String {
        let ssh = AutopodPaths.userHome().appendingPathComponent(".ssh")
        var path = ssh.appendingPathComponent("id_ed25519").path
        if FileManager.default.fileExists(atPath: path) { path = ssh.appendingPathComponent("autopod_ed25519").path }
        let host = ProcessInfo.processInfo.hostName
        let key = try OpenSSHKeyFile.generateEd25519(comment: "autopod@\(host)")
        try OpenSSHKeyFile.write(key, to: path)
        print(Style.ok("✓") + " created \(path) (ed25519); public key in \(path).pub")
        print("  Add it to RunPod (Settings → SSH Public Keys), or let `autopod connect` pass it to new pods.")
        return path
    }

    /// The guard every pod gets; each answer reads as its flag does, and one that does not
    /// read leaves the value as it was.
    private func askGuardDefaults(_ config: inout AutopodConfig) {
        var settings = config.guardSettings
        print(Style.dim("A pod's guard stops it by itself, even when this machine sleeps: 0 switches a limit off."))
        if let text = Prompt.ask("Stop a pod idle for (no shell, no forwarded traffic, GPUs under 5%)", default: config.idleStop),
            let limit = GuardLimitText.duration(text)
        {
            settings.idleLimit = limit
        }
        if let text = Prompt.ask("Stop a pod this long after each start, whatever it does", default: config.maxRuntime ?? "0"),
            let limit = GuardLimitText.duration(text)
        {
            settings.maxRuntime = limit
        }
        if let text = Prompt.ask("Stop a pod once it has cost (dollars, storage included)", default: config.budget.map { $0.fixed(2) } ?? "0"),
            let dollars = GuardLimitText.dollars(text)
        {
            settings.budget = dollars
        }
        if let text = Prompt.ask("At a limit: stop (keeps the volume) or terminate (deletes the pod)", default: settings.action.rawValue),
            let action = GuardAction(argument: text)
        {
            settings.action = action
        }
        config.guardSettings = settings
    }

    private func askPodDefaults(_ config: inout AutopodConfig) {
        // The answers read as the flags do.
        if let gpus = Prompt.ask("GPU types, in order of preference", default: config.gpuTypes.joined(separator: ", ")),
            let list = CommaList<String>(argument: gpus)?.values, !list.isEmpty
        {
            config.gpuTypes = list
        }
        if let count = Prompt.ask("GPUs per pod", default: "\(config.gpuCount)").flatMap(Int.init) { config.gpuCount = count }
        if let cloud = Prompt.ask("Cloud (SECURE has public IPs for direct SSH; COMMUNITY, ALL)", default: config.cloudType.rawValue),
            let type = CloudType(argument: cloud)
        {
            config.cloudType = type
        }
        if let region = Prompt.ask("Data centre (e.g. EU-RO-1, or any)", default: config.dataCenterId ?? "any") {
            config.dataCenterId = PodOptions.dataCenter(region)
        }
        if let image = Prompt.ask("Image", default: config.image) { config.image = image }
        if let disk = Prompt.ask("Container disk GB (wiped on stop)", default: "\(config.containerDiskGB)").flatMap(Int.init) {
            config.containerDiskGB = disk
        }
        if let volume = Prompt.ask("Volume GB at \(config.volumeMountPath) (kept on stop, billed while stopped)", default: "\(config.volumeGB)").flatMap(Int.init) {
            config.volumeGB = volume
        }
        if let ports = Prompt.ask("Ports to forward to localhost", default: config.forwards.map(String.init).joined(separator: ",")),
            let list = CommaList<Int>(argument: ports)?.values, !list.isEmpty
        {
            config.forwards = list
        }
    }
}
