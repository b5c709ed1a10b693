import Foundation
import AutopodSupport

/// The simulated RunPod account and cloud: pods, stock, account keys, network volumes and armed
/// faults, shared by the GraphQL and REST APIs. Everything is guarded by one lock and every
/// method returns quickly; slow work (booting and tearing down pod processes) runs on
/// `bootQueue` or on the caller's (non-async) thread. The REST-only parts (logs, volumes,
/// billing, updates) live in extensions in other files and use the same lock and state.
final class SimCloud: @unchecked Sendable {
    let apiKey: String
    let bootDelay: Double
    let stateDirectory: String
    let useNamespaces: Bool
    /// The only user the pods' sshd admits: root as root, else whoever runs the simulator.
    let sshUser: String
    // Everything below is guarded by `lock`.
    let lock = NSLock()
    var pods: [String: PodRecord] = [:]
    var order: [String] = []
    /// Stock per GPU type id and cloud (true = secure); missing means High.
    var stock: [String: [Bool: StockStatus]] = [:]
    var faults: [FaultRule] = []
    /// The account's public keys as GraphQL's `pubKey` holds them (newline-separated); REST's
    /// `/v2/account/ssh-keys` reads and writes the same text as a list.
    var pubKey = ""
    var volumes: [String: NetworkVolume] = [:]
    /// The spot market's minimum bid per GPU type, where a test moved it (`POST /_sim/spot`).
    var spotFloors: [String: Double] = [:]
    var volumeOrder: [String] = []
    /// Open log streams by pod id and stream number.
    var logStreams: [String: [Int: LogStreamSubscriber]] = [:]
    /// Streams ever opened per pod (tests wait for theirs to be registered).
    var openedStreams: [String: Int] = [:]
    var nextStreamNumber = 0
    var shuttingDown = false
    let rateLimit = RateLimitWindows()
    /// The pods' time: uptime, billing and dates follow it, and so do the pods themselves.
    let clock: SimClock
    /// Where the API listens (loopback), once the server does; pods' API relays lead there.
    let apiAddress = LockedValue(PodAPIRelay.Target(host: "127.0.0.1", port: 0))
    private let bootQueue = DispatchQueue(label: "rpsim.boot", attributes: .concurrent)
    let log: @Sendable (String) -> Void

    init(
        apiKey: String, bootDelay: Double, stateDirectory: String, useNamespaces: Bool, clock: SimClock = SimClock(),
        log: @escaping @Sendable (String) -> Void
    ) {
        self.clock = clock
        self.apiKey = apiKey
        self.bootDelay = bootDelay
        self.stateDirectory = stateDirectory
        self.useNamespaces = useNamespaces
        self.log = log
        sshUser = Shell.isRoot ? "root" : (ProcessInfo.processInfo.environment["USER"] ?? "root")
    }

    // MARK: Auth

    func authenticate(_ key: String?) -> AuthScope? {
        guard let key, !key.isEmpty else { return nil }
        if key == apiKey { return .account }
        return lock.withLock {
            pods.values.first { $0.apiKey == key && !$0.terminated }.map { .pod($0.id) }
        }
    }

    // MARK: Queries

    func stockStatus(_ typeID: String, secure: Bool) -> StockStatus {
        lock.withLock { stock[typeID]?[secure] ?? .high }
    }

    func gpuTypes(id: String?) -> [[String: any Sendable]] {
        GPUType.catalogue.filter { id == nil || $0.id == id }.map { type in
            [
                "id": type.id, "displayName": type.displayName, "memoryInGb": type.memoryInGb,
                "manufacturer": "Nvidia", "cudaCores": type.cudaCores, "maxGpuCount": type.maxGpuCount,
                "secureCloud": true, "communityCloud": true,
                "securePrice": type.securePrice, "communityPrice": type.communityPrice,
                "oneWeekPrice": type.securePrice * 0.95, "oneMonthPrice": type.securePrice * 0.9,
                "threeMonthPrice": type.securePrice * 0.85,
                "secureSpotPrice": spotFloor(type.id, secure: true),
                "communitySpotPrice": spotFloor(type.id, secure: false),
                "gpuTypeId": type.id,
            ] as [String: any Sendable]
        }
    }

