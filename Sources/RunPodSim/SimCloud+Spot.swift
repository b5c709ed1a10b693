import Foundation

/// The spot market: minimum bids, outbidding (preemption) and the machine an outbid pod lost.
extension SimCloud {
    /// The minimum bid per GPU per hour for a type on a cloud: half the on-demand price unless a
    /// test moved the market. Call under the lock.
    func lockedSpotFloor(_ typeID: String, secure: Bool) -> Double {
        guard let type = GPUType.find(typeID) else { return 0 }
        let standard = (type.price(secure: secure) * 0.5 * 100).rounded() / 100
        return spotFloors[typeID] ?? standard
    }

    func spotFloor(_ typeID: String, secure: Bool) -> Double {
        lock.withLock { lockedSpotFloor(typeID, secure: secure) }
    }

    /// Moves the market (`POST /_sim/spot`): every running spot pod of the type whose bid is now
    /// below the floor is outbid. Returns the ids of the pods that lost their machine.
    func setSpotFloor(typeID: String, price: Double) throws(SimulatorError) -> [String] {
        guard GPUType.find(typeID) != nil else { throw .badArgument("unknown gpuTypeId \(typeID)") }
        let losers: [String] = lock.withLock {
            spotFloors[typeID] = price
            return order.compactMap { pods[$0] }.filter {
                !$0.terminated && $0.desiredStatus == "RUNNING" && $0.gpuType.id == typeID && ($0.bidPerGpu ?? .infinity) < price
            }.map(\.id)
        }
        for id in losers { try? preempt(id, hostBusy: true, status: "EXITED") }
        return losers
    }

    /// RunPod takes a spot pod back: its processes go, `desiredStatus` becomes EXITED (or
    /// TERMINATED, the other outbid path) with "Outbid: <date>", the volume stays. With
    /// `hostBusy` the machine serves someone else, so a bid resume fails until it is freed.
    func preempt(_ id: String, hostBusy: Bool, status: String) throws(ControlFailure) {
        let (machine, entries) = try locked { () throws(ControlFailure) -> (PodMachine?, [PodLog.Entry]) in
            guard let pod = pods[id], !pod.terminated else { throw .notFound("no pod \(id)") }
            guard pod.bidPerGpu != nil else { throw .conflict("pod \(id) is on demand; only spot pods are outbid") }
            guard pod.desiredStatus == "RUNNING" else { throw .conflict("pod \(id) is \(pod.desiredStatus), not running") }
            let now = clock.now()
            if pod.isUp(now: now) { pod.startedAt = pod.bootAt }
            pod.desiredStatus = status
            pod.lastStatusChange = "Outbid: " + RunPodDate.string(now)
            pod.hostBusy = hostBusy
            pod.generation += 1
            pod.closeRun(at: now)
            let machine = pod.machine
            pod.machine = nil
            let entries = [
                pod.log.append(.container, "Received SIGTERM, shutting down.", at: now),
                pod.log.append(.system, "stop container: outbid (spot pod interrupted)", at: now),
            ]
            return (machine, entries)
        }
        publish(entries, of: id)
        machine?.destroy()
        log("pod \(id) outbid")
    }

    /// Frees (or takes) the machine an outbid pod ran on (`POST /_sim/pods/ID/host`).
    func setHostBusy(_ id: String, busy: Bool) throws(ControlFailure) {
        try locked { () throws(ControlFailure) in
            guard let pod = pods[id] else { throw .notFound("no pod \(id)") }
            pod.hostBusy = busy
        }
    }
}
