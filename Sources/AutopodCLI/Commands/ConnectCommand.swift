import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials
import SSHKit

/// `autopod connect`: from "I want a GPU" to a pod that answers SSH, created exactly once.
struct ConnectCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        _superCommandName: "autopod",
        abstract: "Start a pod on the first GPU type in stock, wait until SSH answers, and open a shell.",
        discussion: """
            GPU types are tried in order (--gpu, else the config's list). A type with no stock is \
            skipped, a type RunPod turns down for capacity is passed over, and you see why for \
            each. Any other error stops without trying further types. Once a pod exists it is in \
            `autopod list`, whatever happens next.

            If the pod is not ready within --wait-timeout, or fails, it is terminated so it does \
            not bill, unless --keep-on-failure is given. Ctrl+C asks whether to terminate or keep \
            the pod (without a terminal it terminates it); a second Ctrl+C quits at once.

            Without a terminal on stdin, give --no-shell: otherwise connect exits with status 2 \
            before creating anything.
            """)

    @OptionGroup var sshOptions: SSHOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    /// The config's pod defaults, overridden for this pod.
    @OptionGroup(title: "Pod options") var podOptions: PodOptions
    /// The config's guard, overridden for this pod.
    @OptionGroup(title: "Spot pods") var spotOptions: SpotOptions
    @Flag(help: "When RunPod preempts the spot pod, recover it (bid resume, else a new spot pod) and open the shell again.")
    var recover = false
    @OptionGroup(title: "Recovery") var recoveryOptions: RecoveryOptions
    @OptionGroup(title: "Guard (stops a pod that is idle, has run too long or spent its budget)") var guardOptions: GuardOptions

    @Option(
        name: .customLong("volume-id"),
        help: ArgumentHelp(
            "Network volume (name or id) to mount as /workspace; the pod goes to the volume's data centre.", valueName: "volume"))
    var volumeID: String?
    @Option(help: "Pod name (default autopod-YYYY-MM-DD-NNN).")
    var name: String?
    @Flag(help: "Show the plan and the price; create nothing.")
    var dryRun = false
    @Flag(help: "Pick the GPU type from a numbered table.")
    var interactive = false
    @Flag(help: "Return once the pod answers SSH, without opening a shell.")
    var noShell = false
    @OptionGroup var waiting: WaitOptions
    @Flag(help: "Keep the pod when it fails to become ready (default: terminate it).")
    var keepOnFailure = false
    @OptionGroup(title: "Waiting for capacity") var stockOptions: StockOptions

    func validate() throws {
        if let name, name.isEmpty || name.contains(where: \.isWhitespace) {
            throw ValidationError("--name must be a word without spaces")
        }
        if let name, TerminalText.hasControls(name) {
            throw ValidationError("--name must not hold control characters (they would reach every terminal that lists the pod)")
        }
        if output.json && !noShell && !dryRun {
            throw ValidationError("--json needs --no-shell (or --dry-run): a shell would mix with the output")
        }
    }

    func applyOverrides(to config: inout AutopodConfig) { podOptions.apply(to: &config) }

    func run(_ context: CommandContext) throws {
        let settings = ConnectSettings(
            waitTimeout: waiting.waitTimeout.duration, keepOnFailure: keepOnFailure, opensShell: !noShell && !dryRun,
            hasTerminal: Prompt.isInteractive)
        // Known before anything is asked of RunPod: a shell without a terminal would fail at the
        // very end, with the pod created and billing.
        do {
            try PodConnector.preflight(settings)
        } catch {
            throw CLIFailure(error.description, exitStatus: 2)
        }
        var options = try launchOptions(context.config)
        if let volumeID {
            let volume = try VolumeLookup.find(volumeID, in: try context.provider.networkVolumes())
            // A network volume is reachable only from its own data centre.
            options.networkVolume = volume
            options.dataCenterId = volume.dataCenterId
            options.volumeGB = 0
        }
        if !dryRun {
            guard let keyPath = context.config.sshKeyPath else {
                throw CLIFailure("no SSH key is configured: run `autopod config init` (it can create one) before `connect`.")
            }
            options.env["PUBLIC_KEY"] = try LaunchOptions.publicKey(forPrivateKey: keyPath)
            options.env[JupyterAccess.variable] = try JupyterAccess.password(paths: context.paths, environment: context.environment)
        }
        let sshOptions = sshOptions
        // The last phase is a full SSH login, host key pinned: a port that merely accepts TCP is
        // not yet a pod the user can get into.
        let connector = PodConnector(provider: context.provider, store: context.store, settings: settings) { record in
            HandshakeProbe(ssh: context.ssh(to: record, options: sshOptions))
        }
        var plan = try connector.plan(options)
        if interactive { plan = try pick(plan, provider: context.provider) }
        if !dryRun && !output.json, let line = Self.bidLine(plan) { StandardStream.error.write(line + "\n") }
        if dryRun {
            // The same check the create makes: a plan that the real run would refuse is no plan.
            if let name {
                let taken = ((try? context.store.load().allNames) ?? []) + ((try? context.provider.listPods()) ?? []).map(\.name)
                if taken.contains(name) { throw CLIFailure(LaunchError.nameTaken(name).description) }
            }
            if output.json {
                JSONOutput.write(json: Self.planJSON(plan))
            } else {
                printPlan(plan)
            }
            return
        }

        let monitor = InterruptMonitor()
        monitor.install()
        let progress = ProgressLine()
        let stockDeadline = Deadline.after(stockOptions.maxWait.duration)
        if stockOptions.waitForStock {
            plan = try stockOptions.waitForStock(plan, connector: connector, deadline: stockDeadline, monitor: monitor)
        }
        var outcome: ConnectOutcome
        while true {
            do {
                outcome = try connector.connect(
                    plan, events: { report($0, monitor: monitor, progress: progress) },
                    decide: { ask($0, monitor: monitor) }, cancelled: { monitor.interrupted })
                break
            } catch LaunchError.interrupted {
                throw CLIFailure("interrupted before any pod was created", exitStatus: 130)
            } catch LaunchError.noCapacity where stockOptions.waitForStock && !stockDeadline.hasPassed {
                // The stock RunPod showed was gone by the create: watch on.
                plan = try stockOptions.waitForStock(plan, connector: connector, deadline: stockDeadline, monitor: monitor)
            }
        }
        let (record, endpoint) = try ready(outcome)
        context.openSSHEntries.refresh(changed: record.id)
        monitor.setNote(nil)
        // The guard goes on the pod over the session the shell then uses.
        let ssh = context.ssh(to: record, options: sshOptions)
        let view = PodView(record: record, remote: nil, now: Date())
        let guardSettings = guardOptions.overrides.applied(to: context.config.guardSettings)
        var session: SSHSession?
        var guardOutcome: WatchdogOutcome?
        do {
            let opened = try ssh.connect()
            session = opened
            guardOutcome = context.enforceGuard(guardSettings, on: view, over: opened)
        } catch {
            StandardStream.error.write(Style.warn("could not reach \(record.name) to start its guard: \(error.description)") + "\n")
        }
        if output.json {
            JSONOutput.write(json: PodJSON(PodView(record: record, remote: nil, now: Date()), endpoint: endpoint).json)
            return
        }

        var panel = Panel(title: Style.ok("✓") + " \(record.name) is ready")
        panel.add("pod id", record.id)
        panel.add("gpu", Format.gpu(record))
        panel.add("price", Format.perHour(record.pricePerHour))
        panel.add("ssh", "\(context.config.sshUser)@\(endpoint.host) -p \(endpoint.port)")
        panel.add("guard", GuardWords.inForce(guardSettings, guardOutcome))
        if let jupyter = jupyterLine(record, forwards: context.config.forwards, context: context) { panel.add("jupyter", jupyter) }
        panel.add("stop billing", "autopod stop \(TerminalText.shellWord(record.name))  (keeps the volume)  ·  autopod kill \(TerminalText.shellWord(record.name))")
        // `-q`: the pod's name and id are in `list`; a script wants `--json`.
        if !Output.quiet { print(panel.render()) }
        if !noShell {
            // The shell takes Ctrl+C from here on (it goes to the remote side in raw mode).
            monitor.uninstall()
            guard recover else {
                throw ExitCode(
                    try ShellSession.run(
                        ssh, forwards: context.config.forwards, session: session, guarding: (context, view),
                        guardInstalled: guardOutcome != nil))
            }
            throw ExitCode(try shellRecovering(record, ssh: ssh, session: session, guardInstalled: guardOutcome != nil, context: context))
        }
    }

    /// The shell, brought back on the recovered pod each time RunPod preempts it (`--recover`).
    private func shellRecovering(
        _ first: PodRecord, ssh firstSSH: PodSSH, session: SSHSession?, guardInstalled: Bool, context: CommandContext
    ) throws -> Int32 {
        var record = first
        var ssh = firstSSH
        var session = session
        var installed = guardInstalled
        let recovery = try recoveryOptions.recovery(context)
        while true {
            do {
                return try ShellSession.run(
                    ssh, forwards: context.config.forwards, session: session,
                    guarding: (context, PodView(record: record, remote: nil, now: Date())), guardInstalled: installed)
            } catch let failure as CLIFailure where failure.exitStatus == SessionLoss.exitStatus {
                guard let pod = try? context.provider.pod(id: record.id), pod.wasOutbid else { throw failure }
                StandardStream.error.write(failure.description + "\n")
                let recovered = try recovery.recover(record) { StandardStream.error.write(RecoveryWords.line($0, podName: record.name) + "\n") }
                context.openSSHEntries.refresh(changed: recovered.id)
                ssh = context.ssh(to: recovered, options: sshOptions)
                let progress = ProgressLine()
                _ = try ReadinessWaiter(provider: context.provider, probe: HandshakeProbe(ssh: ssh)).wait(
                    podId: recovered.id, timeout: waiting.waitTimeout.duration,
                    progress: { phase, elapsed in progress.update("\(recovered.name): \(phase.label)", elapsed: elapsed.seconds) },
                    cancelled: { false })
                progress.finish()
                StandardStream.error.write(Style.ok("✓") + " recovered: a new shell on \(recovered.name)\n")
                record = recovered
                session = nil
                installed = false
            }
        }
    }

    /// Jupyter's URL with its token: on the forwarded port while the shell runs, else through
    /// RunPod's HTTPS proxy when the pod publishes it.
    private func jupyterLine(_ record: PodRecord, forwards: [ConfigForward], context: CommandContext) -> String? {
        let password = context.environment[JupyterAccess.variable].flatMap { $0.isEmpty ? nil : $0 } ?? JupyterAccess.storedPassword(paths: context.paths)
        let port = JupyterAccess.port
        if let local = forwards.first(where: { $0.remotePort == port })?.localPort, !noShell {
            return JupyterAccess.url("http://localhost:\(local)", port: port, password: password) + Style.dim("  (while the shell runs)")
        }
        guard RunPodProxyURL.httpPorts(context.config.ports).contains(port) else { return nil }
        return JupyterAccess.url(RunPodProxyURL.url(podID: record.id, port: port), port: port, password: password)
            + Style.dim("  · `autopod open \(TerminalText.shellWord(record.name))` opens it")
    }

    /// What to launch: `config` is the context's, which has the pod options applied already
    /// (`applyOverrides`), so the shell's forwards follow `--forward` too.
    private func launchOptions(_ config: AutopodConfig) throws -> LaunchOptions {
        var options = LaunchOptions(config: config)
        options.name = name
        options.spot = spotOptions.request
        return options
    }

    /// Shows every type with stock in a numbered table; the user's pick goes first, the rest of
    /// the plan stays behind it as fallbacks.
    private func pick(_ plan: LaunchPlan, provider: any CloudProvider) throws -> LaunchPlan {
        guard Prompt.isInteractive else { throw CLIFailure("--interactive needs a terminal; use --gpu instead") }
        let options = plan.options
        let listed =
            try options.spot == nil
            ? provider.gpuTypes(gpuCount: options.gpuCount, cloud: options.cloud)
            : provider.spotGPUTypes(gpuCount: options.gpuCount, cloud: options.cloud)
        let types = listed.filter { !$0.isOutOfStock }
            .sorted { ($0.pricePerGPU(cloud: options.cloud) ?? 99) < ($1.pricePerGPU(cloud: options.cloud) ?? 99) }
        guard !types.isEmpty else { throw CLIFailure("no GPU type has stock right now; try --cloud ALL or later") }
        print(GpusCommand.table(types, numbered: true).render())
        while true {
            guard let answer = Prompt.ask("GPU number", default: "1") else { throw CLIFailure("no GPU chosen", exitStatus: 130) }
            if let number = Int(answer), types.indices.contains(number - 1) {
                let chosen = types[number - 1]
                var candidates = plan.candidates.filter { $0.type.id != chosen.id }
                let bid = options.spot?.bid(minimum: chosen.minimumBid)
                let perGPU = options.spot == nil ? chosen.pricePerGPU(cloud: options.cloud) : bid
                candidates.insert(
                    LaunchCandidate(type: chosen, pricePerHour: perGPU.map { $0 * Double(options.gpuCount) }, bidPerGpu: bid), at: 0)
                return LaunchPlan(options: options, candidates: candidates)
            }
            print(Style.warn("Type a number from 1 to \(types.count)."))
        }
    }

    private func printPlan(_ plan: LaunchPlan) {
        let options = plan.options
        print(Style.bold("Plan") + Style.dim("  (dry run: nothing is created)"))
        let spot = options.spot != nil
        var columns: [Table.Column] = [.init("#", .right), .init("GPU"), .init("STOCK"), .init("$/HR", .right)]
        if spot { columns += [.init("MIN BID", .right), .init("BID", .right)] }
        var table = Table(columns + [.init("")])
        for (index, candidate) in plan.candidates.enumerated() {
            var row = [
                "\(index + 1)", "\(options.gpuCount > 1 ? "\(options.gpuCount)× " : "")\(candidate.type.displayName)",
                Style.status(candidate.type.stock?.rawValue ?? "?"), Format.perHour(candidate.pricePerHour),
            ]
            if spot { row += [Format.perGPUHour(candidate.type.minimumBid), Format.perGPUHour(candidate.bidPerGpu)] }
            table.add(row + [candidate.type.isOutOfStock ? Style.dim("skipped: no stock") : ""])
        }
        print(table.render())
        if let line = Self.bidLine(plan) { print(line) }
        var panel = Panel(title: "Pod")
        panel.add("image", options.image)
        panel.add("cloud", options.cloud.rawValue + (options.dataCenterId.map { " in \($0)" } ?? ""))
        panel.add("container disk", "\(options.containerDiskGB) GB (wiped on stop)")
        if let volume = options.networkVolume {
            panel.add(
                "volume",
                "network volume \(volume.name.terminalSafe) (\(volume.sizeGB) GB) at \(options.volumeMountPath), "
                    + "\(Format.dollars(volume.monthlyCost))/month whatever the pod does")
            panel.add(
                "placement",
                "only in \(volume.dataCenterId.terminalSafe), the volume's data centre: "
                    + "GPU types fall back only among those available there")
        } else {
            panel.add("volume", "\(options.volumeGB) GB at \(options.volumeMountPath) (kept on stop)")
        }
        panel.add("ports", options.ports)
        if let price = plan.expectedPricePerHour {
            panel.add("estimate", "\(Format.perHour(price)) · \(Format.dollars(price * 24))/day")
        } else {
            panel.add("estimate", Style.warn("no type in the list has stock now"))
        }
        print(panel.render())
    }

    /// Before a spot create: what is bid and why, and what spot means.
    static func bidLine(_ plan: LaunchPlan) -> String? {
        guard let spot = plan.options.spot,
            let first = plan.candidates.first(where: { !$0.type.isOutOfStock && $0.bidPerGpu != nil }),
            let bid = first.bidPerGpu
        else { return nil }
        let basis =
            spot.fixed != nil
            ? "your bid" + (first.type.minimumBid.map { "; the minimum now is \(Format.perGPUHour($0))" } ?? "")
            : "the minimum now, \(Format.perGPUHour(first.type.minimumBid)), plus 10%"
        return "spot: bidding \(Format.perGPUHour(bid)) on \(first.type.displayName) (\(basis)). "
            + "RunPod takes a spot pod back when someone outbids it: the container disk is lost, the volume is kept."
    }

    /// `connect --dry-run --json`: the plan, for scripts. What is not known is left out.
    static func planJSON(_ plan: LaunchPlan) -> JSONValue {
        let options = plan.options
        var fields: [String: JSONValue] = [
            "candidates": .array(
                plan.candidates.map { candidate in
                    var fields: [String: JSONValue] = ["id": .string(candidate.type.id), "displayName": .string(candidate.type.displayName)]
                    fields["stockStatus"] = candidate.type.stock.map { .string($0.rawValue) }
                    fields["pricePerHour"] = candidate.pricePerHour.map(JSONValue.number)
                    fields["minimumBid"] = candidate.type.minimumBid.map(JSONValue.number)
                    fields["bidPerGpu"] = candidate.bidPerGpu.map(JSONValue.number)
                    return .object(fields)
                }),
            "gpuCount": .number(Double(options.gpuCount)), "cloudType": .string(options.cloud.rawValue), "image": .string(options.image),
            "containerDiskGB": .number(Double(options.containerDiskGB)), "volumeGB": .number(Double(options.volumeGB)),
            "ports": .string(options.ports),
        ]
        fields["dataCenterId"] = options.dataCenterId.map(JSONValue.string)
        fields["networkVolumeId"] = options.networkVolume.map { .string($0.id) }
        fields["estimatedPerHour"] = plan.expectedPricePerHour.map(JSONValue.number)
        // To the hundredth of a cent: 0.4 × 24 is 9.600000000000001 in binary floating point.
        fields["estimatedPerDay"] = plan.expectedPricePerHour.map { .number(($0 * 24 * 10000).rounded() / 10000) }
        return .object(fields)
    }

    /// One line per step of the fallback, so the user sees why each type was passed over, and a
    /// status line while the pod starts.
    private func report(_ event: ConnectEvent, monitor: InterruptMonitor, progress: ProgressLine) {
        func say(_ text: String) { if !Output.quiet { StandardStream.error.write((text + "\n")) } }
        switch event {
        case .launch(let step): report(step, monitor: monitor)
        case .waiting(let name, let phase, let elapsed):
            progress.update("\(name): \(phase.label)", elapsed: elapsed.seconds)
        case .waitEnded: progress.finish()
        case .terminating(let name, _): say(Style.dim("terminating \(name)..."))
        }
    }

    private func report(_ event: LaunchEvent, monitor: InterruptMonitor) {
        /// Progress; `-q` leaves it out.
        func say(_ text: String) { if !Output.quiet { StandardStream.error.write((text + "\n")) } }
        /// Something the user should know even with `-q`.
        func warn(_ text: String) { StandardStream.error.write((text + "\n")) }
        switch event {
        case .reservedName(let name):
            monitor.setNote("If \(name) was created, it is recorded: `autopod list` shows it and `autopod kill \(TerminalText.shellWord(name))` ends it.")
        case .skipped(let type, let reason): say(Style.dim("- \(type.displayName): skipped, \(reason)"))
        case .trying(let type, let price): say("→ \(type.displayName): creating (\(Format.perHour(price)))")
        case .passedOver(let type, let reason): warn(Style.warn("- \(type.displayName): \(reason); trying the next type"))
        case .outcomeUnknown(let name, let reason):
            warn(Style.warn("! no confirmation from RunPod (\(reason)); checking whether \(name) exists before doing anything else"))
        case .lookingUp(let name, let attempt, let total): say(Style.dim("  looking for \(name) (\(attempt)/\(total))"))
        case .created(let record):
            monitor.setNote("\(record.name) (\(record.id)) is still running and recorded: `autopod kill \(TerminalText.shellWord(record.name))` ends it.")
            say(Style.ok("✓") + " created \(record.name) (\(record.id)) on \(Format.gpu(record)), \(Format.perHour(record.pricePerHour))")
        case .reservationResolved(.released(let name, let reservedAt)):
            warn(
                Style.warn(
                    "! an earlier connect reserved \(name) at \(Format.date(reservedAt)) but RunPod never confirmed that create, "
                        + "and your account has no pod of that name: the name is free again"))
        case .reservationResolved(.adopted(let record)):
            warn(
                Style.warn(
                    "! an earlier connect did create \(record.name) (\(record.id)), though RunPod's reply was lost: it is recorded now "
                        + "(`autopod list` shows it, `autopod kill \(TerminalText.shellWord(record.name))` ends it)"))
        }
    }

    /// Ctrl+C on a terminal asks; everything else (SIGTERM, SIGHUP, no terminal, a failed wait)
    /// is left to the connector's rule.
    private func ask(_ question: ConnectQuestion, monitor: InterruptMonitor) -> ConnectChoice? {
        guard case .interrupted(let record) = question, monitor.byUser, Prompt.isInteractive else { return nil }
        let answer = Prompt.ask(
            "\nInterrupted. Terminate \(record.name) to stop billing (t), or keep it running (k)?", default: "t")
        return (answer ?? "t").lowercased().hasPrefix("k") ? .keep : .terminate
    }

    /// The ready pod, or the failure that says what became of it.
    private func ready(_ outcome: ConnectOutcome) throws -> (PodRecord, PodEndpoint) {
        switch outcome {
        case .ready(let record, let endpoint):
            return (record, endpoint)
        case .interrupted(let record, let disposition):
            switch disposition {
            case .kept:
                throw CLIFailure("interrupted: \(record.name) keeps running and billing; `autopod kill \(TerminalText.shellWord(record.name))` ends it", exitStatus: 130)
            case .stillBilling(let error):
                throw CLIFailure(Self.stillBilling(record.name, after: "interrupted", error))
            case .terminated, .gone:
                throw CLIFailure("interrupted: \(record.name) was terminated", exitStatus: 130)
            }
        case .notReady(let record, let error, let disposition):
            switch disposition {
            case .kept:
                throw CLIFailure(
                    "\(error.description)\n\(record.name) is kept (--keep-on-failure): `autopod info \(TerminalText.shellWord(record.name))`, and `autopod kill \(TerminalText.shellWord(record.name))` to stop the bill."
                )
            case .stillBilling(let killError):
                throw CLIFailure(Self.stillBilling(record.name, after: error.description, killError))
            case .gone:
                throw CLIFailure(error.description)
            case .terminated:
                throw CLIFailure("\(error.description)\n\(record.name) was terminated so it does not bill (use --keep-on-failure to keep it for debugging).")
            }
        case .unrecorded(let id, let name, let reason, let disposition):
            if case .stillBilling(let killError) = disposition {
                throw CLIFailure(Self.stillBilling(name, after: LaunchError.unrecorded(id: id, name: name, reason: reason).description, killError))
            }
            throw CLIFailure("\(name) (\(id)) was created but could not be recorded (\(reason)), so it was terminated. Fix that and run `autopod connect` again.")
        }
    }

    /// A terminate that failed every attempt: said in red, with the command that ends the bill.
    static func stillBilling(_ name: String, after what: String, _ error: ProviderError) -> String {
        "\(what)\n"
            + Style.bad(
                "Terminating \(name) failed (\(error.description)): \(name) is still running and billing. "
                    + "Run `autopod kill \(TerminalText.shellWord(name))` to stop it.")
    }
}
