import AutopodSupport

/// The phases a new pod goes through before it can be used, in order.
public enum WaitPhase: Int, Sendable, Comparable, CaseIterable {
    /// Create returned: a machine was found.
    case placed
    /// RUNNING but `runtime` is null: image pull, container start.
    case containerStarting
    /// The container is up; the public port-22 mapping has not appeared yet.
    case waitingForSSHPort
    /// The mapping is there; sshd has not answered yet.
    case sshPortPublished
    /// SSH answered.
    case sshAnswering

    public static func < (lhs: WaitPhase, rhs: WaitPhase) -> Bool { lhs.rawValue < rhs.rawValue }

    public var label: String {
        switch self {
        case .placed: return "placed on a machine"
        case .containerStarting: return "container starting"
        case .waitingForSSHPort: return "waiting for the SSH port"
        case .sshPortPublished: return "SSH port published, waiting for sshd"
        case .sshAnswering: return "SSH answering"
        }
    }
}

/// What one status reading says about readiness. Pure, so it can be tested on its own.
public enum ReadinessObservation: Sendable, Equatable {
    case waiting(WaitPhase)
    case portPublished(PodEndpoint)
    /// The pod stopped without being asked to (RunPod's reason text, if any).
    case exited(String?)
    /// The account no longer has the pod.
    case gone
    /// It can never get a direct SSH endpoint.
    case unreachable(String)

    public static func observe(_ pod: RemotePod?) -> ReadinessObservation {
        guard let pod else { return .gone }
        switch pod.desiredStatus.uppercased() {
        case "RUNNING": break
        case "CREATED", "RESTARTING": return .waiting(.placed)
        case "TERMINATED": return .gone
        default: return .exited(pod.lastStatusChange)
        }
        // REST v2 says outright which step the pod is at; GraphQL leaves it to `runtime`.
        switch pod.phase {
        case .provisioning?: return .waiting(.placed)
        case .starting?: return .waiting(.containerStarting)
        default: break
        }
        guard pod.hasRuntime else { return .waiting(.containerStarting) }
        if let endpoint = pod.sshEndpoint { return .portPublished(endpoint) }
        if pod.portMappings.contains(where: { $0.privatePort == 22 && !$0.isIpPublic }) {
            return .unreachable(
                "port 22 is mapped only to a private address (the host has no public IP); use SECURE cloud, where every pod has one")
        }
        if let ports = pod.ports, !ports.filter({ $0 != " " }).split(separator: ",").contains("22/tcp") {
            return .unreachable("the pod does not expose 22/tcp (ports: \(ports)); add it to `ports` in the config")
        }
        return .waiting(.waitingForSSHPort)
    }
}

/// Why waiting for a pod ended without a usable pod.
public enum WaitError: Error, Sendable, Equatable, CustomStringConvertible {
    case timedOut(phase: WaitPhase, after: Duration)
    case exited(reason: String?)
    case gone
    case unreachable(String)
    case interrupted
    case provider(ProviderError)
    /// SSH answered but refused autopod (key not accepted, host key changed).
    case refused(String)

    public var description: String {
        switch self {
        case .timedOut(let phase, let after):
            var text = "the pod was not ready after \(WaitDuration.format(after.seconds)) (last phase: \(phase.label))."
            if phase == .containerStarting {
                text += " A large image can take several minutes to pull; a wrong image name or a host whose driver is too old never finishes. Try a longer --wait-timeout or another image."
            }
            return text
        case .exited(let reason):
            return "the pod stopped on its own" + (reason.map { " (\($0))" } ?? "")
                + ". This usually means the image could not be pulled or its start command exited; check the image name."
        case .gone: return "the pod disappeared from the account (terminated from elsewhere?)"
        case .unreachable(let why): return "the pod cannot be reached over SSH: \(why)"
        case .refused(let why): return "SSH on the pod answered but refused autopod: \(why)"
        case .interrupted: return "interrupted"
        case .provider(let error): return error.description
        }
    }
}

/// Polls the pod until SSH answers, reporting each phase. Checks `cancelled` every 100 ms so
/// Ctrl+C is acted on within a second even while the pod is slow. Every interval and the
/// deadline are on the monotonic clock: a laptop that sleeps, or a clock that is set, neither
/// stretches nor cuts the wait.
public struct ReadinessWaiter: Sendable {
    public var provider: any CloudProvider
    public var probe: any SSHReadinessProbe
    /// Time between status queries. Half a second keeps the delay between the container
    /// coming up and autopod noticing it short (0.25 s on average) at two small queries a second.
    public var pollInterval: Duration = .milliseconds(500)
    /// Longest a single SSH check may take.
    public var probeTimeout: Duration = .seconds(1)
    /// How often `cancelled` is asked between polls.
    public var cancelCheckInterval: Duration = .milliseconds(100)

    public init(provider: any CloudProvider, probe: any SSHReadinessProbe) {
        self.provider = provider
        self.probe = probe
    }

    public func wait(
        podId: String, timeout: Duration, progress: (WaitPhase, Duration) -> Void,
        cancelled: () -> Bool
    ) throws(WaitError) -> PodEndpoint {
        let started = MonotonicClock.now
        let deadline = Deadline(started.advanced(by: timeout))
        var phase = WaitPhase.placed
        progress(phase, .zero)
        while true {
            if cancelled() { throw .interrupted }
            if deadline.hasPassed { throw .timedOut(phase: phase, after: started.elapsed) }
            let observation: ReadinessObservation
            do {
                observation = ReadinessObservation.observe(try provider.pod(id: podId))
            } catch .transient {
                // Already retried inside the provider; a slow API is no reason to give up.
                observation = .waiting(phase)
            } catch {
                throw .provider(error)
            }
            switch observation {
            case .waiting(let next):
                phase = max(phase, next)
            case .portPublished(let endpoint):
                phase = max(phase, .sshPortPublished)
                progress(phase, started.elapsed)
                if cancelled() { throw .interrupted }
                let notYet: String?
                do {
                    notYet = try probe.check(endpoint, timeout: probeTimeout)
                } catch {
                    throw .refused(error.description)
                }
                if notYet == nil {
                    progress(.sshAnswering, started.elapsed)
                    return endpoint
                }
            case .exited(let reason): throw .exited(reason: reason)
            case .gone: throw .gone
            case .unreachable(let why): throw .unreachable(why)
            }
            progress(phase, started.elapsed)
            // Sleep in small steps so an interrupt is seen quickly.
            let wake = Deadline.after(pollInterval)
            while !wake.hasPassed && !deadline.hasPassed {
                if cancelled() { throw .interrupted }
                Sleep.for(min(cancelCheckInterval, wake.remaining))
            }
        }
    }
}
