import AutopodSupport
import AutopodCore
import FoundationEssentials

// The wizard's questions. Enter keeps what is saved (or the default) everywhere; an answer that
// cannot be used is refused with the reason and the question asked again.
extension ConfigInit {
    /// Asks for the API key. A refused key is never saved: Enter then keeps the saved one.
    func askAPIKey(_ config: inout AutopodConfig, environment: Environment) {
        let saved = config.apiKey
        var refused = false
        while true {
            let question =
                refused
                ? "Try again" + (saved == nil ? " (Enter to skip)" : " (Enter keeps the saved key \(AutopodConfig.mask(saved)))")
                : "RunPod API key" + (saved.map { " [\(AutopodConfig.mask($0))]" } ?? "")
            let typed = Prompt.secret(question)?.trimmingSpaces() ?? ""
            if typed.isEmpty {
                config.apiKey = saved
                guard let saved else {
                    print(Style.warn("No key set; autopod cannot reach RunPod until you add one (or set RUNPOD_API_KEY)."))
                    return
                }
                if refused {
                    print("  kept the saved key")
                } else if checkKey(saved, config: config, environment: environment, interactive: true) == .refused {
                    print("  the saved key is kept; run `autopod config init` again to replace it")
                }
                return
            }
            LogSetup.redactor.add(secret: typed)
            if checkKey(typed, config: config, environment: environment, interactive: true) != .refused {
                config.apiKey = typed
                return
            }
            refused = true
        }
    }

    /// Asks which SSH key to use. Returns the key it replaced when a new key was made.
    func askSSHKey(_ config: inout AutopodConfig) throws -> String? {
        let keys = SSHKeyFinder().discover()
        for key in keys where !key.isUsable {
            print(Style.dim("  \(key.path): \(key.kind.rawValue) key, not usable. ") + (key.kind == .rsa ? DiscoveredKey.rsaExplanation : ""))
        }
        let usable = keys.filter(\.isUsable)
        if createSSHKey || (usable.isEmpty && config.sshKeyPath == nil && Prompt.confirm("No ed25519 or ECDSA key found. Create one now?", default: true)) {
            return try switchToNewKey(&config)
        }
        for (index, key) in usable.enumerated() { print("  \(index + 1). \(key.path) (\(key.kind.rawValue))") }
        let fallback = config.sshKeyPath ?? usable.first?.path
        enum Choice {
            case new
            case path(String)
        }
        let choice = Prompt.ask("SSH key: a number above, a path, or 'new' to create one", default: fallback) { answer -> Result<Choice, PromptRefusal> in
            if answer == "new" { return .success(.new) }
            if let number = Int(answer) {
                guard usable.indices.contains(number - 1) else { return .failure(PromptRefusal("\(number) is not one of the keys listed")) }
                return .success(.path(usable[number - 1].path))
            }
            let path = AutopodPaths.expandTilde(answer)
            if let problem = SettingChecker.sshKeyProblem(path) { return .failure(PromptRefusal(problem)) }
            return .success(.path(path))
        }
        switch choice {
        case .new?: return try switchToNewKey(&config)
        case .path(let path)?: config.sshKeyPath = path
        case nil: config.sshKeyPath = fallback
        }
        return nil
    }

    /// Offers to add the chosen key to the RunPod account, so pods started outside autopod (and
    /// RunPod's own SSH proxy) accept it too. autopod's own pods get it either way.
    func offerToRegister(_ config: AutopodConfig, environment: Environment) {
        guard let keyPath = config.sshKeyPath, let line = OpenSSHKeyFile.publicKeyLine(forPrivateKeyAt: keyPath),
            let apiKey = config.effectiveAPIKey(environment: environment)
        else { return }
        do {
            let account = try CommandContext.makeProvider(config: config, apiKey: apiKey, environment: environment)
            let blob = line.split(separator: " ").dropFirst().first.map(String.init) ?? line
            if try account.publicKeys().contains(where: { $0.contains(blob) }) {
                print(Style.ok("✓") + " \(keyPath).pub is already on your RunPod account")
                return
            }
            guard Prompt.confirm("Add \(keyPath).pub to your RunPod account's SSH keys?", default: true) else { return }
            _ = try account.registerPublicKey(line)
            print(Style.ok("✓") + " added to your RunPod account (pods started from now on accept it)")
        } catch {
            print(Style.warn("!") + " could not check the account's SSH keys (\(error)); autopod passes the key to its pods anyway")
        }
    }

