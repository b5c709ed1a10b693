import AutopodCore
import AutopodSupport
import FoundationEssentials

extension Format {
    /// "$1.23 (GPU $1.10 · storage $0.13)": the total with its two parts.
    static func costs(_ costs: PodCost.Breakdown) -> String {
        dollars(costs.total) + Style.dim("  (GPU \(dollars(costs.compute)) · storage \(dollars(costs.storage)))")
    }

    /// "20 GB container · 50 GB volume", or "—" when autopod does not know the disks.
    static func storage(_ storage: PodStorage) -> String {
        guard !storage.isEmpty else { return "—" }
        var parts: [String] = []
        if storage.containerDiskGB > 0 { parts.append("\(storage.containerDiskGB) GB container") }
        if storage.volumeGB > 0 { parts.append("\(storage.volumeGB) GB volume") }
        if storage.networkVolumeGB > 0 { parts.append("\(storage.networkVolumeGB) GB network volume") }
        return parts.joined(separator: " · ")
    }

    /// "$0.33/day", for what a stopped pod's storage costs.
    static func perDay(_ value: Double) -> String {
        dollars(value) + "/day"
    }
}

extension PodJSON {
    /// The cost fields every pod's JSON carries: the parts of `costSoFar`, the disks, and what
    /// the pod costs per day while stopped.
    static func costFields(_ view: PodView) -> [String: JSONValue] {
        let storage = view.record.storage
        return [
            "computeCost": .number(rounded(view.costs.compute)),
            "storageCost": .number(rounded(view.costs.storage)),
            "stoppedCostPerDay": .number(rounded(PodCost.stoppedPerDay(view.record))),
            "storage": .object([
                "containerDiskGB": .number(Double(storage.containerDiskGB)),
                "volumeGB": .number(Double(storage.volumeGB)),
                "networkVolumeGB": .number(Double(storage.networkVolumeGB)),
            ]),
        ]
    }

    static func rounded(_ dollars: Double) -> Double { (dollars * 10000).rounded() / 10000 }
}
