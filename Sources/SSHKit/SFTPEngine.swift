import AutopodSupport
/// Runs SFTP channels inside a session's event loop: opens them (one at a time, as libssh2
/// allows), moves their requests and replies, and lets the current piece of work (`work`)
/// issue new requests whenever anything moved. The loop ends when `isDone` says so.
final class SFTPEngine: SSHLoopParticipant {
    let session: SSHSession
    private(set) var channels: [SFTPChannel] = []
    /// Issues requests; returns whether it did anything. Called after every wake-up.
    var work: (() throws(SSHError) -> Bool)?
    var isDone: () -> Bool = { true }
    /// When `work` wants to run even without I/O (progress reports).
    var deadline: ContinuousClock.Instant?

    init(session: SSHSession) {
        self.session = session
    }

    var isFinished: Bool { isDone() }
    var hasChannels: Bool { !channels.isEmpty }
    var nextDeadline: ContinuousClock.Instant? { deadline }

    /// A local fd to watch while idle (`SFTPClient.wait(forReadable:)`), and whether it fired.
    var watchedFD: Int32?
    private var watchedSlot: Int?
    private(set) var watchedFired = false

    func register(_ set: inout PollSet) {
        watchedSlot = watchedFD.map { set.add($0, Int16(POLLIN)) }
    }

    /// Adds channels (opened from the loop) until there are `count`.
    func ensureChannels(_ count: Int, window: UInt32) {
        while channels.count < count {
            channels.append(SFTPChannel(session: session, window: window))
        }
    }

    var readyChannels: [SFTPChannel] { channels.filter(\.isReady) }
    /// Channels requests may be queued on (see `SFTPChannel.takesRequests`).
    var workingChannels: [SFTPChannel] { channels.filter(\.takesRequests) }

    /// Socket bytes one pass over the channels may read before `work` runs again (see
    /// `SSHOutbox.receiveAllowance`): small next to what a download keeps in flight, so its
    /// next READs go out while the replies to the earlier ones are still streaming in.
    static let receiveBurst = 256 * 1024
    /// The most socket bytes one pass read (what the tests hold to `receiveBurst`).
    private(set) var largestPass = 0

    /// Wake-ups no socket activity caused that found work already possible: replies libssh2
    /// had taken in, or requests the window had room for. The loop had slept with work to do,
    /// until a timer (what the tests hold to zero; see `SFTPChannel.hasQueuedReplies`).
    private(set) var lateWakeups = 0

    func service(_ set: PollSet, now: ContinuousClock.Instant) throws(SSHError) {
        if watchedSlot != nil && set.isReadable(watchedSlot) { watchedFired = true }
        // A deadline fires once (`work` sets the next), or the loop would poll without waiting.
        if let deadline, now >= deadline { self.deadline = nil }
        defer { session.outbox.receiveAllowance = nil }
        if !session.socketReady, try hasWorkInHand() { lateWakeups += 1 }
        var progress = true
        while progress {
            session.outbox.receiveAllowance = Self.receiveBurst
            let before = session.outbox.received
            defer { largestPass = max(largestPass, session.outbox.received - before) }
            progress = try serviceChannels(flushOnly: false)
            if let work, try work() { progress = true }
            if isDone() { return }
            // Before sleeping: a read late in this pass may have taken in replies or a window
            // for a channel serviced earlier in it.
            if !progress { progress = try hasWorkInHand() }
        }
    }

    /// Whether a channel has replies libssh2 already took in, or could send queued requests
    /// (which it then did).
    private func hasWorkInHand() throws(SSHError) -> Bool {
        let wrote = try serviceChannels(flushOnly: true)
        return wrote || channels.contains { $0.hasQueuedReplies }
    }

    /// Services every channel (or only writes their queued requests), the newest first;
    /// whether any made progress.
    private func serviceChannels(flushOnly: Bool) throws(SSHError) -> Bool {
        var progress = false
        // Channels open in the order they were added: the first is the one work waits for.
        let nextToOpen = channels.first { $0.state == .opening }
        for (i, channel) in channels.enumerated().reversed() {
            if channel.state == .opening && channel !== nextToOpen { continue }
            do {
                if try flushOnly ? channel.flush() : channel.service() { progress = true }
            } catch {
                // An extra channel the server would not give (MaxSessions) or that failed to
                // start is done without; the first channel, a dead transport, or a channel that
                // had requests queued ends the work (the copy reconnects and resumes).
                guard i > 0, error.kind != .disconnected, !channel.isReady, channel.requestsInFlight == 0 else { throw error }
                channel.close()
                channels.remove(at: i)
                progress = true
            }
        }
        return progress
    }

    func watch(_ fd: Int32?) {
        watchedFD = fd
        watchedSlot = nil
        watchedFired = false
    }

    /// Closes every channel (the session may be reused, e.g. for a command).
    func closeAll() {
        for channel in channels { channel.close() }
        channels.removeAll()
    }
}