    /// `lowestPrice(input:)` for a type: the cheapest cloud allowed by `secureCloud` that can
    /// place `gpuCount` GPUs. Out of stock gives stockStatus and prices null, no counts.
    func lowestPrice(typeID: String, gpuCount: Int, secureCloud: Bool?, dataCenterId: String? = nil) -> [String: any Sendable] {
        guard let type = GPUType.find(typeID) else { return [:] }
        var clouds = secureCloud.map { [$0] } ?? [true, false]
        // One data centre: only the cloud it serves (an unknown one serves none).
        if let dataCenterId { clouds = clouds.filter { DataCenter.find(dataCenterId)?.secure == $0 } }
        var best: (Bool, StockStatus)?
        for secure in clouds {
            let status = stockStatus(typeID, secure: secure)
            guard status != .none, status.availableCounts(max: type.maxGpuCount).contains(gpuCount) else { continue }
            if best == nil || type.price(secure: secure) < type.price(secure: best!.0) { best = (secure, status) }
        }
        var result: [String: any Sendable] = [
            "gpuName": type.displayName, "gpuTypeId": type.id, "minMemory": 15 * gpuCount, "minVcpu": 4 * gpuCount,
            "countryCode": "RO",
        ]
        if let (secure, status) = best {
            result["stockStatus"] = status.rawValue
            result["uninterruptablePrice"] = type.price(secure: secure)
            result["minimumBidPrice"] = spotFloor(type.id, secure: secure)
            result["availableGpuCounts"] = status.availableCounts(max: type.maxGpuCount)
        } else {
            result["availableGpuCounts"] = [Int]()
        }
        return result
    }

    /// `dataCenters`: the secure data centre carries secure stock, the community one community
    /// stock; a type whose stock is None is left out, as RunPod leaves unavailable GPUs out.
    func dataCenters() -> [[String: any Sendable]] {
        DataCenter.all.map { centre in
            let availability: [[String: any Sendable]] = GPUType.catalogue.compactMap { type in
                let status = stockStatus(type.id, secure: centre.secure)
                guard status != .none else { return nil }
                return ["gpuTypeId": type.id, "displayName": type.displayName, "stockStatus": status.rawValue]
            }
            return ["id": centre.id, "name": centre.id, "location": centre.country, "gpuAvailability": availability]
        }
    }

    /// The `User` object; `pods` is resolved separately (only when asked for) by `pods(scope:)`.
    func myself(scope: AuthScope) -> [String: any Sendable] {
        lock.withLock {
            let visible = order.compactMap { pods[$0] }.filter { !$0.terminated && scope.allows($0.id) }
            let spend = visible.filter { $0.desiredStatus == "RUNNING" }.reduce(0) { $0 + $1.costPerHr }
            let networkVolumes: [[String: any Sendable]] = volumeOrder.compactMap { volumes[$0] }.map {
                ["id": $0.id, "name": $0.name, "size": $0.size, "dataCenterId": $0.dataCenter]
            }
            return [
                "id": "user_simulated", "email": "sim@runpod-sim.invalid", "pubKey": pubKey,
                "clientBalance": 100.0, "currentSpendPerHr": spend, "spendLimit": 80,
                // runpodctl's `user` and `doctor` ask for the notification settings.
                "notifyPodsStale": true, "notifyPodsGeneral": true, "notifyLowBalance": true,
                "networkVolumes": networkVolumes,
            ]
        }
    }

    /// `myself.pods`: live pods the caller may see (terminated pods are filtered out, as on RunPod).
    func pods(scope: AuthScope) -> [GraphQLObject] {
        let now = clock.now()
        return lock.withLock {
            order.compactMap { pods[$0] }.filter { !$0.terminated && scope.allows($0.id) }.map { $0.graphQLValue(now: now) }
        }
    }

    func pod(_ id: String, scope: AuthScope) throws(RunPodAPIError) -> GraphQLObject {
        try locked { () throws(RunPodAPIError) -> GraphQLObject in
            try livePod(id, scope: scope).graphQLValue(now: clock.now())
        }
    }

    // MARK: Mutations

    func updateUserSettings(pubKey newKey: String?, scope: AuthScope) throws(RunPodAPIError) -> [String: any Sendable] {
        guard scope == .account else { throw .forbidden("change account settings") }
        lock.withLock { if let newKey { pubKey = newKey } }
        return myself(scope: scope)
    }

