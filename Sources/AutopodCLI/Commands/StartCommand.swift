import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials
import SSHKit

/// `autopod start POD`: resume a stopped pod.
struct StartCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        _superCommandName: "autopod",
        abstract: "Resume a stopped pod on its machine.",
        discussion: """
            A stopped pod can only resume on the machine it was on. When that machine's GPUs are \
            rented out, RunPod says "not enough free GPUs": wait and retry, or kill the pod and \
            `connect` anew (the volume's data is kept only until kill). Ports change on every \
            start; `autopod info` shows the new SSH endpoint. Without POD, the one stopped pod is \
            started.

            autopod then waits until SSH answers and puts the pod's guard back on it (a stop wipes \
            the container, and the watchdog with it), unless --no-wait is given: then the next \
            autopod command that reaches the pod does. With --shell it then opens a shell on the \
            pod, with the configured forwards, as `autopod shell` does.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var sshOptions: SSHOptions

    @OptionGroup var pod: PodArgument

    @Flag(help: "Return once RunPod has the start, without waiting for SSH.")
    var noWait = false
    @OptionGroup var waiting: WaitOptions
    @Flag(help: "Open a shell on the pod once SSH answers (with the configured forwards).")
    var shell = false

    func validate() throws {
        if shell && noWait { throw ValidationError("--shell waits for SSH; it cannot go with --no-wait") }
        if shell && output.json { throw ValidationError("--shell opens a terminal; it cannot go with --json") }
    }
    @OptionGroup(title: "When the pod's machine is full") var fullHost: FullHostOptions

    func run(_ context: CommandContext) throws {
        let manager = context.manager
        let views = try manager.refresh()
        let view: PodView
        if pod.reference == nil {
            let stopped = views.filter { $0.status == .stopped }
            guard stopped.count == 1 else {
                throw CLIFailure(stopped.isEmpty ? "no pod is stopped" : "several pods are stopped; name one: \(stopped.map(\.record.name).joined(separator: ", "))")
            }
            view = stopped[0]
        } else {
            view = try PodManager.find(pod.reference, in: views)
        }
        if view.status == .running || view.status == .starting {
            throw CLIFailure("\(view.record.name) is already running")
        }
        if shell && !Prompt.isInteractive {
            throw CLIFailure("--shell needs a terminal on stdin; start the pod without it and use `autopod exec`", exitStatus: 2)
        }
        let record: PodRecord
        do {
            record = try manager.start(view)
        } catch let busy as StartError {
            guard let choice = try fullHost.choice(for: view.record, busy: busy) else { throw busy }
            let running = try fullHost.act(choice, on: view, context: context, output: output)
            if running.id != view.record.id { context.openSSHEntries.refresh(changed: view.record.id) }
            context.openSSHEntries.refresh(changed: running.id)
            let ready = noWait ? nil : guardPod(running, context: context)
            if let ready, !output.json {
                Output.done(Style.ok("✓") + " \(running.name.terminalSafe) answers SSH · guard: \(ready.guardLine)")
            }
            if shell { try openShell(ready, record: running, context: context) }
            return
        }
        context.openSSHEntries.refresh(changed: record.id)
        let ready = noWait ? nil : guardPod(record, context: context)
        let guardLine = ready?.guardLine
        if output.json {
            try StatusChange.write("start", record, status: "STARTING")
            return
        }
        if let guardLine {
            Output.done(Style.ok("✓") + " started \(record.name.terminalSafe) (\(Format.perHour(record.pricePerHour))); SSH answers · guard: \(guardLine)")
        } else {
            Output.done(
                Style.ok("✓")
                    + " started \(record.name.terminalSafe) (\(Format.perHour(record.pricePerHour))). SSH answers once the container is up: `autopod info \(TerminalText.shellWord(record.name))`.")
        }
        if shell { try openShell(ready, record: record, context: context) }
    }

    /// `--shell`: the shell on the pod that now answers, over the session that reached it.
    private func openShell(_ ready: Ready?, record: PodRecord, context: CommandContext) throws {
        guard let ready else {
            throw CLIFailure(
                "\(record.name.terminalSafe) did not answer SSH, so there is no shell to open; `autopod shell \(TerminalText.shellWord(record.name))` tries again"
            )
        }
        throw ExitCode(
            try ShellSession.run(
                ready.ssh, forwards: context.config.forwards, session: ready.session, guarding: (context, ready.view),
                guardInstalled: true))
    }

    /// A pod that answers SSH with its guard in force, and the session that reached it.
    private struct Ready {
        let guardLine: String
        let ssh: PodSSH
        let view: PodView
        let session: SSHSession
    }

    /// Waits for SSH and puts the guard back on the pod; the guard in force, or nil when the
    /// pod did not answer (said on stderr).
    private func guardPod(_ record: PodRecord, context: CommandContext) -> Ready? {
        let ssh = context.ssh(to: record, options: sshOptions)
        let progress = ProgressLine()
        let waiter = ReadinessWaiter(provider: context.provider, probe: HandshakeProbe(ssh: ssh))
        do {
            _ = try waiter.wait(
                podId: record.id, timeout: waiting.waitTimeout.duration,
                progress: { phase, elapsed in progress.update("\(record.name.terminalSafe): \(phase.label)", elapsed: elapsed.seconds) },
                cancelled: { false })
            progress.finish()
            let view = try context.pod(record.id)
            let session = try ssh.connect()
            let outcome = context.enforceGuard(on: view, over: session)
            return Ready(
                guardLine: GuardWords.inForce(context.podGuard.settings(for: view.record), outcome), ssh: ssh, view: view,
                session: session)
        } catch {
            progress.finish()
            StandardStream.error.write(
                Style.warn(
                    "\(record.name.terminalSafe) is starting but did not answer SSH (\(error)); its guard goes back on with the next autopod command that reaches it")
                    + "\n")
            return nil
        }
    }
}
