import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials
import SSHKit

/// `autopod proxy POD`: OpenSSH's ProxyCommand for a pod (see `autopod ssh-config`). Finds the
/// pod's current endpoint, makes sure the pin OpenSSH will check is the key autopod trusts, and
/// relays the connection. autopod never starts `ssh`; OpenSSH starts this.
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        _superCommandName: "autopod",
        abstract: "Relay an SSH connection to a pod: the ProxyCommand of `autopod ssh-config`'s entries.",
        discussion: """
            OpenSSH runs this with the connection on stdin and stdout; it is not meant to be run \
            by hand. It asks RunPod where the pod is now (remembered for 20 s, so an editor's \
            bursts of connections cost one API call), checks the pod's host key as every autopod \
            command does (a new key after a real restart is accepted, and OpenSSH's copy of the \
            pins follows), and then only copies bytes. While the pod starts it waits, saying so \
            on stderr. A stopped pod is an error, unless --start is given: then it is resumed.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var pod: RequiredPodArgument

    @Flag(help: "Resume the pod first if it is stopped.")
    var start = false
    @Option(help: ArgumentHelp("How long to wait for a starting pod to answer, e.g. 90s, 10m.", valueName: "duration"))
    var waitTimeout = WaitDuration.minutes(10)

    func run() throws {
        let environment = Environment.process
        let paths = AutopodPaths.fromEnvironment(environment)
        try paths.checkHome()
        let cache = ProxyEndpointCache(paths: paths)
        // The common case, an editor's burst: a pod known here, its endpoint fresh in the cache
        // and its pin in OpenSSH's file. No API call, no handshake.
        let known = Self.recorded(pod.reference, paths: paths)
        if let known, let endpoint = cache.endpoint(podID: known.id), OpenSSHKnownHosts.hasPin(podID: known.id, paths: paths),
            let socket = try? TCPRelay.connect(to: SSHEndpoint(host: endpoint.host, port: endpoint.port), timeout: .seconds(5))
        {
            return try relay(socket)
        }
        let context = try CommandContext.make(global: global)
        let record = try known ?? context.pod(pod.reference).record
        let socket = try reach(record, context: context, cache: cache)
        try relay(socket)
    }

    /// The pod's record in the local state, found without the API.
    static func recorded(_ reference: String, paths: AutopodPaths) -> PodRecord? {
        guard let state = try? PodStateStore(paths: paths).load() else { return nil }
        let views = state.pods.filter { !$0.isTerminated }.map { PodView(record: $0, remote: nil, now: Date()) }
        return (try? PodManager.find(reference, in: views))?.record
    }

    /// A connection to the pod's sshd once the pod runs and its host key checks out.
    private func reach(_ record: PodRecord, context: CommandContext, cache: ProxyEndpointCache) throws -> Int32 {
        var ssh = PodSSH(
            podID: record.id, podName: record.name, config: context.config, paths: context.paths, provider: context.provider,
            store: context.store)
        ssh.notice = { message in StandardStream.error.write("autopod: \(message)\n") }
        ssh.options.connectTimeout = .seconds(5)
        let name = record.name.terminalSafe
        let started = MonotonicClock.now
        let deadline = Deadline.after(waitTimeout.duration)
        var resumed = false
        var lastWord = ""
        func say(_ word: String) {
            guard word != lastWord else { return }
            lastWord = word
            StandardStream.error.write("autopod: \(name) \(word); waiting (up to \(waitTimeout))...\n")
        }
        while true {
            let remote = try context.provider.pod(id: record.id)
            guard let remote else { throw CLIFailure("\(record.name) no longer exists (terminated).") }
            if !remote.isRunning {
                guard start else {
                    throw CLIFailure(
                        "\(record.name) is \(remote.desiredStatus.lowercased()). Start it with `autopod start \(TerminalText.shellWord(record.name))`, "
                            + "or add --start to the entry's ProxyCommand to start it on connect.")
                }
                if !resumed {
                    StandardStream.error.write("autopod: starting \(name)...\n")
                    let view = try PodManager.find(record.id, in: try context.manager.refresh())
                    _ = try context.manager.start(view)
                    OpenSSHEntries(paths: context.paths, config: context.config).refresh(changed: record.id)
                    resumed = true
                }
                say("is starting")
            } else if let endpoint = remote.sshEndpoint {
                // The host key is checked by autopod's rules before OpenSSH sees it, so OpenSSH's
                // copy of the pins holds the key autopod trusts (a new one after a real restart).
                do throws(SSHError) {
                    let target = try ssh.currentEndpoint()
                    let session = try SSHSession(connectingTo: target, options: ssh.options)
                    try ssh.verifyHostKey(target, session.hostKey)
                    let socket = try TCPRelay.connect(to: target, timeout: .seconds(5))
                    cache.store(endpoint, podID: record.id)
                    if !lastWord.isEmpty {
                        StandardStream.error.write("autopod: \(name) answers after \(Format.duration(started.elapsed.seconds)).\n")
                    }
                    return socket
                } catch {
                    switch error.kind {
                    case .hostKeyChanged, .endpointGone, .knownHostsFile: throw error
                    default: say("does not answer SSH yet")
                    }
                }
            } else {
                say("is starting (no SSH port yet)")
            }
            if deadline.hasPassed {
                throw CLIFailure("\(record.name) did not answer SSH within \(waitTimeout); see `autopod info \(TerminalText.shellWord(record.name))`.")
            }
            Sleep.for(.seconds(1))
        }
    }

    private func relay(_ socket: Int32) throws {
        defer { close(socket) }
        if case .failed(let reason) = TCPRelay.run(socket: socket) {
            throw CLIFailure("the connection to the pod failed: \(reason)")
        }
    }
}
