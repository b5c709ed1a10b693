import AutopodSupport
import FoundationEssentials
import Logging

/// Brings a preempted spot pod back: first a bid resume on its own machine (the volume and
/// everything on it come back), and when that machine is taken, a new spot pod of the same
/// spec, on the same network volume when it has one. Every attempt and its bid is reported and
/// logged; after `limit` attempts it gives up and says so.
public struct SpotRecovery: Sendable {
    public enum Event: Sendable, Equatable {
        /// Bidding for the pod's own machine.
        case resuming(attempt: Int, of: Int, bid: Double)
        case resumeRefused(reason: String)
        /// Renting a new spot pod of the same spec.
        case replacing(attempt: Int, of: Int, bid: Double, volume: String?)
        case failed(attempt: Int, reason: String)
        /// The preempted pod was terminated: its data lives on the network volume.
        case retired(PodRecord)
    }

    public var manager: PodManager
    /// What a replacement is made of beyond the pod's record: the config's image, ports and
    /// the PUBLIC_KEY the pod needs.
    public var base: LaunchOptions
    public var limit: Int
    /// The bid policy; a fixed bid is used as is, otherwise the minimum now plus the margin.
    public var bid: SpotBid
    public var pause: Duration = .seconds(5)
    private let logger = Logger(label: "autopod.recover")

    public init(manager: PodManager, base: LaunchOptions, limit: Int, bid: SpotBid = SpotBid()) {
        self.manager = manager
        self.base = base
        self.limit = limit
        self.bid = bid
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case gaveUp(podName: String, attempts: Int, lastReason: String)
        case notSpot(podName: String)

        public var description: String {
            switch self {
            case .gaveUp(let name, let attempts, let reason):
                return "gave up recovering \(name) after \(attempts) attempt\(attempts == 1 ? "" : "s") (the last: \(reason)); "
                    + "`autopod recover \(TerminalText.shellWord(name)) --limit N` tries again"
            case .notSpot(let name):
                return "\(name) is not a spot pod: there is no bid to recover it with (`autopod start \(TerminalText.shellWord(name))` resumes it)"
            }
        }
    }

    /// Returns the pod that runs now: `record` resumed, or its replacement.
    public func recover(_ record: PodRecord, events: (Event) -> Void) throws -> PodRecord {
        let provider = manager.provider
        guard let lastBid = record.spotBid else { throw Failure.notSpot(podName: record.name) }
        let volume = try PodReplacement(manager: manager, base: base).volume(of: record)
        var lastReason = "no attempt made"
        for attempt in 1...max(1, limit) {
            let minimum = try? provider.spotGPUTypes(gpuCount: record.gpuCount, cloud: record.cloudType)
                .first { $0.id == record.gpuTypeId }?.minimumBid
            let offer = bid.bid(minimum: minimum) ?? lastBid
            events(.resuming(attempt: attempt, of: limit, bid: offer))
            logger.info("recovery: bid resume", metadata: ["pod": "\(record.id)", "attempt": "\(attempt)", "bid": "\(offer)"])
            do {
                _ = try provider.resumeSpotPod(id: record.id, gpuCount: record.gpuCount, bidPerGpu: offer)
                return try manager.store.update { state in
                    state.update(id: record.id) {
                        $0.spotBid = offer
                        $0.pricePerHour = offer * Double($0.gpuCount)
                        $0.markRunning(at: manager.now())
                    }
                    return state.record(id: record.id) ?? record
                }
            } catch let error as ProviderError {
                lastReason = Self.reason(error)
                events(.resumeRefused(reason: lastReason))
                logger.info("recovery: resume refused", metadata: ["pod": "\(record.id)", "reason": "\(lastReason)"])
            }
            events(.replacing(attempt: attempt, of: limit, bid: offer, volume: volume?.name))
            logger.info("recovery: new spot pod", metadata: ["pod": "\(record.id)", "attempt": "\(attempt)", "bid": "\(offer)"])
            do {
                let replacement = try PodReplacement(manager: manager, base: base)
                    .launch(like: record, volume: volume, spot: SpotBid(fixed: offer))
                // Its data lives on the network volume; the stopped pod would only hold it.
                if volume != nil, let retired = try? manager.kill(id: record.id) { events(.retired(retired)) }
                return replacement
            } catch {
                lastReason = (error as? ProviderError).map(Self.reason) ?? "\(error)"
                events(.failed(attempt: attempt, reason: lastReason))
                logger.info("recovery: attempt failed", metadata: ["pod": "\(record.id)", "attempt": "\(attempt)", "reason": "\(lastReason)"])
            }
            if attempt < limit { Sleep.for(pause) }
        }
        logger.warning("recovery: gave up", metadata: ["pod": "\(record.id)", "attempts": "\(limit)"])
        throw Failure.gaveUp(podName: record.name, attempts: limit, lastReason: lastReason)
    }

    static func reason(_ error: ProviderError) -> String {
        if case .capacity(let message) = error {
            return message.firstRange(of: ". ").map { String(message[..<$0.lowerBound]) } ?? message
        }
        return error.description
    }
}