    /// The pod defaults, each read as its flag reads it and checked where it is given.
    /// `only`: ask just these settings (a repair); nil asks them all.
    func askPodDefaults(_ config: inout AutopodConfig, environment: Environment, only: Set<String>? = nil) {
        func wanted(_ field: String) -> Bool { only?.contains(field) ?? true }
        let checker = SettingChecker(config: config, environment: environment)
        if wanted("gpuTypes") {
            let saved = config.gpuTypes
            let shown = saved.joined(separator: ", ")
            let (count, cloud) = (config.gpuCount, config.cloudType)
            config.gpuTypes =
                Prompt.ask("GPU types, in order of preference", default: shown) { answer -> Result<[String], PromptRefusal> in
                    guard let names = CommaList<String>(argument: answer)?.values, !names.isEmpty else {
                        return .failure(PromptRefusal("give GPU names separated by commas, such as A40, 4090"))
                    }
                    if answer == shown && only == nil { return .success(saved) }
                    return checker.gpuTypes(names, gpuCount: count, cloud: cloud).resolved()
                } ?? saved
        }
        if wanted("gpuCount") {
            config.gpuCount =
                Prompt.ask("GPUs per pod", default: "\(config.gpuCount)") { Self.number($0, in: AutopodConfig.gpuCountRange) } ?? config.gpuCount
        }
        if wanted("cloudType") {
            config.cloudType =
                Prompt.ask("Cloud (SECURE has public IPs for direct SSH; COMMUNITY, ALL)", default: config.cloudType.rawValue) { answer in
                    CloudType(argument: answer).map { .success($0) } ?? .failure(PromptRefusal("\"\(answer)\" is not SECURE, COMMUNITY or ALL"))
                } ?? config.cloudType
        }
        if wanted("dataCenterId") {
            let saved = config.dataCenterId
            config.dataCenterId =
                Prompt.ask("Data centre (e.g. EU-RO-1, or any)", default: saved ?? "any") { answer -> Result<String?, PromptRefusal> in
                    guard let id = PodOptions.dataCenter(answer) else { return .success(nil) }
                    if id.contains(where: \.isWhitespace) { return .failure(PromptRefusal("a data centre id has no spaces")) }
                    if id == saved && only == nil { return .success(id) }
                    return checker.region(id).resolved().map(Optional.some)
                } ?? saved
        }
        if wanted("image") {
            config.image =
                Prompt.ask("Image", default: config.image) { answer in
                    answer.contains(where: \.isWhitespace) ? .failure(PromptRefusal("an image name has no spaces")) : .success(answer)
                } ?? config.image
        }
        if wanted("containerDiskGB") {
            config.containerDiskGB =
                Prompt.ask("Container disk GB (wiped on stop)", default: "\(config.containerDiskGB)") {
                    Self.number($0, in: AutopodConfig.containerDiskRange)
                } ?? config.containerDiskGB
        }
        if wanted("volumeGB") {
            config.volumeGB =
                Prompt.ask("Volume GB at \(config.volumeMountPath) (kept on stop, billed while stopped)", default: "\(config.volumeGB)") {
                    Self.number($0, in: AutopodConfig.volumeRange)
                } ?? config.volumeGB
        }
        // The exposed ports are a flag (--port) rather than a question; a repair asks for them.
        if only?.contains("ports") ?? false {
            config.ports =
                Prompt.ask("Ports the pod exposes (PORT/http or PORT/tcp, 22/tcp among them)", default: config.ports) { answer in
                    switch PortSpec.parseList(answer) {
                    case .failure(let problem): return .failure(PromptRefusal(problem.description))
                    case .success(let specs) where !specs.contains(.ssh): return .failure(PromptRefusal("the list must include 22/tcp"))
                    case .success(let specs): return .success(PortSpec.list(specs))
                    }
                } ?? config.ports
        }
        if wanted("forwards") {
            config.forwards =
                Prompt.ask("Ports to forward to localhost", default: config.forwards.map(\.description).joined(separator: ",")) { answer in
                    guard let ports = CommaList<ConfigForward>(argument: answer)?.values, !ports.isEmpty else {
                        return .failure(PromptRefusal("give ports separated by commas, such as 8888,6006 (LOCAL:REMOTE for another local port)"))
                    }
                    if let bad = ports.first(where: { !$0.isValid }) { return .failure(PromptRefusal("\(bad) is not a port number (1 to 65535)")) }
                    return .success(ports)
                } ?? config.forwards
        }
    }

    /// A whole number within `range`, or why the answer is not one.
    static func number(_ answer: String, in range: ClosedRange<Int>) -> Result<Int, PromptRefusal> {
        guard let value = Int(answer) else { return .failure(PromptRefusal("\"\(answer)\" is not a whole number")) }
        guard range.contains(value) else {
            return .failure(PromptRefusal("\(value) is outside \(range.lowerBound) to \(range.upperBound)"))
        }
        return .success(value)
    }

    /// Asks only for the settings a broken file got wrong, keeping the rest. Settings without a
    /// question go back to their defaults. Returns the key a new key replaced, if any.
    func repair(_ config: inout AutopodConfig, issues: [ConfigIssue], environment: Environment) throws -> String? {
        let fields = Set(issues.map(\.field))
        print("Replace \(fields.count == 1 ? "it" : "them") below; the other settings are kept.")
        var previousKey: String?
        if fields.contains("apiKey") { askAPIKey(&config, environment: environment) }
        if fields.contains("sshKeyPath") { previousKey = try askSSHKey(&config) }
        askPodDefaults(&config, environment: environment, only: fields)
        askGuardDefaults(&config, only: fields)
        let asked = Self.guardFields.union([
            "apiKey", "sshKeyPath", "gpuTypes", "gpuCount", "cloudType", "dataCenterId", "image", "containerDiskGB", "volumeGB", "ports",
            "forwards",
        ])
        for field in fields.subtracting(asked).sorted() {
            print(Style.dim("  \(field): ") + (ConfigParser.isKnownField(field) ? "back to its default" : "unknown setting, dropped"))
        }
        return previousKey
    }
}
