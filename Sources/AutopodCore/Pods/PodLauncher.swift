import AutopodSupport
import FoundationEssentials
import Logging

/// Creates a pod exactly once, falling back through the GPU preference list.
///
/// - Types the cloud reports with no stock for the count and cloud are skipped (and said so).
/// - A capacity error moves on to the next type; any other error stops.
/// - A create whose outcome is unknown (timeout, 5xx, broken connection) is resolved by looking
///   the pod up by its unique name, a few times to allow for listing lag, before anything else
///   happens. Its name was reserved in `pods.json` first, so a pod that appears even later is
///   adopted by `autopod list`: there is never a pod autopod does not know about.
/// - The pod is recorded the moment it is known to exist.
public struct PodLauncher: Sendable {
    public var provider: any CloudProvider
    public var store: PodStateStore
    /// Lookups by name after an unknown outcome, and the pause between them.
    public var lookupAttempts = 6
    public var lookupInterval: Duration = .seconds(2)
    /// Wall-clock time, for what is written to pods.json (never for waiting).
    public var now: @Sendable () -> Date = { Date() }
    /// Whether the autopod process that reserved a name is still at work on its create.
    public var ownerAlive: @Sendable (Int32) -> Bool = { Posix.isProcessAlive($0) }
    /// This process, as the owner of the names it reserves.
    public var pid: Int32 = getpid()
    private let logger = Logger(label: "autopod.launch")

    public init(provider: any CloudProvider, store: PodStateStore) {
        self.provider = provider
        self.store = store
    }

    /// Resolves the GPU names and reads stock and prices; creates nothing.
    public func plan(_ options: LaunchOptions) throws -> LaunchPlan {
        let types: [GPUType]
        if options.spot != nil {
            types = try provider.spotGPUTypes(gpuCount: options.gpuCount, cloud: options.cloud)
        } else if let volume = options.networkVolume {
            // The pod can only go where its volume is: stock there is what counts.
            types = try provider.gpuTypes(gpuCount: options.gpuCount, cloud: options.cloud, dataCenterId: volume.dataCenterId)
        } else {
            types = try provider.gpuTypes(gpuCount: options.gpuCount, cloud: options.cloud)
        }
        let chosen = try GPUNameResolver(types: types).resolveAll(options.gpuNames)
        let chosenIDs = Set(chosen.map(\.id))
        let elsewhere = types.filter { !$0.isOutOfStock && !chosenIDs.contains($0.id) && $0.pricePerGPU(cloud: options.cloud) != nil }
            .sorted { ($0.pricePerGPU(cloud: options.cloud) ?? 0) < ($1.pricePerGPU(cloud: options.cloud) ?? 0) }
        return LaunchPlan(
            options: options,
            candidates: chosen.map { type in
                if let spot = options.spot {
                    let bid = spot.bid(minimum: type.minimumBid)
                    return LaunchCandidate(type: type, pricePerHour: bid.map { $0 * Double(options.gpuCount) }, bidPerGpu: bid)
                }
                return LaunchCandidate(type: type, pricePerHour: type.pricePerGPU(cloud: options.cloud).map { $0 * Double(options.gpuCount) })
            },
            inStockElsewhere: elsewhere.prefix(3).map(\.displayName))
    }