    /// Places a pod (GraphQL's podFindAndDeployOnDemand, REST's POST /v2/pods) and starts its
    /// boot; returns the record, to be read under the lock.
    func create(_ request: CreatePodRequest, scope: AuthScope) throws(RunPodAPIError) -> PodRecord {
        guard scope == .account else { throw .forbidden("create pods") }
        guard let type = GPUType.find(request.gpuTypeId) else { throw .noInstances }
        guard request.gpuCount >= 1 else { throw .invalid("gpuCount must be at least 1.") }
        let cudaVersions = type.cudaVersions.filter { version in
            (request.allowedCudaVersions.isEmpty || request.allowedCudaVersions.contains(version))
                && request.minCudaVersion.map { Self.cudaAtLeast(version, $0) } ?? true
        }
        guard let cudaVersion = cudaVersions.last else { throw .noInstances }
        try SimTemplates.check(request.templateId)
        var clouds: [Bool] = request.cloudType == "SECURE" ? [true] : request.cloudType == "COMMUNITY" ? [false] : [true, false]
        // REST's list, or GraphQL's single centre: either limits where (and so on which cloud)
        // the pod may go; the network volume's centre limits it further.
        var centres = request.dataCenterIds
        if centres.isEmpty, let single = request.dataCenterId { centres = [single] }
        for id in centres where DataCenter.find(id) == nil {
            throw .invalid("Invalid data center ID \(id): no data center has that id.")
        }
        if let volumeID = request.networkVolumeId {
            guard let volume = lock.withLock({ volumes[volumeID] }) else {
                throw .invalid("Unknown network volume \(volumeID): this account has no network volume with that id.")
            }
            if !centres.isEmpty && !centres.contains(volume.dataCenter) {
                throw .invalid(
                    "Network volume \(volumeID) is in data center \(volume.dataCenter); a pod using it must be placed there, "
                        + "not in \(centres.joined(separator: ", ")).")
            }
            centres = [volume.dataCenter]
        }
        if let country = request.countryCode?.uppercased() {
            centres = (centres.isEmpty ? DataCenter.all.map(\.id) : centres).filter { DataCenter.find($0)?.countryCode == country }
            guard !centres.isEmpty else { throw .noInstances }
        }
        if !centres.isEmpty {
            clouds = clouds.filter { secure in centres.contains { DataCenter.find($0)?.secure == secure } }
        }
        var placeable = clouds.filter {
            stockStatus(type.id, secure: $0).availableCounts(max: type.maxGpuCount).contains(request.gpuCount)
        }
        guard !placeable.isEmpty else { throw .noInstances }
        if let bid = request.bidPerGpu {
            let floors = placeable.map { spotFloor(type.id, secure: $0) }
            let floor = floors.min() ?? 0
            guard bid >= floor else { throw .bidTooLow(bid: bid, minimum: floor, gpuType: type.id) }
            placeable = placeable.filter { bid >= spotFloor(type.id, secure: $0) }
        }
        if let ceiling = request.deployCost {
            let rate = { (secure: Bool) in (request.bidPerGpu ?? type.price(secure: secure)) * Double(request.gpuCount) }
            let lowest = placeable.map(rate).min() ?? 0
            placeable = placeable.filter { rate($0) <= ceiling + 1e-9 }
            guard !placeable.isEmpty else { throw .aboveDeployCost(ceiling: ceiling, lowest: lowest) }
        }
        let secure = placeable[0]
        let dataCenterId = centres.first { DataCenter.find($0)?.secure == secure } ?? DataCenter.serving(secure: secure).id
        var env = request.env
        let record: PodRecord = lock.withLock {
            if request.startSsh && !env.contains(where: { $0.0 == "PUBLIC_KEY" }) && !pubKey.isEmpty {
                env.append(("PUBLIC_KEY", pubKey))
            }
            if request.startJupyter && !env.contains(where: { $0.0 == "JUPYTER_PASSWORD" }) {
                env.append(("JUPYTER_PASSWORD", RandomID.make(length: 16)))
            }
            var id = RandomID.make(length: 14)
            while pods[id] != nil { id = RandomID.make(length: 14) }
            let now = clock.now()
            let record = PodRecord(
                id: id, name: request.name ?? Self.defaultName(image: request.imageName), gpuType: type,
                gpuCount: request.gpuCount, secureCloud: secure, dataCenterId: dataCenterId,
                imageName: request.imageName, dockerArgs: request.dockerArgs, env: env.map { "\($0.0)=\($0.1)" },
                ports: request.ports ?? "22/tcp", containerDiskInGb: request.containerDiskInGb,
                volumeInGb: request.networkVolumeId == nil ? request.volumeInGb : 0, volumeMountPath: request.volumeMountPath,
                networkVolumeId: request.networkVolumeId,
                vcpuCount: max(request.minVcpuCount, 8 * request.gpuCount),
                memoryInGb: max(request.minMemoryInGb, 31 * request.gpuCount), templateId: request.templateId,
                apiKey: "rpa_POD" + RandomID.make(length: 24).uppercased(), now: now, bootDelay: bootDelay,
                bidPerGpu: request.bidPerGpu)
            record.cudaVersion = cudaVersion
            record.log.append(
                .system, "create pod: \(type.id) x\(request.gpuCount), \(secure ? "SECURE" : "COMMUNITY") cloud, \(dataCenterId)", at: now)
            record.log.append(.system, "pulling image \(request.imageName.isEmpty ? "(template default)" : request.imageName)", at: now)
            pods[id] = record
            order.append(id)
            return record
        }
        log(
            "pod \(record.id) created: \(type.id) x\(request.gpuCount) \(secure ? "SECURE" : "COMMUNITY")"
                + (request.bidPerGpu.map { " spot at $\($0)/GPU/hr" } ?? ""))
        scheduleBoot(record.id)
        return record
    }

