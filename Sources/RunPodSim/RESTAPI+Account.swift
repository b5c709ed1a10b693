import Foundation

/// `/v2/account/ssh-keys`, `/v2/network-volumes` and `/v2/billing/pods`.
extension RESTAPI {
    func updateSshKeys(_ call: Call) throws(RESTProblem) -> Reply {
        let body = try Self.body(call, .sshKeys)
        let keys = body["keys"]?.array?.compactMap(\.string) ?? []
        return .json(200, .object(["keys": .strings(try cloud.setAccountKeys(keys, scope: call.scope))]))
    }

    func createNetworkVolume(_ call: Call) throws(RESTProblem) -> Reply {
        let body = try Self.body(call, .createNetworkVolume)
        let volume = try cloud.createNetworkVolume(
            name: body["name"]?.string ?? "", size: body["size"]?.int ?? 0, dataCenter: body["dataCenter"]?.string ?? "",
            type: body["type"]?.string, scope: call.scope)
        return .json(201, volume.restValue)
    }

    func updateNetworkVolume(_ call: Call) throws(RESTProblem) -> Reply {
        let body = try Self.body(call, .updateNetworkVolume)
        let volume = try cloud.updateNetworkVolume(
            call.params[0], name: body["name"]?.string, size: body["size"]?.int, scope: call.scope)
        return .json(200, volume.restValue)
    }

    /// Per-pod records per bucket of the resolved window, each bucket's amounts computed from
    /// the pods' running intervals (`PodBilling`); buckets before a pod existed or after it was
    /// terminated have no record.
    func listPodBilling(_ call: Call) throws(RESTProblem) -> Reply {
        var problems: [String] = []
        var size = PodBilling.BucketSize.day
        if let text = call.query("bucketSize") {
            if let parsed = PodBilling.BucketSize(rawValue: text) {
                size = parsed
            } else {
                problems.append("bucketSize: value must be one of 'hour', 'day', 'week', 'month', 'year'")
            }
        }
        var lastN: Int?
        if let text = call.query("lastN") {
            if let count = Int(text), count >= 1 { lastN = count } else { problems.append("lastN: must be an integer >= 1, got '\(text)'") }
        }
        var startTime: Date?
        var endTime: Date?
        if let text = call.query("startTime") {
            startTime = RFC3339.parse(text)
            if startTime == nil { problems.append("startTime: '\(text)' is not an RFC 3339 date-time") }
        }
        if let text = call.query("endTime") {
            endTime = RFC3339.parse(text)
            if endTime == nil { problems.append("endTime: '\(text)' is not an RFC 3339 date-time") }
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        if lastN != nil && (startTime != nil || endTime != nil) {
            throw .badRequest("lastN is mutually exclusive with startTime/endTime; provide one or the other")
        }
        let now = cloud.clock.now()
        let current = PodBilling.floor(now, size)
        let start: Date
        let end: Date
        if let lastN {
            start = PodBilling.previous(current, size, count: lastN - 1)
            end = PodBilling.next(current, size)
        } else {
            start = PodBilling.floor(startTime ?? now.addingTimeInterval(-30 * 86_400), size)
            end = PodBilling.ceiling(endTime ?? now, size)
        }
        guard start < end else { throw .badRequest("startTime must be before endTime") }
        guard let buckets = PodBilling.buckets(from: start, to: end, size) else {
            throw .badRequest("the window holds too many \(size.rawValue) buckets; choose a larger bucketSize or a shorter window")
        }
        let podID = call.query("podId")
        let subjects = cloud.billingSubjects(scope: call.scope, podID: podID)
        var records: [JSONNode] = []
        var totals = PodBilling.Amounts()
        var billed = Set<String>()
        for (bucketStart, bucketEnd) in buckets {
            for pod in subjects where PodBilling.existed(pod, from: bucketStart, to: bucketEnd, now: now) {
                let amounts = PodBilling.amounts(pod, from: bucketStart, to: bucketEnd, now: now)
                totals = totals + amounts
                billed.insert(pod.podID)
                records.append(
                    .object([
                        "startTime": .string(RFC3339.string(bucketStart)), "endTime": .string(RFC3339.string(bucketEnd)),
                        "podId": .string(pod.podID), "totalAmount": .double(amounts.total), "gpuAmount": .double(amounts.gpu),
                        "cpuAmount": .double(amounts.cpu), "diskAmount": .double(amounts.disk),
                    ]))
            }
        }
        let metadata: JSONNode = .object([
            "query": .object([
                "startTime": .string(RFC3339.string(start)), "endTime": .string(RFC3339.string(end)),
                "bucketSize": .string(size.rawValue), "podId": .optional(podID),
            ]),
            "recordCount": .int(records.count),
            "uniquePodCount": .int(billed.count),
            "totals": .object([
                "totalAmount": .double(totals.total), "gpuAmount": .double(totals.gpu), "cpuAmount": .double(totals.cpu),
                "diskAmount": .double(totals.disk),
            ]),
        ])
        return .json(200, .object(["records": .array(records), "metadata": metadata]))
    }
}
