internal import CLibSSH2

/// Decides when a forwarder hands freed heap back to the system: once it has been quiet for a
/// moment after moving a fair amount of data or closing connections. glibc keeps freed memory
/// for reuse, so without this a tunnel would stay at the footprint of its busiest moment
/// (libssh2 keeps every packet it has read in an allocation of its own until the data is
/// taken).
struct HeapRelease {
    /// Time without traffic before releasing.
    static let quietPeriod: Duration = .seconds(1)
    /// Bytes moved since the last release that make one worthwhile.
    static let worthwhile = 1 << 20

    private var bytesMoved = 0
    private var closed = 0
    private var seen = (bytes: 0, closed: 0)
    private var lastActivity = ContinuousClock.Instant.now

    /// When the loop should call `tick` even without I/O; nil while there is nothing to release.
    var deadline: ContinuousClock.Instant? { isDue ? lastActivity + Self.quietPeriod : nil }

    private var isDue: Bool { bytesMoved >= Self.worthwhile || closed > 0 }

    mutating func moved(_ bytes: Int) { bytesMoved += bytes }

    mutating func retired() { closed += 1 }

    /// Releases once nothing has happened for `quietPeriod`.
    mutating func tick(now: ContinuousClock.Instant) {
        if bytesMoved != seen.bytes || closed != seen.closed {
            seen = (bytesMoved, closed)
            lastActivity = now
            return
        }
        guard isDue, now - lastActivity >= Self.quietPeriod else { return }
        Self.now()
        bytesMoved = 0
        closed = 0
        seen = (0, 0)
    }

    /// Returns free heap pages to the kernel now (glibc's malloc_trim; nothing elsewhere).
    static func now() {
        _ = clibssh2_release_free_heap()
    }

    /// Lets up to `bytes` of freed heap stay in the process between releases (glibc's trim
    /// threshold; process-wide). By default glibc gives pages back as soon as 128 KiB at the top
    /// of the heap is free; a tunnel frees libssh2's packets in bursts, so it gave back and
    /// faulted in (zeroed) the same pages throughout a transfer, about a tenth of its CPU. Kept
    /// up to the forwarder's budget, that memory is reused instead, and `now()`, after a quiet
    /// moment, still hands it all back.
    static func keep(upTo bytes: Int) {
        clibssh2_keep_free_heap(max(0, bytes))
    }
}