    /// Runs the plan. Returns the recorded pod; `cancelled` is checked before each create.
    public func launch(
        _ plan: LaunchPlan, events: (LaunchEvent) -> Void, cancelled: () -> Bool = { false }
    ) throws -> PodRecord {
        let options = plan.options
        let name = try reserveName(options, events: events)
        events(.reservedName(name))
        var attempts: [(type: String, reason: String)] = []
        do {
            for candidate in plan.candidates {
                let type = candidate.type
                if type.isOutOfStock {
                    let reason = "no stock for \(options.gpuCount) GPU\(options.gpuCount == 1 ? "" : "s") on \(options.cloud.rawValue) cloud"
                    attempts.append((type.displayName, reason))
                    logger.debug("skipped GPU type", metadata: ["gpu": "\(type.id)", "reason": "\(reason)"])
                    events(.skipped(type, reason: reason))
                    continue
                }
                if options.spot != nil && candidate.bidPerGpu == nil {
                    let reason = "RunPod named no spot price for it"
                    attempts.append((type.displayName, reason))
                    events(.skipped(type, reason: reason))
                    continue
                }
                if cancelled() { throw LaunchError.interrupted }
                events(.trying(type, pricePerHour: candidate.pricePerHour))
                var spec = PodSpec(
                    name: name, gpuTypeId: type.id, gpuCount: options.gpuCount, cloudType: options.cloud,
                    dataCenterId: options.dataCenterId, imageName: options.image,
                    containerDiskInGb: options.containerDiskGB, volumeInGb: options.volumeGB,
                    volumeMountPath: options.volumeMountPath, ports: options.ports, env: options.env)
                spec.bidPerGpu = candidate.bidPerGpu
                spec.networkVolumeId = options.networkVolume?.id
                let created: RemotePod
                do {
                    created = try provider.createPod(spec)
                } catch let error where error.isCapacity {
                    let reason = "RunPod had no machine free (\(Self.shortReason(error)))"
                    attempts.append((type.displayName, reason))
                    logger.debug("passed over GPU type", metadata: ["gpu": "\(type.id)", "reason": "\(reason)"])
                    events(.passedOver(type, reason: reason))
                    continue
                } catch let error where error.outcomeUnknown {
                    logger.debug("create outcome unknown; looking the pod up by name", metadata: ["name": "\(name)", "error": "\(error)"])
                    events(.outcomeUnknown(name: name, reason: error.description))
                    guard let found = try findByName(name, events: events) else {
                        throw LaunchError.unconfirmed(name: name, reason: error.description)
                    }
                    created = found
                } catch {
                    throw LaunchError.failed(type: type.displayName, error: error)
                }
                do {
                    return try record(created, candidate: candidate, options: options, name: name, events: events)
                } catch {
                    throw LaunchError.unrecorded(id: created.id, name: name, reason: "\(error)")
                }
            }
        } catch let error as LaunchError {
            switch error {
            case .unconfirmed, .unrecorded:
                // Keep the reservation: a pod that shows up (or is there) is adopted by name.
                break
            default:
                releaseName(name)
            }
            throw error
        } catch {
            releaseName(name)
            throw error
        }
        releaseName(name)
        throw LaunchError.noCapacity(attempts: attempts, options: options, inStock: plan.inStockElsewhere)
    }

    /// Picks the next free name for today (or checks the user's) and reserves it in pods.json,
    /// under the state lock, so two `connect`s at once get different names. Reservations left
    /// by a process that has exited are settled first, from the same account listing.
    func reserveName(_ options: LaunchOptions, events: (LaunchEvent) -> Void = { _ in }) throws -> String {
        // The account may have pods autopod has not recorded (made elsewhere, or lost replies).
        let account = try? provider.listPods()
        let time = now()
        let (resolved, reservation) = try store.update { state in
            let resolved = account.map { Self.resolveAbandoned(&state, account: $0, now: time, isAlive: ownerAlive) } ?? []
            let taken = state.allNames + (account ?? []).map(\.name)
            let name: String
            if let chosen = options.name {
                if taken.contains(chosen) { return (resolved, Result<String, LaunchError>.failure(.nameTaken(chosen))) }
                name = chosen
            } else {
                name = PodNaming.nextName(on: time, taken: taken)
            }
            state.pending.append(PendingCreate(name: name, startedAt: time, cloudType: options.cloud, pid: pid))
            return (resolved, .success(name))
        }
        for resolution in resolved {
            logger.info("settled an abandoned name reservation", metadata: ["resolution": "\(resolution)"])
            events(.reservationResolved(resolution))
        }
        return try reservation.get()
    }

