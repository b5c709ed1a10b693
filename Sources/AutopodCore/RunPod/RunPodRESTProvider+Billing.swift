import AutopodSupport
import FoundationEssentials

extension RunPodRESTProvider {
    /// `GET /v2/billing/pods` in daily buckets over [start, end): RunPod snaps the window out to
    /// whole days, so `start` should be a midnight (UTC) for the two sides to count the same time.
    public func billingRecords(from start: Date, to end: Date) throws(ProviderError) -> [BillingRecord]? {
        let reply = try client.get(
            "/v2/billing/pods",
            query: [
                ("bucketSize", "day"), ("startTime", ISO8601Timestamp.format(start, milliseconds: false)),
                ("endTime", ISO8601Timestamp.format(end, milliseconds: false)),
            ])
        guard let list = reply["records"].arrayValue else { throw .invalidResponse(detail: "no records in the billing reply") }
        return list.compactMap(Self.parseBillingRecord)
    }

    static func parseBillingRecord(_ value: JSONValue) -> BillingRecord? {
        guard let podId = value["podId"].stringValue, let start = value["startTime"].stringValue.flatMap(ISO8601Timestamp.parse),
            let end = value["endTime"].stringValue.flatMap(ISO8601Timestamp.parse)
        else { return nil }
        let gpu = value["gpuAmount"].doubleValue ?? 0
        let cpu = value["cpuAmount"].doubleValue ?? 0
        let disk = value["diskAmount"].doubleValue ?? 0
        return BillingRecord(
            podId: podId, start: start, end: end, gpu: gpu, cpu: cpu, disk: disk, total: value["totalAmount"].doubleValue ?? gpu + cpu + disk)
    }
}

extension RunPodAutoProvider {
    /// Only v2 keeps billing records.
    public func billingRecords(from start: Date, to end: Date) throws(ProviderError) -> [BillingRecord]? {
        try rest.billingRecords(from: start, to: end)
    }

    /// Only GraphQL tells the balance; nil once it is gone.
    public func accountSpend() throws(ProviderError) -> AccountSpend? {
        try graphQL.accountSpend()
    }
}
