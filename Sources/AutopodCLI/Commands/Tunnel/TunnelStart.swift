import AutopodSupport
import ArgumentParser
import AutopodCore
import Dispatch
import FoundationEssentials
import SSHKit

/// `autopod tunnel POD PORT[:REMOTE_PORT]...`: local forwards to a pod that reconnect by
/// themselves, in the foreground or (`--detach`) in the background.
struct TunnelStart: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        _superCommandName: "autopod tunnel",
        abstract: "Forward local ports to a pod, reconnecting whenever the link drops.",
        discussion: """
            Each PORT forwards localhost:PORT to port PORT on the pod; LOCAL:REMOTE picks another \
            remote port; without ports the configured forwards (config `forwards`) are used, each \
            moved to the next free local port if its own is taken. While the pod's tunnel runs, \
            `autopod tunnel POD PORT` adds ports to it and `autopod tunnel stop POD PORT` removes \
            them. Forwards listen on 127.0.0.1: any user of this machine can reach them. The local ports stay bound while the SSH session is re-made, so clients \
            simply connect again after a drop, a sshd restart, or a stop and start of the pod. \
            Ctrl+C stops the tunnel. With --detach it runs in the background, logging to \
            AUTOPOD_HOME/tunnels/<pod-id>.log; see `autopod tunnel list` and `autopod tunnel stop`.
            """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var pod: RequiredPodArgument

    @Argument(
        help: ArgumentHelp(
            "PORT or LOCAL_PORT:REMOTE_PORT (ports 1-65535), e.g. 8888 6006:6006; none for the configured forwards.", valueName: "port"))
    var ports: [ForwardSpec] = []

    @Flag(help: "Run in the background; returns once the local ports are listening.")
    var detach = false

    @Option(
        help: ArgumentHelp(
            "Memory for data on its way to local clients, all connections together (default 64M).",
            discussion:
                "A connection's window grows, and it may run ahead of its reader, only while its reader keeps up and only within this budget; a client that stops reading holds what it was granted and no more.",
            valueName: "size"))
    var memoryBudget: ByteSize?

    @OptionGroup var sshOptions: SSHOptions

    @Flag(help: "When RunPod preempts the spot pod, recover it (bid resume, else a new spot pod) and carry on.")
    var recover = false
    @OptionGroup(title: "Recovery") var recovery: RecoveryOptions

    /// Set on the background copy that --detach starts.
    @Flag(help: .hidden)
    var detachedChild = false

    func validate() throws {
        let locals = ports.map(\.localPort)
        if Set(locals).count != locals.count {
            throw ValidationError("a local port is listed twice: \(ports.map(\.defaultValueDescription).joined(separator: " "))")
        }
        if let memoryBudget, memoryBudget.bytes < Self.smallestBudget.bytes {
            throw ValidationError("--memory-budget \(memoryBudget) is too small to carry data; give at least \(Self.smallestBudget) (e.g. 16M)")
        }
    }

    /// Below this a single connection could hardly move data at all.
    static let smallestBudget = ByteSize(bytes: 1 << 20)

    /// The status lines report every event; the log file keeps the details (`-v` shows them).
    var statusDisplay: Bool { true }

    /// What to forward: the ports given (never moved), or else the configured forwards.
    private func wanted(_ config: AutopodConfig) -> [TunnelRequest.Add] {
        if !ports.isEmpty { return ports.map { TunnelRequest.Add(localPort: $0.localPort, remotePort: $0.remotePort, flexible: false) } }
        return config.forwards.map { TunnelRequest.Add(localPort: $0.localPort, remotePort: $0.remotePort, flexible: true) }
    }

    func run(_ context: CommandContext) throws {
        let adds = wanted(context.config)
        if adds.isEmpty {
            throw CLIFailure(
                "no ports to forward: give some (e.g. `autopod tunnel \(pod.reference) 8888`) or configure them with `autopod config init --forward 8888`")
        }
        let view = try context.pod(pod.reference)
        let record = view.record
        if view.status == .terminated {
            throw CLIFailure("\(record.name) has been terminated; there is nothing to tunnel to")
        }
        let registry = TunnelRegistry(paths: context.paths)
        if let existing = registry.running(podID: record.id), existing.pid != getpid() {
            if detachedChild {
                throw CLIFailure("a tunnel to \(record.name) is already running (pid \(existing.pid), ports \(existing.portsText))")
            }
            try join(existing, adds: adds, registry: registry)
            return
        }
        if detach && !detachedChild {
            try TunnelDetacher(registry: registry, podID: record.id, podName: record.name).launch(arguments: childArguments(podID: record.id))
            return
        }

        guard let firstClaim = try registry.claim(podID: record.id) else {
            throw CLIFailure(
                "a tunnel to \(record.name) is already starting or running; `autopod tunnel list` shows it, "
                    + "`autopod tunnel stop \(TerminalText.shellWord(record.name))` ends it")
        }
        // Marks this process as the pod's tunnel while it runs; a spot recovery moves it to the new pod.
        let claim = LockedValue<FileLock?>(firstClaim)
        defer { withExtendedLifetime(claim) {} }

        let forwarder: PortForwarder
        do {
            var configuration = PortForwarder.Configuration()
            // A person is waiting on the other end of a tunnel: retry sooner than the default.
            configuration.maxBackoff = .seconds(10)
            if let memoryBudget { configuration.memoryBudget = memoryBudget.bytes }
            forwarder = try PortForwarder([], configuration: configuration)
        } catch {
            throw CLIFailure(error.userMessage)
        }
        let binder = LocalForwards(registry: registry, podID: record.id, selfPID: getpid())
        var notes: [String] = []
        for add in adds {
            let forward = ConfigForward(localPort: add.localPort, remotePort: add.remotePort)
            switch binder.bind(forward, flexible: add.flexible, podName: record.name.terminalSafe, onto: forwarder) {
            case .bound(_, let note): if let note { notes.append(note) }
            case .alreadyForwarded(let note): notes.append(note)
            case .failed(let reason):
                // A port the user named is what they asked for: no tunnel without it.
                if !add.flexible { throw CLIFailure(reason) }
                notes.append("not forwarding port \(add.remotePort): \(reason)")
            }
        }
        if forwarder.specs.isEmpty { throw CLIFailure("none of the ports could be forwarded: \(notes.joined(separator: "; "))") }
        let forwards = zip(forwarder.specs, forwarder.boundPorts).map { TunnelRecord.Forward(localPort: $1, remotePort: $0.remotePort) }
        var state = TunnelRecord(
            podID: record.id, podName: record.name, pid: getpid(), detached: detachedChild, forwards: forwards,
            logPath: detachedChild ? registry.logFile(podID: record.id).path : nil)
        state.notes = notes.isEmpty ? nil : notes
        let status = TunnelStatus(
            podName: record.name, record: state, registry: registry, isTerminal: !detachedChild && isatty(STDERR_FILENO) == 1,
            quiet: Output.quiet && !detachedChild)
        for note in notes { status.say(note) }
        // Other autopod processes may ask this tunnel for more ports (or fewer) once it is published.
        let control = TunnelControlServer(registry: registry, podID: record.id, podName: record.name.terminalSafe, forwarder: forwarder, status: status)
        control.install()
        defer { control.cancel() }
        // Published as soon as the ports are bound: the --detach parent waits for exactly this.
        status.refresh(stats: forwarder.stats(), force: true)
        // The pod's id now: a spot recovery may have moved the tunnel to a new pod.
        defer { registry.remove(podID: status.snapshot.podID, pid: getpid()) }

        // The passphrase of an encrypted key is asked on the terminal (never in the background).
        var ssh = context.ssh(to: record, options: sshOptions)
        ssh.notice = { status.say($0) }

        let signals = TunnelSignals(forwarder: forwarder) { signal in
            // Still connecting after the grace period: leave without waiting for the timeout.
            registry.remove(podID: status.snapshot.podID, pid: getpid())
            StandardStream.error.write("tunnel stopped (signal \(signal)) while connecting; the local ports are closed\n")
            Libc.exit(signal == SIGINT ? 130 : 0)
        }
        signals.install()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { status.refresh(stats: forwarder.stats()) }
        timer.resume()
        defer { timer.cancel() }

        // The pod's guard: installed at every (re)connect, watched from here meanwhile.
        let podGuard = TunnelGuard(context: context, ssh: ssh) { status.say($0) }
        podGuard.watch(view) { forwarder.stop() }
        defer { podGuard.stop() }

        let sshOptions = sshOptions
        let endpointSource = TunnelRecovery(
            ssh: ssh, recovery: recover ? try recovery.recovery(context) : nil,
            makeSSH: { record in
                context.openSSHEntries.refresh(changed: record.id)
                var next = context.ssh(to: record, options: sshOptions)
                next.notice = { status.say($0) }
                return next
            }, say: { status.say($0) },
            moved: { ssh in
                if let next = try? registry.claim(podID: ssh.podID) { claim.set(next) }
                status.follow(podID: ssh.podID, podName: ssh.podName)
                control.follow(podID: ssh.podID, podName: ssh.podName.terminalSafe)
                podGuard.follow(ssh)
            })
        var startupReleased = false
        do {
            try forwarder.run(
                resolveEndpoint: { () throws(SSHError) -> SSHEndpoint in try endpointSource.endpoint() },
                credentials: ssh.credentials, passphrase: ssh.passphrase, options: ssh.options,
                verifyHostKey: { (endpoint, key) throws(SSHError) in try endpointSource.verifyHostKey(endpoint, key) },
                events: { event in
                    status.handle(event)
                    if case .connected = event { podGuard.connected() }
                    // Up for the first time: start-up code will not run again, so its pages can go.
                    if case .connected = event, !startupReleased {
                        startupReleased = true
                        StartupPages.release()
                    }
                })
        } catch {
            status.markStopped()
            status.refresh(stats: forwarder.stats(), force: true)
            status.finish()
            throw CLIFailure("the tunnel to \(record.name) ended: \(Self.explain(error))")
        }
        status.markStopped()
        status.refresh(stats: forwarder.stats(), force: true)
        status.finish()
        let signal = signals.received ?? SIGTERM
        status.sayProgress("stopped (\(signal == SIGINT ? "interrupted" : "signal \(signal)")); the local ports are closed")
        if signal == SIGINT { throw ExitCode(130) }
    }

    /// The pod's tunnel runs already: it takes these ports on, and keeps running as it was.
    private func join(_ tunnel: TunnelRecord, adds: [TunnelRequest.Add], registry: TunnelRegistry) throws {
        let reply = try TunnelControlClient(registry: registry, tunnel: tunnel).send(TunnelRequest(add: adds))
        for line in reply.done { Output.done(Style.ok("✓") + " " + line) }
        for line in reply.errors { Output.warning(line) }
        let now = registry.running(podID: tunnel.podID) ?? tunnel
        Output.notice(
            "the tunnel to \(tunnel.podName.terminalSafe) (pid \(now.pid)) forwards \(now.portsText); "
                + "`autopod tunnel stop \(TerminalText.shellWord(tunnel.podName)) PORT` removes a port")
        if !reply.errors.isEmpty { throw ExitCode(1) }
    }

    /// The same command for the background copy, without --detach.
    private func childArguments(podID: String) -> [String] {
        var arguments = ["tunnel", "start", podID] + ports.map(\.defaultValueDescription) + ["--detached-child"]
        // The allowance goes to the background copy alone: it is the one that connects.
        arguments += sshOptions.arguments
        // The detached tunnel logs in again on every reconnect: it needs the -i keys too.
        for key in sshOptions.identityFiles { arguments += ["-i", key] }
        if let memoryBudget { arguments += ["--memory-budget", String(memoryBudget.bytes)] }
        if recover {
            arguments += ["--recover", "--recover-limit", String(recovery.limit)]
            if let bid = recovery.bid { arguments += ["--recover-bid", String(bid)] }
        }
        if global.verbose { arguments.append("--verbose") }
        return arguments
    }

    private static func explain(_ error: SSHError) -> String {
        switch error.kind {
        case .endpointGone: return "\(error.userMessage) The local ports are closed."
        case .authentication, .unsupportedKey, .keyFile:
            return "\(error.userMessage) Check the key in `autopod config show`."
        default: return error.userMessage
        }
    }
}
