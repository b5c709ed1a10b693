/// The chunks of one file that are in flight, in the order they were issued (ascending
/// offsets), so the lowest offset not yet written is always known.
///
/// That offset is what makes resuming safe with many requests in flight: a chunk is only
/// issued while it ends within `SFTPTransfer.aheadLimit` of it, so everything more than that
/// below a partial file's end has been written, whatever order the writes landed in.
struct ChunkLedger {
    private struct Entry {
        let offset: UInt64
        let length: Int
        var done: Bool
    }

    private var entries: [Entry] = []
    private var head = 0
    private var index: [UInt64: Int] = [:]
    /// Where the next chunk starts.
    private(set) var next: UInt64

    init(start: UInt64) {
        next = start
    }

    var inFlight: Int { index.count }
    var isIdle: Bool { index.isEmpty }

    /// The lowest offset not yet known to be written.
    var lowestIncomplete: UInt64 { head < entries.count ? entries[head].offset : next }

    /// Takes the next chunk of up to `length` bytes below `end`.
    mutating func issue(length: Int, end: UInt64) -> (offset: UInt64, length: Int)? {
        guard next < end else { return nil }
        let n = Int(min(UInt64(length), end - next))
        let chunk = (next, n)
        index[next] = entries.count
        entries.append(Entry(offset: next, length: n, done: false))
        next += UInt64(n)
        return chunk
    }

    mutating func complete(_ offset: UInt64) {
        guard let i = index.removeValue(forKey: offset) else { return }
        entries[i].done = true
        while head < entries.count && entries[head].done { head += 1 }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096 {
            let dropped = head
            entries.removeFirst(dropped)
            index = index.mapValues { $0 - dropped }
            head = 0
        }
    }
}