    /// GraphQL's create: the pod object as the mutation returns it.
    func createGraphQL(_ request: CreatePodRequest, scope: AuthScope) throws(RunPodAPIError) -> GraphQLObject {
        let record = try create(request, scope: scope)
        return lock.withLock { record.graphQLValue(now: clock.now()) }
    }

    /// Stops a pod (no-op unless it runs); returns the record, to be read under the lock.
    @discardableResult
    func stopPod(_ id: String, scope: AuthScope) throws(RunPodAPIError) -> PodRecord {
        let (pod, machine, entries) = try locked { () throws(RunPodAPIError) -> (PodRecord, PodMachine?, [PodLog.Entry]) in
            let pod = try livePod(id, scope: scope)
            var machine: PodMachine?
            var entries: [PodLog.Entry] = []
            if pod.desiredStatus == "RUNNING" {
                let now = clock.now()
                if pod.isUp(now: now) { pod.startedAt = pod.bootAt }
                pod.desiredStatus = "EXITED"
                pod.lastStatusChange = "Exited by User: " + RunPodDate.string(now)
                pod.generation += 1
                pod.closeRun(at: now)
                machine = pod.machine
                pod.machine = nil
                entries.append(pod.log.append(.container, "Received SIGTERM, shutting down.", at: now))
                entries.append(pod.log.append(.system, "stop container: exited by user", at: now))
            }
            return (pod, machine, entries)
        }
        publish(entries, of: id)
        machine?.destroy()
        log("pod \(id) stopped")
        return pod
    }

    func stop(_ id: String, scope: AuthScope) throws(RunPodAPIError) -> GraphQLObject {
        let pod = try stopPod(id, scope: scope)
        return lock.withLock { pod.graphQLValue(now: clock.now()) }
    }

    /// Starts a stopped pod on its machine again (GraphQL's podResume, REST's start action).
    @discardableResult
    func resumePod(_ id: String, gpuCount: Int?, bidPerGpu: Double? = nil, scope: AuthScope) throws(RunPodAPIError) -> PodRecord {
        let (pod, started, entries) = try locked { () throws(RunPodAPIError) -> (PodRecord, Bool, [PodLog.Entry]) in
            let pod = try livePod(id, scope: scope)
            // Resuming a running pod changes nothing (and must not boot a second machine).
            guard pod.desiredStatus != "RUNNING" else { return (pod, false, []) }
            if let bid = bidPerGpu {
                let floor = lockedSpotFloor(pod.gpuType.id, secure: pod.secureCloud)
                guard bid >= floor else { throw .bidTooLow(bid: bid, minimum: floor, gpuType: pod.gpuType.id) }
            }
            // The machine went to whoever outbid this pod: it cannot come back there yet.
            let count = gpuCount ?? pod.gpuCount
            // Zero GPUs always fit: RunPod's way to reach a volume whose machine is full.
            if count > 0 {
                guard !pod.hostBusy else { throw .notEnoughGPUs }
                let status = stock[pod.gpuType.id]?[pod.secureCloud] ?? .high
                guard status != .none, status.availableCounts(max: pod.gpuType.maxGpuCount).contains(count)
                else { throw .notEnoughGPUs }
            }
            if let bid = bidPerGpu { pod.bidPerGpu = bid }
            pod.gpuCount = count
            let now = clock.now()
            pod.desiredStatus = "RUNNING"
            pod.lastStatusChange = "Rented by User: " + RunPodDate.string(now)
            pod.lastStartedAt = now
            pod.bootAt = now.addingTimeInterval(bootDelay)
            pod.generation += 1
            pod.bootError = nil
            pod.openRun(at: now)
            let entry = pod.log.append(.system, "start pod: resuming on machine \(pod.machineId)", at: now)
            return (pod, true, [entry])
        }
        publish(entries, of: id)
        if started {
            scheduleBoot(id)
            log("pod \(id) resumed")
        }
        return pod
    }

