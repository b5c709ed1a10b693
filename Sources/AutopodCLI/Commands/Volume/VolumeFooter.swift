import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `list`'s line for the account's network volumes: billed every month whether or not a pod
/// uses them, so they belong beside the pods.
enum VolumeFooter {
    /// "2 network volumes · 150 GB · $10.50/month", or nil when there are none.
    static func line(_ volumes: [NetworkVolume]) -> String? {
        guard !volumes.isEmpty else { return nil }
        let size = volumes.reduce(0) { $0 + $1.sizeGB }
        let monthly = volumes.reduce(0) { $0 + $1.monthlyCost }
        return "\(volumes.count) network volume\(volumes.count == 1 ? "" : "s") · \(size) GB · \(Format.dollars(monthly))/month "
            + "(`autopod volume list`)"
    }
}
