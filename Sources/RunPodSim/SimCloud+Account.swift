import Foundation

/// What REST v2 adds over GraphQL: pods as REST reads them, PATCH, the account's keys as a
/// list, network volumes, and the running intervals billing charges from.
extension SimCloud {
    // MARK: Pods

    /// `GET /v2/pods`: live pods the caller may see, as GraphQL's `myself.pods`.
    func restPods(scope: AuthScope) -> [JSONNode] {
        let now = clock.now()
        return lock.withLock {
            order.compactMap { pods[$0] }.filter { !$0.terminated && scope.allows($0.id) }
                .map { $0.restValue(now: now, sshUser: sshUser) }
        }
    }

    /// `GET /v2/pods/{id}`: a terminated pod still answers, with status TERMINATED.
    func restPod(_ id: String, scope: AuthScope) throws(RESTProblem) -> JSONNode {
        try locked { () throws(RESTProblem) -> JSONNode in
            guard let pod = pods[id], scope.allows(id) else { throw .podNotFound }
            return pod.restValue(now: clock.now(), sshUser: sshUser)
        }
    }

    /// The REST view of a record just changed (create, actions).
    func restValue(of pod: PodRecord) -> JSONNode {
        lock.withLock { pod.restValue(now: clock.now(), sshUser: sshUser) }
    }

    /// The pod's status and allowed actions now (the action endpoint's 409 check).
    func restStatus(_ id: String, scope: AuthScope) throws(RESTProblem) -> (status: String, actions: [String]) {
        try locked { () throws(RESTProblem) -> (status: String, actions: [String]) in
            guard let pod = pods[id], scope.allows(id) else { throw .podNotFound }
            let status = pod.restStatus(now: clock.now())
            return (status, PodRecord.actions(status: status, locked: pod.locked))
        }
    }

    /// `PATCH /v2/pods/{id}`: name, lock and ports apply at once; image, args, env and disk
    /// on the pod's next start, as on RunPod.
    func update(_ id: String, scope: AuthScope, _ patch: PodPatch) throws(RESTProblem) -> JSONNode {
        try locked { () throws(RESTProblem) -> JSONNode in
            guard let pod = pods[id], !pod.terminated, scope.allows(id) else { throw .podNotFound }
            if let network = patch.network {
                guard let mount = network.first else { throw .badRequest("mounts.network: clearing mounts is not supported") }
                guard let current = pod.networkVolumeId else {
                    throw .badRequest("mounts: the pod was created without a network mount; the mount kind is fixed at create")
                }
                guard mount.volumeId == current else {
                    throw .badRequest("mounts.network[0].volumeId: a network mount's volume cannot be changed")
                }
            }
            if patch.persistent != nil && (pod.networkVolumeId != nil || pod.volumeInGb == 0) {
                throw .badRequest("mounts: the pod was created without a persistent mount; the mount kind is fixed at create")
            }
            if let name = patch.name { pod.name = name }
            if let image = patch.image { pod.imageName = image }
            if let args = patch.args { pod.dockerArgs = args }
            if let disk = patch.disk { pod.containerDiskInGb = disk }
            if let ports = patch.ports { pod.setPorts(ports) }
            if let env = patch.env { pod.env = env.map { "\($0.0)=\($0.1)" } }
            if let locked = patch.locked { pod.locked = locked }
            if let persistent = patch.persistent {
                pod.volumeInGb = persistent.size
                pod.volumeMountPath = persistent.path
            }
            if let path = patch.network?.first?.path { pod.volumeMountPath = path }
            return pod.restValue(now: clock.now(), sshUser: sshUser)
        }
    }

    // MARK: Account keys