    func resume(_ id: String, gpuCount: Int?, bidPerGpu: Double? = nil, scope: AuthScope) throws(RunPodAPIError) -> GraphQLObject {
        let pod = try resumePod(id, gpuCount: gpuCount, bidPerGpu: bidPerGpu, scope: scope)
        return lock.withLock { pod.graphQLValue(now: clock.now()) }
    }

    /// Restarts a running pod's container in place: new processes, the same billing run.
    @discardableResult
    func restartPod(_ id: String, scope: AuthScope) throws(RunPodAPIError) -> PodRecord {
        let (pod, machine, entries) = try locked { () throws(RunPodAPIError) -> (PodRecord, PodMachine?, [PodLog.Entry]) in
            let pod = try livePod(id, scope: scope)
            guard pod.desiredStatus == "RUNNING" else { return (pod, nil, []) }
            let now = clock.now()
            let machine = pod.machine
            pod.machine = nil
            pod.lastStartedAt = now
            pod.bootAt = now.addingTimeInterval(bootDelay)
            pod.generation += 1
            pod.bootError = nil
            var entries = [pod.log.append(.container, "Received SIGTERM, shutting down.", at: now)]
            entries.append(pod.log.append(.system, "restart container", at: now))
            return (pod, machine, entries)
        }
        publish(entries, of: id)
        machine?.destroy()
        scheduleBoot(id)
        log("pod \(id) restarted")
        return pod
    }

    func terminate(_ id: String, scope: AuthScope) throws(RunPodAPIError) {
        let (machine, entries, networkVolume) = try locked { () throws(RunPodAPIError) -> (PodMachine?, [PodLog.Entry], String?) in
            let pod = try livePod(id, scope: scope)
            let now = clock.now()
            if pod.isUp(now: now) { pod.startedAt = pod.bootAt }
            pod.terminated = true
            pod.terminatedAt = now
            pod.desiredStatus = "EXITED"
            pod.lastStatusChange = "Terminated by user: " + RunPodDate.string(now)
            pod.generation += 1
            pod.closeRun(at: now)
            let entry = pod.log.append(.system, "terminate pod: container and volume removed", at: now)
            defer { pod.machine = nil }
            return (pod.machine, [entry], pod.networkVolumeId)
        }
        publish(entries, of: id)
        finishLogStreams(of: id)
        machine?.destroy()
        // A network volume outlives its pods; a pod's own volume does not.
        if networkVolume == nil { try? FileManager.default.removeItem(atPath: volumeDirectory(id)) }
        log("pod \(id) terminated")
    }

    // MARK: Boot

    /// Host directory of a pod's volume (its /workspace): made on first boot, kept across stop
    /// and start, removed on terminate.
    func volumeDirectory(_ id: String) -> String { "\(stateDirectory)/volumes/\(id)" }

    /// Host directory of a network volume: shared by every pod that mounts it, kept until the
    /// volume is deleted.
    func networkVolumeDirectory(_ volumeID: String) -> String { "\(stateDirectory)/network-volumes/\(volumeID)" }

    /// Where a pod's /workspace lives on the host. Call under the lock.
    func workspaceDirectory(of pod: PodRecord) -> String {
        pod.networkVolumeId.map(networkVolumeDirectory) ?? volumeDirectory(pod.id)
    }

