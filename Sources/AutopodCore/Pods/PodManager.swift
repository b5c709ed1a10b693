import AutopodSupport
import FoundationEssentials
import Logging

/// The pods autopod knows, kept in step with the account: list, find, stop, start, kill.
public struct PodManager: Sendable {
    public var provider: any CloudProvider
    public var store: PodStateStore
    public var now: @Sendable () -> Date = { Date() }
    /// How a failed terminate is repeated. Terminate is safe to repeat (the end state is the
    /// same, and a pod already gone counts as done), so it gets the policy reads get.
    public var terminateRetry: RetryPolicy = .standard
    /// Waits between terminate attempts; tests make it instant.
    public var sleep: @Sendable (Duration) -> Void = { Sleep.for($0) }
    private let logger = Logger(label: "autopod.pods")

    public init(provider: any CloudProvider, store: PodStateStore) {
        self.provider = provider
        self.store = store
    }

    /// Reads the account, reconciles pods.json with it, and returns every pod (terminated ones
    /// only with `includeTerminated`). A recorded pod missing from the list is asked for by id
    /// before it is marked terminated, because a brand-new pod can lag behind in the list.
    public func refresh(includeTerminated: Bool = false) throws -> [PodView] {
        // pods.json is read and decoded on a second thread while RunPod answers: for 20 pods the
        // decoding takes about as long as the request.
        let store = self.store
        let decoded = LockedValue<Result<PodStateSnapshot, PodStateError>?>(nil)
        let decoding = JoinableThread.start { decoded.set(Result { () throws(PodStateError) in try store.snapshot() }) }
        let listed = Result { () throws(ProviderError) in try provider.listPods() }
        decoding?.join()
        // A broken pods.json is reported before anything else, a failed request included.
        let snapshot = try (decoded.current ?? Result { () throws(PodStateError) in try store.snapshot() }).get()
        let remote = try listed.get()
        let recorded = snapshot.state.pods.filter { !$0.isTerminated }
        var known = remote
        var gone: Set<String> = []
        for record in recorded where !remote.contains(where: { $0.id == record.id }) {
            if let pod = try provider.pod(id: record.id) {
                known.append(pod)
            } else {
                gone.insert(record.id)
            }
        }
        let time = now()
        // The lock is taken only now, not across the API calls, so a slow RunPod does not hold
        // up other autopod processes; the snapshot spares decoding the file a second time.
        let state = try store.update(from: snapshot, readOnlyIfNewer: true) { state in
            PodReconciler.reconcile(&state, remote: known, gone: gone, now: time)
            return state
        }
        return state.pods
            .filter { includeTerminated || !$0.isTerminated }
            .map { record in PodView(record: record, remote: known.first { $0.id == record.id }, now: time) }
    }

    /// `view` with the pod's own reading when the list left details out (GraphQL's list has no
    /// utilisation; its single-pod query does). A pod that is not running has none to add.
    public func detailed(_ view: PodView) throws -> PodView {
        guard view.status == .running, view.remote?.utilization == nil, let pod = try provider.pod(id: view.record.id) else {
            return view
        }
        return PodView(record: view.record, remote: pod, now: now())
    }

    /// The pods as last recorded, without asking the account (for when it cannot be reached).
    public func recordedViews(includeTerminated: Bool = false) throws -> [PodView] {
        let time = now()
        return try store.load().pods
            .filter { includeTerminated || !$0.isTerminated }
            .map { PodView(record: $0, remote: nil, now: time) }
    }

    /// Finds the pod a user named: by id, by name, or by a unique prefix of either. With no
    /// reference, the one running pod (or the one live pod) is meant.
    public static func find(_ reference: String?, in views: [PodView]) throws(PodLookupError) -> PodView {
        let live = views.filter { !$0.record.isTerminated }
        guard let reference, !reference.isEmpty else {
            let running = live.filter { $0.status == .running || $0.status == .starting }
            if running.count == 1 { return running[0] }
            if running.isEmpty && live.count == 1 { return live[0] }
            if live.isEmpty { throw .noPods }
            throw .needReference(candidates: (running.isEmpty ? live : running).map(\.record.name))
        }
        // A name a terminated pod once had may be in use again: the live pod is the one meant.
        let exactMatches = views.filter { $0.record.id == reference || $0.record.name == reference }
        if let exact = exactMatches.first(where: { !$0.record.isTerminated }) ?? exactMatches.first { return exact }
        let lowered = reference.lowercased()
        let matches = views.filter {
            $0.record.id.lowercased().hasPrefix(lowered) || $0.record.name.lowercased().hasPrefix(lowered)
        }
        // Prefer live pods when a prefix also matches terminated ones.
        let liveMatches = matches.filter { !$0.record.isTerminated }
        let pool = liveMatches.isEmpty ? matches : liveMatches
        if pool.count == 1 { return pool[0] }
        if pool.isEmpty { throw .notFound(reference: reference, known: live.map(\.record.name)) }
        throw .ambiguous(reference: reference, candidates: pool.map { "\($0.record.name) (\($0.record.id))" })
    }

    /// Stops the pod (the volume is kept and still billed) and closes its running interval.
    public func stop(_ view: PodView) throws -> PodRecord {
        try store.requireWritable()
        do {
            try provider.stopPod(id: view.record.id)
        } catch {
            // A lost reply: look before reporting a failure (telling the user a stop failed when
            // it worked would send them to the console for nothing).
            guard error.outcomeUnknown, let pod = try provider.pod(id: view.record.id), !pod.isRunning else { throw error }
        }
        let time = now()
        return try store.update { state in
            state.update(id: view.record.id) {
                $0.markStopped(at: time)
                $0.lastStatus = "EXITED"
                $0.endpoint = nil
                $0.guardStop = nil
            }
            return state.record(id: view.record.id) ?? view.record
        }
    }

