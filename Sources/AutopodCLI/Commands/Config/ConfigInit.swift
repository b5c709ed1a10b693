import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod config init`: the set-up wizard. Every question has a flag, so
/// `--non-interactive` can set everything from a script.
struct ConfigInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        _superCommandName: "autopod config",
        abstract: "Set up autopod: API key, SSH key, GPU preference and pod defaults.",
        discussion: """
            Asks one question at a time, with the saved value or the default in brackets: \
            press Enter to keep it. The API key is typed without echo and checked with RunPod; \
            GPU and region names are checked against RunPod's lists. A config file with bad \
            settings is repaired: only those are asked for, the rest is kept. \
            With --non-interactive nothing is asked: flags, then the existing file, then defaults; \
            a flag with a bad value exits 2, a key RunPod refuses exits 1, and the file is left as it was.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        help: ArgumentHelp(
            "RunPod API key, or - to read it from stdin (safer than the key itself: any user's ps shows arguments).",
            valueName: "key|-"))
    var apiKey: String?
    @Option(help: ArgumentHelp("Read the RunPod API key from this file (its first line).", valueName: "path"))
    var apiKeyFile: String?
    @Option(name: .customLong("ssh-key"), help: "Private SSH key to use (ed25519 or ECDSA).")
    var sshKey: String?
    @Flag(help: "Create a new ed25519 key pair for autopod in ~/.ssh (the previous key is kept for pods that know only it).")
    var createSSHKey = false
    @OptionGroup(title: "Pod defaults") var podOptions: PodOptions
    @OptionGroup(title: "Guard defaults (what stops a pod by itself)") var guardOptions: GuardOptions
    @Option(help: "RunPod's API: auto (REST v2, GraphQL where v2 lacks something), rest, or graphql.")
    var api: CloudAPIChoice?
    @Flag(help: "Ask nothing: use the flags, the existing file and the defaults.")
    var nonInteractive = false

    func run() throws {
        global.bootstrap()
        let environment = Environment.process
        let store = ConfigStore(paths: global.paths)
        // Another user's home (or one they can write in) is refused before its config is read.
        try global.paths.checkHome()
        let interactive = !nonInteractive && Prompt.isInteractive
        if !nonInteractive && !interactive {
            throw CLIFailure("stdin is not a terminal: pass --non-interactive with flags to configure from a script")
        }
        // A file that is not JSON is reported and left alone (this throws); one with settings
        // that cannot be used comes back with those at their defaults and listed, to be replaced.
        var (config, issues) = try store.loadForRepair(environment: environment)
        let givenKey = try APIKeyInput(option: apiKey, file: apiKeyFile).value()
        if let givenKey { config.apiKey = givenKey }
        try applyFlags(to: &config, environment: environment)
        var answered = podOptions.fieldsGiven.union(guardOptions.fieldsGiven)
        if givenKey != nil { answered.insert("apiKey") }
        if sshKey != nil || createSSHKey { answered.insert("sshKeyPath") }
        issues.removeAll { answered.contains($0.field) }
        if !issues.isEmpty {
            print(Style.warn("\(store.paths.config.path) has \(issues.count) setting\(issues.count == 1 ? "" : "s") autopod cannot use:"))
            for issue in issues { print("  - \(issue)") }
            guard interactive else {
                throw CLIFailure(
                    "\(store.paths.config.path) is left as it was. Give a flag for each setting above (e.g. --gpu-count 2), "
                        + "or run `autopod config init` in a terminal to replace just those; the other settings are kept.")
            }
        }

        var previousKey: String?
        if interactive {
            print(Style.bold("autopod set-up") + Style.dim("  (Enter keeps the value in brackets)"))
            if issues.isEmpty {
                askAPIKey(&config, environment: environment)
                previousKey = try askSSHKey(&config)
                offerToRegister(config, environment: environment)
                askPodDefaults(&config, environment: environment)
                askGuardDefaults(&config)
            } else {
                previousKey = try repair(&config, issues: issues, environment: environment)
            }
        } else {
            if let key = config.apiKey, checkKey(key, config: config, environment: environment, interactive: false) == .refused,
                givenKey != nil
            {
                throw CLIFailure("RunPod refused the key given with \(apiKeyFile != nil ? "--api-key-file" : "--api-key"); \(store.paths.config.path) is left as it was.")
            }
            if createSSHKey { previousKey = try switchToNewKey(&config) }
        }
        try store.save(config)
        Output.done("Saved \(store.paths.config.path)")
        if config.sshKeyPath == nil {
            print(Style.warn("No usable SSH key is set: run `autopod config init --create-ssh-key` before `connect`."))
        }
        if let previousKey, let newKey = config.sshKeyPath {
            offerNewKeyToRunningPods(newKey: newKey, previousKey: previousKey, interactive: interactive)
        }
    }

    /// Puts the flags into `config`, each checked where it is given: a bad one exits 2 with the
    /// reason, naming the flag.
    private func applyFlags(to config: inout AutopodConfig, environment: Environment) throws {
        if let sshKey {
            let path = AutopodPaths.expandTilde(sshKey)
            if let problem = SettingChecker.sshKeyProblem(path) { throw CLIFailure("--ssh-key: \(problem)", exitStatus: 2) }
            config.sshKeyPath = path
        }
        podOptions.apply(to: &config)
        config.guardSettings = guardOptions.overrides.applied(to: config.guardSettings)
        if let api { config.api = api }
        let checker = SettingChecker(config: config, environment: environment)
        if !podOptions.gpus.flattened().isEmpty {
            switch checker.gpuTypes(config.gpuTypes, gpuCount: config.gpuCount, cloud: config.cloudType).resolved("--gpu names") {
            case .success(let ids): config.gpuTypes = ids
            case .failure(let refusal): throw CLIFailure("--gpu: \(refusal.reason)", exitStatus: 2)
            }
        }
        if podOptions.region != nil, let region = config.dataCenterId {
            switch checker.region(region).resolved("--region") {
            case .success(let id): config.dataCenterId = id
            case .failure(let refusal): throw CLIFailure("--region: \(refusal.reason)", exitStatus: 2)
            }
        }
    }

    /// What RunPod said about a key.
    enum KeyCheck { case accepted, refused, unchecked }

    /// Checks the key with a live call.
    @discardableResult
    func checkKey(_ key: String, config: AutopodConfig, environment: Environment, interactive: Bool) -> KeyCheck {
        LogSetup.redactor.add(secret: key)
        let provider: any CloudProvider
        do {
            provider = try CommandContext.makeProvider(config: config, apiKey: key, environment: environment, timeout: .seconds(10))
        } catch {
            print(Style.warn("!") + " could not check the key now (\(error)); it is saved unchecked")
            return .unchecked
        }
        do throws(ProviderError) {
            let id = try provider.authenticate()
            print(Style.ok("✓") + " key accepted by RunPod" + (id.map { " (account \($0))" } ?? ""))
            return .accepted
        } catch .unauthorized {
            print(Style.bad("✗") + " RunPod refused this key.")
            return .refused
        } catch {
            print(Style.warn("!") + " could not check the key now (\(error)); it is saved unchecked")
            return .unchecked
        }
    }

    /// Creates `~/.ssh/id_ed25519`, or `~/.ssh/autopod_ed25519` (then `autopod_ed25519_2`, ...)
    /// when that name is taken: an existing key is never overwritten.
    func createKey() throws -> String {
        let ssh = AutopodPaths.userHome().appendingPathComponent(".ssh")
        let names = ["id_ed25519", "autopod_ed25519"] + (2...99).map { "autopod_ed25519_\($0)" }
        guard let path = names.map({ ssh.appendingPathComponent($0).path }).first(where: { !FileManager.default.fileExists(atPath: $0) })
        else { throw CLIFailure("\(ssh.path) has no free name for a new key (autopod_ed25519_2 ... _99 are taken)") }
        let host = ProcessInfo.processInfo.hostName
        let key = try OpenSSHKeyFile.generateEd25519(comment: "autopod@\(host)")
        try OpenSSHKeyFile.write(key, to: path)
        print(Style.ok("✓") + " created \(path) (ed25519); public key in \(path).pub")
        print("  Add it to RunPod (Settings → SSH Public Keys), or let `autopod connect` pass it to new pods.")
        return path
    }
}
