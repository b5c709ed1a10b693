import Foundation

/// A pod's log as RunPod's `GET /v2/pods/{id}/logs` streams it: container lines (what the pod's
/// start-up and `/_sim/pods/ID/log` write) and system lines (lifecycle events), in one sequence
/// so an event id names a place in both. Mutated only under `SimCloud`'s lock.
struct PodLog: Sendable {
    enum Source: String, Sendable, CaseIterable {
        case container, system
    }

    struct Entry: Sendable {
        let sequence: Int
        /// Milliseconds since 1970: what `ts` shows, so `since` and a timestamp `Last-Event-ID`
        /// compare with exactly what the client saw.
        let milliseconds: Int64
        let source: Source
        let line: String
        /// RFC 3339 with milliseconds, the `ts` of the event.
        let timestamp: String

        /// The SSE event id, `TS/SEQUENCE` as in RunPod's example
        /// ("2026-06-01T12:02:03Z/000000000001"): the timestamp `Last-Event-ID` resumes from,
        /// made unique by the sequence so lines of one millisecond are neither repeated nor lost.
        var eventID: String {
            let digits = String(sequence)
            return timestamp + "/" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
        }
    }

    /// Oldest lines are dropped beyond this; `tail` reads at most 5,000.
    static let capacity = 20_000

    private(set) var entries: [Entry] = []
    private var nextSequence = 1

    @discardableResult
    mutating func append(_ source: Source, _ line: String, at date: Date = Date()) -> Entry {
        let milliseconds = RFC3339.milliseconds(date)
        let entry = Entry(
            sequence: nextSequence, milliseconds: milliseconds, source: source, line: line,
            timestamp: RFC3339.string(milliseconds: milliseconds))
        nextSequence += 1
        entries.append(entry)
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
        return entry
    }

    /// Where a stream starts: after an event id, from a time, or the last `tail` lines.
    enum Start: Sendable, Equatable {
        case after(sequence: Int)
        case afterTime(Date)
        case since(Date)
        case tail(Int)
    }

    func backfill(from start: Start, sources: Set<Source>) -> [Entry] {
        let matching = entries.filter { sources.contains($0.source) }
        switch start {
        case .after(let sequence): return matching.filter { $0.sequence > sequence }
        case .afterTime(let date):
            let limit = RFC3339.milliseconds(date, rounded: true)
            return matching.filter { $0.milliseconds > limit }
        case .since(let date):
            let limit = RFC3339.milliseconds(date, rounded: true)
            return matching.filter { $0.milliseconds >= limit }
        case .tail(let count): return Array(matching.suffix(count))
        }
    }
}
