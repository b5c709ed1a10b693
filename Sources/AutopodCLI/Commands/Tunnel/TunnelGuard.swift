import AutopodCore
import AutopodSupport
import Dispatch
import FoundationEssentials
import SSHKit

/// A tunnel's part in its pod's guard. Each time the tunnel (re)connects it makes sure the
/// watchdog runs on the pod (a pod started again has none), over an SSH session of its own so
/// the forwards never wait for it; and while the tunnel runs, the laptop watches the pod's
/// runtime limit and budget too, ending the tunnel when it stops the pod.
final class TunnelGuard: Sendable {
    /// The pod's SSH: a spot recovery may put the tunnel on a new pod.
    private let ssh: LockedValue<PodSSH>
    private let podGuard: PodGuard
    private let manager: PodManager
    private let say: @Sendable (String) -> Void
    private let local = LockedValue<LocalGuard?>(nil)
    private let ended = LockedValue<(@Sendable () -> Void)?>(nil)
    private let queue = DispatchQueue(label: "autopod.tunnel.guard")

    init(context: CommandContext, ssh: PodSSH, say: @escaping @Sendable (String) -> Void) {
        self.ssh = LockedValue(ssh)
        podGuard = context.podGuard
        manager = context.manager
        self.say = say
    }

    /// Starts the laptop's watch; `ended` runs after it stopped or terminated the pod.
    func watch(_ view: PodView, ended: @escaping @Sendable () -> Void) {
        self.ended.set(ended)
        let settings = podGuard.settings(for: view.record)
        let say = say
        let watcher = LocalGuard(settings: settings, facts: GuardFacts.of(view, now: Date()), view: view, manager: manager) { message, error in
            say(message)
            if error == nil { ended() }
        }
        watcher?.start()
        local.set(watcher)
    }

    /// The tunnel is connected (again): the watchdog is installed, or told to reread its limits.
    func connected() {
        queue.async { [self] in
            do throws(SSHError) {
                let ssh = ssh.current
                guard let view = try? manager.refresh().first(where: { $0.record.id == ssh.podID }) else { return }
                // On a pod that recovery brought: the laptop's watch starts again on it.
                if local.current == nil, let ended = ended.current { watch(view, ended: ended) }
                let session = try ssh.connect()
                let outcome = podGuard.apply(podGuard.settings(for: view.record), to: view, over: session)
                GuardWords.notices(outcome, podName: view.record.name).forEach(say)
            } catch {
                say("could not reach the pod to start its guard: \(error.description)")
            }
        }
    }

    /// The tunnel now goes to `ssh`'s pod: the old pod's watch ends; the next `connected()`
    /// installs the watchdog on the new pod and watches it from here.
    func follow(_ ssh: PodSSH) {
        self.ssh.set(ssh)
        local.withLock { watcher in
            watcher?.cancel()
            watcher = nil
        }
    }

    func stop() {
        local.current?.cancel()
    }
}