    private func scheduleBoot(_ id: String) {
        let spec: (PodMachine.Spec, Int)? = lock.withLock {
            guard !shuttingDown, let pod = pods[id], pod.desiredStatus == "RUNNING", pod.machine == nil else { return nil }
            let serial = ResourceNames.nextSerial()
            var environment: [(String, String)] = [
                ("RUNPOD_POD_ID", pod.id), ("RUNPOD_API_KEY", pod.apiKey), ("RUNPOD_POD_HOSTNAME", pod.podHostId),
                ("RUNPOD_GPU_COUNT", "\(pod.gpuCount)"), ("RUNPOD_CPU_COUNT", "\(pod.vcpuCount)"),
                ("RUNPOD_PUBLIC_IP", "127.0.0.1"), ("RUNPOD_DC_ID", pod.dataCenterId),
            ]
            for (key, value) in pod.envObject { environment.append((key, value)) }
            let spec = PodMachine.Spec(
                podID: pod.id, serial: serial, directory: "\(stateDirectory)/\(ResourceNames.prefix)\(getpid())-\(serial)",
                volumeDirectory: workspaceDirectory(of: pod), volumeMountPath: pod.volumeMountPath,
                authorizedKeys: (pod.publicKey ?? "") + "\n", environment: environment,
                httpPorts: pod.declaredPorts.filter { $0.1 == "http" }.map(\.0), useNamespaces: useNamespaces,
                avoidPublicPort: pod.lastPublicPort, gpuName: pod.gpuType.id, gpuMemoryMiB: pod.gpuType.memoryInGb * 1024,
                gpuUUIDs: Array(pod.gpuUUIDs.prefix(pod.gpuCount)), cudaVersion: pod.cudaVersion,
                usage: pod.usage.stateFileText, api: apiAddress.current,
                clock: SimClock.fileText(clock.current), keptHostKey: pod.keptHostKey)
            return (spec, pod.generation)
        }
        guard let (spec, generation) = spec else { return }
        bootQueue.async { [self] in
            let machine: PodMachine
            do {
                machine = try PodMachine.boot(spec)
            } catch {
                log("pod \(spec.podID) failed to boot: \(error)")
                let entries: [PodLog.Entry] = lock.withLock {
                    guard let pod = pods[spec.podID], pod.generation == generation else { return [] }
                    pod.bootError = "\(error)"
                    return [pod.log.append(.system, "error starting container: \(error)", at: clock.now())]
                }
                publish(entries, of: spec.podID)
                return
            }
            let (keep, entries): (Bool, [PodLog.Entry]) = lock.withLock {
                guard !shuttingDown, let pod = pods[spec.podID], pod.generation == generation, !pod.terminated,
                    pod.desiredStatus == "RUNNING", pod.machine == nil
                else { return (false, []) }
                pod.machine = machine
                pod.lastPublicPort = machine.proxy.port
                machine.proxy.latencyMs = pod.latencyMs
                machine.proxy.bandwidth = pod.bandwidth
                // Utilisation set while the machine booted reaches its nvidia-smi now, and a clock
                // moved meanwhile its clock file.
                machine.writeUsage(pod.usage.stateFileText)
                machine.writeClock(SimClock.fileText(clock.current))
                return (true, Self.startUpLines(pod).map { pod.log.append($0.0, $0.1, at: clock.now()) })
            }
            if !keep {
                machine.destroy()
                return
            }
            publish(entries, of: spec.podID)
            let up = lock.withLock { pods[spec.podID]?.networkUp ?? true }
            if !up { machine.setNetwork(up: false) }
        }
    }

    /// What a RunPod image's start script prints, and the host's line for the container start.
    private static func startUpLines(_ pod: PodRecord) -> [(PodLog.Source, String)] {
        var lines: [(PodLog.Source, String)] = [
            (.system, "start container for \(pod.imageName.isEmpty ? "image" : pod.imageName): begin"),
            (.container, "Pod Started"),
        ]
        if pod.publicKey != nil {
            lines.append((.container, "Setting up SSH..."))
            lines.append((.container, "Starting SSH server..."))
        }
        if pod.declaredPorts.contains(where: { $0 == (8888, "http") }) {
            lines.append((.container, "Starting Jupyter Lab on port 8888..."))
        }
        lines.append((.container, "Start script(s) finished, pod is ready to use."))
        return lines
    }

    /// Stops every pod's processes and removes their namespaces (SIGINT/SIGTERM, `stop()`).
    func shutdown() {
        let (machines, streams): ([PodMachine], [LogStreamSubscriber]) = lock.withLock {
            shuttingDown = true
            let machines = pods.values.compactMap { pod in
                defer { pod.machine = nil }
                return pod.machine
            }
            let streams = logStreams.values.flatMap(\.values)
            logStreams = [:]
            return (machines, streams)
        }
        streams.forEach { $0.continuation.finish() }
        DispatchQueue.concurrentPerform(iterations: machines.count) { machines[$0].destroy() }
        // Boots still in flight see `shuttingDown` and destroy what they made; wait for them.
        bootQueue.sync(flags: .barrier) {}
    }

    // MARK: Control API

    func setStock(typeID: String, status: StockStatus, secure: Bool?) throws(SimulatorError) {
        guard GPUType.find(typeID) != nil else { throw .badArgument("unknown gpuTypeId \(typeID)") }
        lock.withLock {
            for cloud in secure.map({ [$0] }) ?? [true, false] { stock[typeID, default: [:]][cloud] = status }
        }
    }

    func addFault(_ rule: FaultRule) {
        lock.withLock { faults.append(rule) }
    }

