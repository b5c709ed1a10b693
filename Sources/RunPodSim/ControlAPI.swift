import AutopodSupport
import Foundation
import FlyingFox

/// `/_sim/...`: the unauthenticated control API tests use to shape the world (stock, faults,
/// pods' processes, network, utilisation and logs) and to read the truth (every pod ever
/// created).
struct ControlAPI: Sendable {
    let cloud: SimCloud

    func handle(method: String, path: String, body: Data) async -> (Int, Data) {
        let parts = path.split(separator: "/").map(String.init)  // ["_sim", ...]
        let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        switch (method, Array(parts.dropFirst())) {
        case ("POST", ["stock"]):
            guard let type = json["gpuTypeId"] as? String, let raw = json["stockStatus"] as? String,
                let status = StockStatus(rawValue: raw)
            else { return Self.fail(400, "need {\"gpuTypeId\": ..., \"stockStatus\": \"High|Medium|Low|None\"}") }
            let cloudType = json["cloudType"] as? String
            let secure: Bool? = cloudType == "SECURE" ? true : cloudType == "COMMUNITY" ? false : nil
            do { try cloud.setStock(typeID: type, status: status, secure: secure) } catch {
                return Self.fail(400, error.description)
            }
            return Self.ok(["ok": true])
        case ("POST", ["spot"]):
            guard let type = json["gpuTypeId"] as? String, let price = (json["minimumBid"] as? NSNumber)?.doubleValue, price > 0 else {
                return Self.fail(400, "need {\"gpuTypeId\": ..., \"minimumBid\": dollars per GPU per hour}")
            }
            let outbid: [String]
            do { outbid = try await Self.offloadThrowing { try cloud.setSpotFloor(typeID: type, price: price) } } catch {
                return Self.fail(400, "\(error)")
            }
            return Self.ok(["ok": true, "outbid": outbid])
        case ("POST", ["faults"]):
            var api: FaultRule.API?
            if let name = json["api"] as? String {
                guard let known = FaultRule.API(rawValue: name.lowercased()) else { return Self.fail(400, "\"api\" is \"graphql\" or \"rest\"") }
                api = known
            }
            let rule = FaultRule(
                status: json["status"] as? Int, delayMs: json["delayMs"] as? Int ?? 0,
                remaining: json["count"] as? Int ?? 1, afterCommit: json["afterCommit"] as? Bool ?? false,
                operation: json["operation"] as? String, message: json["message"] as? String, api: api,
                path: json["path"] as? String, method: json["method"] as? String, retryAfter: json["retryAfter"] as? Int)
            guard rule.status != nil || rule.delayMs > 0 else { return Self.fail(400, "need \"status\" and/or \"delayMs\"") }
            cloud.addFault(rule)
            return Self.ok(["ok": true])
        case ("GET", ["clock"]):
            return Self.ok(Self.clockReply(cloud.clock.current))
        case ("POST", ["clock"]):
            let advance = (json["advanceSeconds"] as? NSNumber)?.doubleValue
            let scale = (json["scale"] as? NSNumber)?.doubleValue
            guard advance != nil || scale != nil else {
                return Self.fail(400, "need {\"advanceSeconds\": N} and/or {\"scale\": X}")
            }
            if let advance, advance < 0 { return Self.fail(400, "the clock only goes forward: advanceSeconds must be >= 0") }
            if let scale, scale <= 0 { return Self.fail(400, "scale must be > 0") }
            return Self.ok(Self.clockReply(cloud.changeClock(advance: advance, scale: scale)))
        case ("GET", ["pods"]):
            return Self.ok(["pods": cloud.listPods()])
        case ("GET", let rest) where rest.count == 2 && rest[0] == "pods":
            guard let details = cloud.podDetails(rest[1]) else { return Self.fail(404, "no pod \(rest[1])") }
            return Self.ok(details)
        case ("POST", let rest) where rest.count == 3 && rest[0] == "pods":
            let id = rest[1]
            // Pull typed values out first: the JSON dictionary is not Sendable.
            let action = json["action"] as? String ?? ""
            let upValue = json["up"] as? Bool
            let msValue = json["ms"] as? Int
            let util = json["util"] as? Int
            let memoryUtil = json["memoryUtil"] as? Int
            let index = json["index"] as? Int
            let cpu = json["cpu"] as? Int
            let memory = json["memory"] as? Int
            let lines = (json["lines"] as? [String]) ?? (json["line"] as? String).map { [$0] }
            let sourceName = json["source"] as? String ?? "container"
            let rateValue = json["bytesPerSecond"] as? Int
            let hostBusy = json["hostBusy"] as? Bool ?? true
            let busy = json["busy"] as? Bool
            let preemptStatus = json["status"] as? String ?? "EXITED"
            let cut = LockedValue(0)
            let done: (Int, Data) = await Self.offload {
                do {
                    switch rest[2] {
                    case "gpu":
                        guard util != nil || memoryUtil != nil else { return Self.fail(400, "need {\"util\": N, \"memoryUtil\": N}") }
                        try cloud.setGPUUsage(id, util: util, memoryUtil: memoryUtil, index: index)
                    case "usage":
                        guard cpu != nil || memory != nil else { return Self.fail(400, "need {\"cpu\": N, \"memory\": N}") }
                        try cloud.setUsage(id, cpu: cpu, memory: memory)
                    case "log":
                        guard let lines else { return Self.fail(400, "need {\"line\": \"...\"} or {\"lines\": [...]}") }
                        guard let source = PodLog.Source(rawValue: sourceName) else {
                            return Self.fail(400, "\"source\" is \"container\" or \"system\"")
                        }
                        try cloud.appendLog(id, lines: lines, source: source)
                    case "log-streams":
                        guard action == "cut" else { return Self.fail(400, "need {\"action\": \"cut\"}") }
                        cut.set(try cloud.cutLogStreams(of: id))
                    case "sshd": try cloud.sshdAction(id, action: action)
                    case "network":
                        guard let up = upValue else { return Self.fail(400, "need {\"up\": true|false}") }
                        try cloud.setNetwork(id, up: up)
                    case "latency":
                        guard let ms = msValue else { return Self.fail(400, "need {\"ms\": N}") }
                        try cloud.setLatency(id, ms: ms)
                    case "bandwidth":
                        guard let rate = rateValue else { return Self.fail(400, "need {\"bytesPerSecond\": N} (0 = unlimited)") }
                        try cloud.setBandwidth(id, bytesPerSecond: rate)
                    case "preempt":
                        guard ["EXITED", "TERMINATED"].contains(preemptStatus) else {
                            return Self.fail(400, "\"status\" is \"EXITED\" or \"TERMINATED\"")
                        }
                        try cloud.preempt(id, hostBusy: hostBusy, status: preemptStatus)
                    case "host":
                        guard let busy else { return Self.fail(400, "need {\"busy\": true|false}") }
                        try cloud.setHostBusy(id, busy: busy)
                    default: return Self.fail(404, "unknown pod action \(rest[2])")
                    }
                } catch SimCloud.ControlFailure.notFound(let message) {
                    return Self.fail(404, message)
                } catch SimCloud.ControlFailure.conflict(let message) {
                    return Self.fail(409, message)
                } catch {
                    return Self.fail(500, "\(error)")
                }
                return Self.ok(["ok": true])
            }
            if rest[2] == "log-streams" && done.0 == 200 { return Self.ok(["ok": true, "cut": cut.current]) }
            return done
        case ("GET", let rest) where rest.count == 3 && rest[0] == "pods" && rest[2] == "log-streams":
            let counts = cloud.logStreamCounts(of: rest[1])
            return Self.ok(["open": counts.open, "opened": counts.opened])
        default:
            return Self.fail(404, "unknown control endpoint \(method) \(path)")
        }
    }

    /// The clock as tests read it: simulated now (epoch seconds and RFC 3339), its speed, and
    /// how far ahead of real time it runs.
    private static func clockReply(_ anchor: SimClock.Anchor) -> [String: Any] {
        let real = Date()
        let now = SimClock.time(anchor, real: real)
        return [
            "now": RFC3339.string(now), "epochSeconds": now.timeIntervalSince1970, "scale": anchor.scale,
            "aheadSeconds": now.timeIntervalSince(real),
        ]
    }

    private static func ok(_ object: [String: Any]) -> (Int, Data) {
        (200, (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    private static func fail(_ status: Int, _ message: String) -> (Int, Data) {
        (status, (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data())
    }

    private static func offloadThrowing<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    private static func offload(_ work: @escaping @Sendable () -> (Int, Data)) async -> (Int, Data) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
