import AutopodSupport
import AutopodCore
import FoundationEssentials
import Logging
import SSHKit

/// An interactive shell on a pod with the configured forwards on the same SSH session:
/// what `connect` ends in and what `shell` opens.
enum ShellSession {
    /// With `guarding`, the pod's guard is put in force on the session first (unless the caller
    /// did, `guardInstalled`), autopod watches the runtime limit and budget while the shell is
    /// open, and when the shell ends on a pod that still runs, one line says what it costs and
    /// how to stop it.
    static func run(
        _ ssh: PodSSH, forwards ports: [ConfigForward], session existing: SSHSession? = nil,
        guarding: (context: CommandContext, view: PodView)? = nil, guardInstalled: Bool = false
    ) throws -> Int32 {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIFailure("stdin is not a terminal, so there is no shell to open. Use `autopod exec \(ssh.podName) -- COMMAND` instead.")
        }
        return try PodSessionExit.run(ssh) {
            let session = try existing ?? ssh.connect()
            if let (context, view) = guarding, !guardInstalled { context.enforceGuard(on: view, over: session) }
            // The terminal is raw while the shell runs: a line needs its carriage return.
            let local = guarding.flatMap { context, view in
                context.startLocalGuard(for: view) { StandardStream.error.write("\r\n" + $0 + "\r\n") }
            }
            defer {
                local?.cancel()
                if let (context, view) = guarding { stillRunning(view, context: context) }
            }
            let forwarder = openForwards(ports, ssh: ssh)
            if let forwarder {
                let list = zip(forwarder.boundPorts, forwarder.specs).map { "localhost:\($0) → pod:\($1.remotePort)" }
                Output.notice("forwarding \(list.joined(separator: ", "))")
            }
            defer { forwarder?.stop() }
            let exit = try InteractiveShell(session: session).run(alongside: forwarder)
            if exit == .disconnectedByUser {
                if !Output.quiet { StandardStream.error.write("Connection to \(ssh.podName) closed.\n") }
            }
            return exit.exitCode
        }
    }

    /// One line when the shell ends and the pod goes on billing: its price, its guard, and the
    /// command that stops it.
    private static func stillRunning(_ view: PodView, context: CommandContext) {
        guard !Output.quiet, let pod = try? context.provider.pod(id: view.record.id), pod.isRunning else { return }
        let record = (try? context.store.load().record(id: view.record.id)) ?? view.record
        let settings = context.podGuard.settings(for: record)
        StandardStream.error.write(
            Style.dim("\(record.name.terminalSafe) is still running at \(Format.perHour(record.pricePerHour)) · guard: \(settings.summary) · ")
                + "`autopod stop \(TerminalText.shellWord(record.name))`" + Style.dim(" stops it") + "\n")
    }

    /// Binds the local ports. A port that autopod's tunnel to this pod already forwards is left
    /// to it; one taken by anything else moves to the next free port, said plainly, rather than
    /// costing the user their shell or, silently, the forward.
    private static func openForwards(_ ports: [ConfigForward], ssh: PodSSH) -> PortForwarder? {
        guard !ports.isEmpty, let forwarder = try? PortForwarder([]) else { return nil }
        let binder = LocalForwards(registry: TunnelRegistry(paths: ssh.paths), podID: ssh.podID)
        for port in ports {
            switch binder.bind(port, flexible: true, podName: ssh.podName.terminalSafe, onto: forwarder) {
            case .bound(_, let note?): Output.warning(note)
            case .bound: break
            case .alreadyForwarded(let note): Output.notice(note)
            case .failed(let reason): Output.warning("not forwarding port \(port.remotePort): \(reason)")
            }
        }
        return forwarder.specs.isEmpty ? nil : forwarder
    }
}