    /// Takes one use of the first armed fault matching this request.
    func takeFault(_ call: FaultRule.Call) -> FaultRule? {
        lock.withLock {
            guard let index = faults.firstIndex(where: { $0.matches(call) }) else { return nil }
            let rule = faults[index]
            faults[index].remaining -= 1
            if faults[index].remaining <= 0 { faults.remove(at: index) }
            return rule
        }
    }

    enum ControlFailure: Error {
        case notFound(String)
        case conflict(String)
    }

    private func machine(of id: String) throws(ControlFailure) -> (PodRecord, PodMachine) {
        try locked { () throws(ControlFailure) -> (PodRecord, PodMachine) in
            guard let pod = pods[id] else { throw .notFound("no pod \(id)") }
            guard let machine = pod.machine else { throw .conflict("pod \(id) has no running processes (status \(pod.desiredStatus), still booting, or terminated)") }
            return (pod, machine)
        }
    }

    func sshdAction(_ id: String, action: String) throws(ControlFailure) {
        let (_, machine) = try machine(of: id)
        switch action {
        case "kill": machine.sshd.stop(signal: SIGKILL)
        case "restart":
            do { try machine.sshd.restart() } catch { throw .conflict("\(error)") }
        case "rekey":
            do { try machine.sshd.rekey() } catch { throw .conflict("\(error)") }
        case "keep-host-key":
            // Copied out of the machine's folder, which goes when the pod stops.
            let kept = "\(stateDirectory)/\(ResourceNames.prefix)\(getpid())-hostkey-\(id)"
            let fm = FileManager.default
            try? fm.removeItem(atPath: kept)
            try? fm.removeItem(atPath: kept + ".pub")
            do {
                try fm.copyItem(atPath: machine.sshd.hostKeyPath, toPath: kept)
                try fm.copyItem(atPath: machine.sshd.hostKeyPath + ".pub", toPath: kept + ".pub")
            } catch {
                throw .conflict("cannot keep the host key: \(error)")
            }
            locked { pods[id]?.keptHostKey = kept }
        default: throw .conflict("unknown action \(action); use restart, kill, rekey or keep-host-key")
        }
    }

    func setNetwork(_ id: String, up: Bool) throws(ControlFailure) {
        try machine(id) { $0.networkUp = up }?.setNetwork(up: up)
    }

    func setLatency(_ id: String, ms: Int) throws(ControlFailure) {
        try machine(id) { $0.latencyMs = max(0, ms) }?.proxy.latencyMs = ms
    }

    func setBandwidth(_ id: String, bytesPerSecond: Int) throws(ControlFailure) {
        try machine(id) { $0.bandwidth = max(0, bytesPerSecond) }?.proxy.bandwidth = bytesPerSecond
    }

    /// Records a change to pod `id` under the lock and returns its machine (nil while it is not
    /// running), which the caller changes outside the lock.
    private func machine(_ id: String, _ change: (PodRecord) -> Void) throws(ControlFailure) -> PodMachine? {
        try locked { () throws(ControlFailure) -> PodMachine? in
            guard let pod = pods[id] else { throw .notFound("no pod \(id)") }
            change(pod)
            return pod.machine
        }
    }

    /// Sets GPU utilisation (one GPU by `index`, or all), as `POST /_sim/pods/ID/gpu` asks.
    func setGPUUsage(_ id: String, util: Int?, memoryUtil: Int?, index: Int?) throws(ControlFailure) {
        try locked { () throws(ControlFailure) in
            guard let pod = pods[id] else { throw .notFound("no pod \(id)") }
            let indices = index.map { [$0] } ?? Array(pod.usage.gpus.indices)
            guard indices.allSatisfy({ pod.usage.gpus.indices.contains($0) }) else {
                throw .conflict("pod \(id) has no GPU \(index ?? -1)")
            }
            for gpu in indices {
                if let util { pod.usage.gpus[gpu].util = Self.percent(util) }
                if let memoryUtil { pod.usage.gpus[gpu].memoryUtil = Self.percent(memoryUtil) }
            }
            pod.machine?.writeUsage(pod.usage.stateFileText)
        }
    }

    /// Moves the clock on (`advanceSeconds`) or changes its speed (`scale`), and tells every
    /// running pod; returns the new anchor.
    func changeClock(advance seconds: Double?, scale: Double?) -> SimClock.Anchor {
        // Under the lock, so a pod that boots meanwhile cannot write an older anchor last.
        lock.withLock {
            if let scale { clock.setScale(scale) }
            if let seconds { clock.advance(by: seconds) }
            let text = SimClock.fileText(clock.current)
            for pod in pods.values { pod.machine?.writeClock(text) }
            return clock.current
        }
    }