    /// The registered keys, one per line of GraphQL's `pubKey` (blank lines dropped).
    func accountKeys() -> [String] {
        lock.withLock {
            pubKey.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// `PUT /v2/account/ssh-keys`: replaces the whole set, which GraphQL's `pubKey` then reads.
    func setAccountKeys(_ keys: [String], scope: AuthScope) throws(RESTProblem) -> [String] {
        guard scope == .account else { throw .forbidden("access denied: a pod-scoped API key cannot change account settings") }
        lock.withLock { pubKey = keys.joined(separator: "\n") }
        return accountKeys()
    }

    // MARK: Network volumes

    func networkVolumes() -> [NetworkVolume] {
        lock.withLock { volumeOrder.compactMap { volumes[$0] } }
    }

    func networkVolume(_ id: String) throws(RESTProblem) -> NetworkVolume {
        guard let volume = lock.withLock({ volumes[id] }) else { throw .notFound("network volume not found") }
        return volume
    }

    func createNetworkVolume(name: String, size: Int, dataCenter: String, type: String?, scope: AuthScope) throws(RESTProblem)
        -> NetworkVolume
    {
        guard scope == .account else { throw .forbidden("access denied: a pod-scoped API key cannot create network volumes") }
        guard let centre = DataCenter.find(dataCenter) else { throw .badRequest("unknown data center \(dataCenter)") }
        let tier = type ?? centre.networkVolumeTypes.first ?? "STANDARD"
        guard centre.networkVolumeTypes.contains(tier) else {
            throw .badRequest("data center \(dataCenter) does not offer \(tier) network volumes")
        }
        return lock.withLock {
            var id = RandomID.make(length: 10)
            while volumes[id] != nil { id = RandomID.make(length: 10) }
            let volume = NetworkVolume(id: id, name: name, size: size, dataCenter: dataCenter, type: tier, createdAt: clock.now())
            volumes[id] = volume
            volumeOrder.append(id)
            return volume
        }
    }

    func updateNetworkVolume(_ id: String, name: String?, size: Int?, scope: AuthScope) throws(RESTProblem) -> NetworkVolume {
        guard scope == .account else { throw .forbidden("access denied: a pod-scoped API key cannot change network volumes") }
        return try locked { () throws(RESTProblem) -> NetworkVolume in
            guard var volume = volumes[id] else { throw .notFound("network volume not found") }
            if let size {
                guard size >= volume.size else {
                    throw .badRequest("size: network volume storage cannot be reduced (now \(volume.size) GB, asked \(size) GB)")
                }
                volume.size = size
            }
            if let name { volume.name = name }
            volumes[id] = volume
            return volume
        }
    }

    func deleteNetworkVolume(_ id: String, scope: AuthScope) throws(RESTProblem) {
        guard scope == .account else { throw .forbidden("access denied: a pod-scoped API key cannot delete network volumes") }
        try locked { () throws(RESTProblem) in
            guard volumes[id] != nil else { throw .notFound("network volume not found") }
            if let user = order.compactMap({ pods[$0] }).first(where: { !$0.terminated && $0.networkVolumeId == id }) {
                throw .conflict("network volume \(id) is mounted by pod \(user.id); terminate the pod first")
            }
            volumes.removeValue(forKey: id)
            volumeOrder.removeAll { $0 == id }
        }
        try? FileManager.default.removeItem(atPath: networkVolumeDirectory(id))
    }

    // MARK: Billing

    /// The pods `GET /v2/billing/pods` charges, terminated ones included, as the caller may see them.
    func billingSubjects(scope: AuthScope, podID: String?) -> [PodBilling.Subject] {
        lock.withLock {
            order.compactMap { pods[$0] }.filter { scope.allows($0.id) && (podID == nil || $0.id == podID) }.map { pod in
                PodBilling.Subject(
                    podID: pod.id, createdAt: pod.createdAt, terminatedAt: pod.terminatedAt, runs: pod.runIntervals,
                    containerDiskGB: pod.containerDiskInGb, volumeGB: pod.networkVolumeId == nil ? pod.volumeInGb : 0)
            }
        }
    }
}