    /// Resumes a stopped pod on its host. "Not enough free GPUs" comes back as `StartError`.
    public func start(_ view: PodView) throws -> PodRecord {
        try store.requireWritable()
        let pod: RemotePod
        do {
            pod = try provider.resumePod(id: view.record.id, gpuCount: max(1, view.record.gpuCount))
        } catch {
            if case .capacity(let message) = error { throw StartError.hostBusy(name: view.record.name, message: message) }
            // A lost reply: if the pod is running now, the start worked.
            guard error.outcomeUnknown, let current = try provider.pod(id: view.record.id), current.isRunning else { throw error }
            pod = current
        }
        return try recordRunning(view, as: pod, pricePerHour: pod.costPerHr.flatMap { $0 > 0 ? $0 : nil })
    }

    /// Records that RunPod runs the pod again: a new running interval, its status, no guard stop,
    /// the price it now costs (nil keeps the recorded one) and its endpoint (ports change on
    /// every start; the old one is stale).
    func recordRunning(_ view: PodView, as pod: RemotePod, pricePerHour: Double?) throws -> PodRecord {
        let time = now()
        return try store.update { state in
            state.update(id: view.record.id) {
                $0.markRunning(at: time)
                $0.lastStatus = pod.desiredStatus
                $0.guardStop = nil
                if let pricePerHour { $0.pricePerHour = pricePerHour }
                $0.endpoint = pod.sshEndpoint
            }
            return state.record(id: view.record.id) ?? view.record
        }
    }

    /// Terminates the pod; a pod already gone counts as terminated.
    public func kill(id: String) throws -> PodRecord? {
        try terminateConfirmed(id: id)
        return try recordTerminated(id: id)
    }

    /// Marks a pod the account no longer runs as terminated in pods.json.
    @discardableResult
    public func recordTerminated(id: String) throws -> PodRecord? {
        // Pins are per pod id, so a later pod at the same address is a first contact; the
        // tombstone keeps this id from ever being pinned again.
        PodSSH.bury(podID: id, paths: store.paths)
        let time = now()
        // A pods.json from a newer autopod is not written; that autopod sees the pod gone.
        return try store.update(readOnlyIfNewer: true) { state in
            state.update(id: id) {
                $0.markTerminated(at: time)
                $0.guardStop = nil
            }
            return state.record(id: id)
        }
    }

    /// Terminates `id`, treating "no such pod" as done. A passing failure (5xx, timeout, lost
    /// reply) is repeated under `terminateRetry`; after a lost reply the pod is asked for first,
    /// since the terminate may have worked. Throws the last error when every attempt failed:
    /// the pod may then still be billing.
    public func terminateConfirmed(id: String) throws(ProviderError) {
        let started = MonotonicClock.now
        var attempt = 1
        while true {
            do {
                try provider.terminatePod(id: id)
                return
            } catch {
                if case .notFound = error {
                    logger.debug("pod already gone", metadata: ["id": "\(id)"])
                    return
                }
                // Auth and refusals do not get better by asking again.
                guard case .transient = error else { throw error }
                if error.outcomeUnknown, case .some(.none) = try? provider.pod(id: id) { return }
                let wait = terminateRetry.delay(beforeRetry: attempt, retryAfter: nil)
                guard attempt < terminateRetry.maxAttempts, started.elapsed + wait <= terminateRetry.totalBudget
                else {
                    logger.warning("terminate failed", metadata: ["id": "\(id)", "attempts": "\(attempt)", "error": "\(error)"])
                    throw error
                }
                logger.debug("terminate failed; retrying", metadata: ["id": "\(id)", "attempt": "\(attempt)", "error": "\(error)"])
                sleep(wait)
                attempt += 1
            }
        }
    }

    /// Records where SSH answered.
    public func recordEndpoint(_ endpoint: PodEndpoint, for id: String) throws {
        try store.update { state in
            state.update(id: id) {
                $0.endpoint = endpoint
                $0.lastStatus = "RUNNING"
            }
        }
    }
}

/// A pod reference that does not pick one pod.
public enum PodLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    case noPods
    case needReference(candidates: [String])
    case notFound(reference: String, known: [String])
    case ambiguous(reference: String, candidates: [String])

    public var description: String {
        switch self {
        case .noPods: return "you have no pods. Start one with `autopod connect`."
        case .needReference(let candidates):
            return "more than one pod could be meant; name one: \(candidates.joined(separator: ", "))"
        case .notFound(let reference, let known):
            return "no pod matches \"\(reference)\""
                + (known.isEmpty ? "; you have no live pods." : ". Your pods: \(known.joined(separator: ", ")) (`autopod list --all` shows terminated ones too).")
        case .ambiguous(let reference, let candidates):
            return "\"\(reference)\" matches several pods: \(candidates.joined(separator: ", ")). Type more of the name or id."
        }
    }
}

/// A stopped pod that cannot start again.
public enum StartError: Error, Sendable, CustomStringConvertible {
    case hostBusy(name: String, message: String)

    public var description: String {
        switch self {
        case .hostBusy(let name, let message):
            return """
                \(name) cannot start: \(message)
                A stopped pod can only start on the machine it was on, and that machine's GPUs are rented out now. You can:
                  - wait and retry `autopod start \(TerminalText.shellWord(name))` later (GPUs free up as other rentals end), or
                  - `autopod kill \(TerminalText.shellWord(name))` and `autopod connect` anew on any free machine. Kill deletes the pod's volume and its data; `autopod cp` cannot reach a pod that is not running.
                """
        }
    }
}