    /// Sets container CPU and memory utilisation (`POST /_sim/pods/ID/usage`).
    func setUsage(_ id: String, cpu: Int?, memory: Int?) throws(ControlFailure) {
        try locked { () throws(ControlFailure) in
            guard let pod = pods[id] else { throw .notFound("no pod \(id)") }
            if let cpu { pod.usage.cpu = Self.percent(cpu) }
            if let memory { pod.usage.memory = Self.percent(memory) }
        }
    }

    func listPods() -> [[String: Any]] {
        lock.withLock {
            order.compactMap { pods[$0] }.map {
                [
                    "id": $0.id, "name": $0.name, "gpuTypeId": $0.gpuType.id, "gpuCount": $0.gpuCount,
                    "desiredStatus": $0.desiredStatus, "terminated": $0.terminated,
                ]
            }
        }
    }

    func podDetails(_ id: String) -> [String: Any]? {
        let found: ([String: Any], PodMachine?)? = lock.withLock {
            guard let pod = pods[id] else { return nil }
            var details: [String: Any] = [
                "id": pod.id, "name": pod.name, "desiredStatus": pod.desiredStatus, "terminated": pod.terminated,
                "apiKey": pod.apiKey, "networkUp": pod.networkUp, "latencyMs": pod.latencyMs, "bandwidth": pod.bandwidth,
                "booted": pod.machine != nil, "podHostId": pod.podHostId, "lastStatusChange": pod.lastStatusChange,
                "authorizedKeys": pod.publicKey ?? "", "status": pod.restStatus(now: clock.now()),
                "volume": workspaceDirectory(of: pod), "volumeMountPath": pod.volumeMountPath,
            ]
            if let error = pod.bootError { details["bootError"] = error }
            if let machine = pod.machine {
                details["podAddress"] = machine.network.podAddress
                details["hostAddress"] = machine.network.hostAddress ?? NSNull()
                details["namespace"] = machine.network.namespace ?? NSNull()
                details["sshdPort"] = Int(machine.sshd.port)
                details["sshdPid"] = machine.sshd.pid.map { Int($0) } ?? NSNull()
                details["publicSshPort"] = Int(machine.proxy.port)
                details["hostPublicKey"] = machine.sshd.hostPublicKey
                details["directory"] = machine.directory
                details["clockFile"] = PodMachine.clockPath(machine.directory)
                details["apiURL"] = machine.apiRelay?.url ?? apiAddress.current.url
                if let cgroup = machine.cgroup { details["cgroup"] = cgroup.path }
                details["containerDisk"] = machine.filesystem.isolated ? machine.filesystem.upper : machine.filesystem.containerDisk
                details["environmentFile"] = machine.filesystem.environmentFile
                var http: [String: String] = [:]
                for responder in machine.responders {
                    let port = machine.network.namespace == nil ? Int(responder.boundPort) : responder.podPort
                    http["\(responder.podPort)"] = "\(machine.network.podAddress):\(port)"
                }
                details["httpPorts"] = http
            }
            return (details, pod.machine)
        }
        guard let (fields, machine) = found else { return nil }
        var details = fields
        // Outside the lock: this may run ssh-keygen.
        if let machine { details["hostKeyFingerprint"] = machine.sshd.hostKeyFingerprint }
        return details
    }

    // MARK: Helpers

    /// `NSLock.withLock` with typed throws, which the Foundation version lacks.
    func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// A pod the caller may see: unknown, terminated and other pods (for a pod key) are errors.
    /// Call under the lock.
    func livePod(_ id: String, scope: AuthScope) throws(RunPodAPIError) -> PodRecord {
        guard let pod = pods[id], !pod.terminated, scope.allows(id) else { throw .podNotFound(id) }
        return pod
    }

    private static func percent(_ value: Int) -> Int { min(100, max(0, value)) }

    /// "12.10" is above "12.9": versions compare as numbers, part by part.
    static func cudaAtLeast(_ version: String, _ floor: String) -> Bool {
        let a = version.split(separator: ".").map { Int($0) ?? 0 }
        let b = floor.split(separator: ".").map { Int($0) ?? 0 }
        return a.lexicographicallyPrecedes(b) == false
    }

    private static func defaultName(image: String) -> String {
        let base = image.split(separator: "/").last.map(String.init) ?? image
        return base.split(separator: ":").first.map(String.init) ?? "pod"
    }
}
