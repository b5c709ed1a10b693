import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod tunnel stop POD|all`: asks running tunnels to end (SIGTERM, which they handle by
/// closing their ports and removing their state file) and waits until they have.
struct TunnelStop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", _superCommandName: "autopod tunnel", abstract: "Stop a running tunnel (or all of them), or only some of its ports.",
        discussion: "`autopod tunnel stop POD 6006` stops forwarding local port 6006 and leaves the rest of the tunnel running.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The pod whose tunnel to stop (id, name or a unique prefix), or `all`.")
    var pod: String

    @Argument(help: ArgumentHelp("Local ports to stop forwarding; without them the whole tunnel stops.", valueName: "port"))
    var ports: [Int] = []

    @Option(help: ArgumentHelp("How long to wait for each tunnel to exit before killing it, e.g. 10s or 1m.", valueName: "duration"))
    var timeout = WaitDuration(seconds: 10, text: "10s")

    func validate() throws {
        if pod == "all" && !ports.isEmpty { throw ValidationError("give ports with one pod's tunnel, not with `all`") }
        try RangeCheck.require(ports, in: ConfigForward.portRange, flag: "port")
    }

    func run() throws {
        global.bootstrap()
        let registry = TunnelRegistry(paths: global.paths)
        let running = registry.running()
        let targets: [TunnelRecord]
        if pod == "all" {
            targets = running
            if targets.isEmpty {
                print("No tunnels running.")
                return
            }
        } else {
            let lowered = pod.lowercased()
            let exact = running.filter { $0.podID == pod || $0.podName == pod }
            let matches =
                exact.isEmpty
                ? running.filter { $0.podID.lowercased().hasPrefix(lowered) || $0.podName.lowercased().hasPrefix(lowered) } : exact
            guard !matches.isEmpty else {
                let known = running.map(\.podName)
                throw CLIFailure(
                    "no tunnel is running for '\(pod)'"
                        + (known.isEmpty ? "; no tunnels are running" : "; running tunnels: \(known.joined(separator: ", "))"))
            }
            guard matches.count == 1 else {
                throw CLIFailure("'\(pod)' matches several tunnels (\(matches.map(\.podName).joined(separator: ", "))); give more of the name")
            }
            targets = matches
            if !ports.isEmpty, let tunnel = matches.first, !Set(tunnel.forwards.map(\.localPort)).isSubset(of: Set(ports)) {
                try removePorts(from: tunnel, registry: registry)
                return
            }
        }
        var failures = 0
        for t in targets {
            // `running()` took the pid from the lock's holder; it must also be an autopod
            // tunnel, or a reused pid or a planted file would have us signal someone else.
            guard TunnelLock.isAutopodTunnel(t.pid) else {
                failures += 1
                print(
                    Style.warn("!") + " the lock of the tunnel to \(t.podName) is held by pid \(t.pid), which is not an autopod "
                        + "tunnel; nothing was signalled")
                continue
            }
            kill(t.pid, SIGTERM)
            // Not a child of ours, so there is no exit to wait for: poll the lock, which the
            // kernel drops when the tunnel ends.
            let deadline = Deadline.after(timeout.duration)
            while registry.isHeld(podID: t.podID) && !deadline.hasPassed { Sleep.for(.milliseconds(50)) }
            if registry.isHeld(podID: t.podID) {
                if TunnelLock.isAutopodTunnel(t.pid) { kill(t.pid, SIGKILL) }
                let gone = Deadline.after(.seconds(2))
                while registry.isHeld(podID: t.podID) && !gone.hasPassed { Sleep.for(.milliseconds(20)) }
                failures += registry.isHeld(podID: t.podID) ? 1 : 0
                print(Style.warn("!") + " the tunnel to \(t.podName) (pid \(t.pid)) did not exit in \(timeout.duration.wholeSeconds) s and was killed")
            } else {
                Output.done(Style.ok("✓") + " stopped the tunnel to \(t.podName) (pid \(t.pid), ports \(t.portsText))")
            }
            registry.remove(podID: t.podID, pid: t.pid)
        }
        if failures > 0 { throw CLIFailure("\(failures) tunnel(s) could not be stopped") }
    }

    /// Some of the tunnel's ports, not all: the tunnel closes them and goes on with the rest.
    private func removePorts(from tunnel: TunnelRecord, registry: TunnelRegistry) throws {
        let reply = try TunnelControlClient(registry: registry, tunnel: tunnel).send(TunnelRequest(remove: ports))
        for line in reply.done { Output.done(Style.ok("✓") + " " + line) }
        for line in reply.errors { Output.warning(line) }
        let now = registry.running(podID: tunnel.podID) ?? tunnel
        Output.notice("the tunnel to \(tunnel.podName.terminalSafe) (pid \(now.pid)) goes on forwarding \(now.portsText)")
        if !reply.errors.isEmpty { throw ExitCode(1) }
    }
}
