import AutopodSupport
import Foundation
import FlyingFox

/// `/_sim/...`: the unauthenticated control API tests use to shape the world (stock, faults,
/// pods' processes and network) and to read the truth (every pod ever created).
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
        case ("POST", ["faults"]):
            let rule = FaultRule(
                status: json["status"] as? Int, delayMs: json["delayMs"] as? Int ?? 0,
                remaining: json["count"] as? Int ?? 1, afterCommit: json["afterCommit"] as? Bool ?? false,
                operation: json["operation"] as? String, message: json["message"] as? String)
            guard rule.status != nil || rule.delayMs > 0 else { return Self.fail(400, "need \"status\" and/or \"delayMs\"") }
            cloud.addFault(rule)
            return Self.ok(["ok": true])
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
            let rateValue = json["bytesPerSecond"] as? Int
            return await Self.offload {
                do {
                    switch rest[2] {
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
        default:
            return Self.fail(404, "unknown control endpoint \(method) \(path)")
        }
    }

    private static func ok(_ object: [String: Any]) -> (Int, Data) {
        (200, (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    private static func fail(_ status: Int, _ message: String) -> (Int, Data) {
        (status, (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data())
    }

    private static func offload(_ work: @escaping @Sendable () -> (Int, Data)) async -> (Int, Data) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
