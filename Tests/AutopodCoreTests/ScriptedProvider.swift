@testable import AutopodCore
import AutopodSupport
import Foundation

/// An in-memory account whose every answer is scripted, for the decisions of the launcher and
/// the connector (skip, pass over, resolve, wait, terminate or keep). It stands in for the
/// cloud only where the logic, not HTTP, is under test; the real API is covered end to end
/// against runpod-sim.
final class ScriptedProvider: CloudProvider {
    /// What one create does.
    enum Create {
        /// The pod is placed and the reply arrives.
        case made
        /// The reply is this error; with `placed` the pod exists nevertheless (a lost reply).
        case fails(ProviderError, placed: Bool)
    }

    struct State {
        var types: [GPUType]
        /// What each create does, in order; `.made` once the script runs out.
        var creates: [Create]
        /// Live pods (terminated ones leave the account, as on RunPod).
        var pods: [RemotePod] = []
        var createCalls: [String] = []
        /// Pods placed so far, for their ids.
        var placed = 0
        var terminateCalls: [String] = []
        /// How many status reads a new pod needs before it has a runtime and a public SSH port;
        /// nil: never.
        var pollsUntilSSH: Int? = 1
        /// Where the public SSH mapping points once it appears.
        var sshEndpoint = PodEndpoint(host: "127.0.0.1", port: 40022)
        var polls: [String: Int] = [:]
        /// The next terminates fail with a passing error (HTTP 500, outcome unknown).
        var failingTerminates = 0
        /// The pod vanishes from the account at its first status read.
        var vanishes = false
    }

    let state: LockedValue<State>

    init(types: [GPUType], creates: [Create] = []) {
        state = LockedValue(State(types: types, creates: creates))
    }

    var createCalls: [String] { state.current.createCalls }
    var terminateCalls: [String] { state.current.terminateCalls }
    var livePods: [RemotePod] { state.current.pods }

    /// Puts a pod on the account directly, as another tool (or a lost reply) would.
    func add(_ pod: RemotePod) { state.withLock { $0.pods.append(pod) } }

    func authenticate() throws(ProviderError) -> String? { "me" }

    func gpuTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] { state.current.types }

    func createPod(_ spec: PodSpec) throws(ProviderError) -> RemotePod {
        let result: Result<RemotePod, ProviderError> = state.withLock { state in
            state.createCalls.append(spec.gpuTypeId)
            let step = state.creates.isEmpty ? .made : state.creates.removeFirst()
            let pod = RemotePod(
                id: "pod\(state.placed + 1)", name: spec.name, desiredStatus: "RUNNING", costPerHr: 0.4,
                gpuCount: spec.gpuCount, gpuTypeId: spec.gpuTypeId, ports: spec.ports)
            switch step {
            case .made:
                state.placed += 1
                state.pods.append(pod)
                return .success(pod)
            case .fails(let error, let placed):
                if placed {
                    state.placed += 1
                    state.pods.append(pod)
                }
                return .failure(error)
            }
        }
        return try result.get()
    }

    func pod(id: String) throws(ProviderError) -> RemotePod? {
        state.withLock { state in
            guard let index = state.pods.firstIndex(where: { $0.id == id }) else { return nil }
            if state.vanishes {
                state.pods.remove(at: index)
                return nil
            }
            let polls = state.polls[id, default: 0] + 1
            state.polls[id] = polls
            if let needed = state.pollsUntilSSH, polls >= needed {
                state.pods[index].hasRuntime = true
                state.pods[index].portMappings = [
                    PortMapping(
                        ip: state.sshEndpoint.host, isIpPublic: true, privatePort: 22, publicPort: state.sshEndpoint.port,
                        type: "tcp")
                ]
            }
            return state.pods[index]
        }
    }

    func listPods() throws(ProviderError) -> [RemotePod] { state.current.pods }

    func stopPod(id: String) throws(ProviderError) {}

    func resumePod(id: String, gpuCount: Int) throws(ProviderError) -> RemotePod {
        guard let pod = state.current.pods.first(where: { $0.id == id }) else { throw .notFound(message: id) }
        return pod
    }

    func terminatePod(id: String) throws(ProviderError) {
        let result: Result<Void, ProviderError> = state.withLock { state in
            state.terminateCalls.append(id)
            if state.failingTerminates > 0 {
                state.failingTerminates -= 1
                return .failure(.transient(message: "RunPod had a temporary problem: HTTP 500", outcomeUnknown: true))
            }
            guard let index = state.pods.firstIndex(where: { $0.id == id }) else {
                return .failure(.notFound(message: "pod \(id) not found"))
            }
            state.pods.remove(at: index)
            return .success(())
        }
        try result.get()
    }
}

/// SSH as a scripted answer: every check gets the same reply.
struct ScriptedProbe: SSHReadinessProbe {
    enum Reply: Sendable {
        case answers
        case notYet
        case refuses
    }

    let reply: Reply

    func check(_ endpoint: PodEndpoint, timeout: Duration) throws(SSHProbeRefusal) -> String? {
        switch reply {
        case .answers: return nil
        case .notYet: return "connection refused"
        case .refuses: throw SSHProbeRefusal("the host key changed")
        }
    }
}