    /// Settles the reservations whose process has exited (its create's reply was lost and it
    /// gave up, or it was killed mid-create). Nobody is looking for those pods any more, so the
    /// account's listing decides now: a pod of that name is recorded as autopod's, and a name
    /// with no pod is freed, instead of blocking it for `PodReconciler.pendingLifetime`.
    static func resolveAbandoned(
        _ state: inout PodState, account: [RemotePod], now: Date, isAlive: (Int32) -> Bool
    ) -> [ReservationResolution] {
        let abandoned = state.pending.filter { pending in pending.pid.map { !isAlive($0) } ?? true }
        var resolved: [ReservationResolution] = []
        for pending in abandoned {
            if let pod = account.first(where: { $0.name == pending.name }) {
                if state.record(id: pod.id) == nil {
                    resolved.append(.adopted(PodReconciler.adopt(pod, into: &state, now: now)))
                } else {
                    state.pending.removeAll { $0.name == pending.name }
                }
            } else {
                state.pending.removeAll { $0.name == pending.name }
                resolved.append(.released(name: pending.name, reservedAt: pending.startedAt))
            }
        }
        return resolved
    }

    func releaseName(_ name: String) {
        _ = try? store.update { state in state.pending.removeAll { $0.name == name } }
    }

    /// Looks for the pod named `name` on the account, allowing for listing lag.
    func findByName(_ name: String, events: (LaunchEvent) -> Void) throws -> RemotePod? {
        for attempt in 1...max(1, lookupAttempts) {
            events(.lookingUp(name: name, attempt: attempt, of: lookupAttempts))
            do {
                if let pod = try provider.listPods().first(where: { $0.name == name }) {
                    logger.debug("found the pod of an unconfirmed create", metadata: ["name": "\(name)", "id": "\(pod.id)"])
                    return pod
                }
            } catch .unauthorized(let detail) {
                throw ProviderError.unauthorized(detail: detail)
            } catch {
                logger.warning("lookup after an unconfirmed create failed", metadata: ["error": "\(error)"])
            }
            if attempt < lookupAttempts { Sleep.for(lookupInterval) }
        }
        return nil
    }

    /// Writes the new pod to pods.json, replacing its name reservation.
    func record(
        _ pod: RemotePod, candidate: LaunchCandidate, options: LaunchOptions, name: String,
        events: (LaunchEvent) -> Void
    ) throws -> PodRecord {
        let created = now()
        let price = (pod.costPerHr ?? 0) > 0 ? pod.costPerHr! : candidate.pricePerHour ?? 0
        var record = PodRecord(
            id: pod.id, name: pod.name.isEmpty ? name : pod.name, gpuTypeId: candidate.type.id,
            gpuDisplayName: candidate.type.displayName, gpuCount: options.gpuCount, cloudType: options.cloud,
            pricePerHour: price, createdAt: created, createdByAutopod: true, imageName: options.image,
            lastStatus: pod.desiredStatus,
            storage: PodStorage(containerDiskGB: options.containerDiskGB, volumeGB: options.volumeGB))
        record.spotBid = candidate.bidPerGpu
        if let volume = options.networkVolume {
            record.networkVolumeId = volume.id
            record.storage.volumeGB = 0
            record.storage.networkVolumeGB = volume.sizeGB
        }
        // RunPod bills from placement, so the running time starts now.
        record.markRunning(at: created)
        let stored = record
        try store.update { state in
            state.pending.removeAll { $0.name == name }
            if let existing = state.record(id: stored.id) {
                // `list` in another process adopted it first; keep its intervals, add what we know.
                var merged = existing
                merged.createdByAutopod = true
                merged.gpuTypeId = stored.gpuTypeId
                merged.gpuDisplayName = stored.gpuDisplayName
                merged.cloudType = stored.cloudType
                if stored.pricePerHour > 0 { merged.pricePerHour = stored.pricePerHour }
                merged.storage = stored.storage
                merged.spotBid = stored.spotBid
                merged.networkVolumeId = stored.networkVolumeId
                state.upsert(merged)
            } else {
                state.upsert(stored)
            }
        }
        logger.debug("pod recorded", metadata: ["id": "\(record.id)", "name": "\(record.name)", "gpu": "\(record.gpuTypeId)", "price": "\(record.pricePerHour)"])
        events(.created(record))
        return record
    }

    static func shortReason(_ error: ProviderError) -> String {
        if case .capacity(let message) = error {
            return message.firstRange(of: ". ").map { String(message[..<$0.lowerBound]) } ?? message
        }
        return error.description
    }
}
