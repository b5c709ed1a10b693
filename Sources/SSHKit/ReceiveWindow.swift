/// The receive window of one forwarded channel, tuned to its local reader the way TCP's
/// receive-buffer auto-tuning and HPN-SSH's dynamic windows are.
///
/// The channel starts with `start` bytes of window, at least `floor`. Each time its reader has taken a whole
/// window's worth of data (an epoch: about one round trip when the window is what limits the
/// channel), the reader is judged by what it left: if little of the window is still waiting
/// (in the local socket, or here because the socket was full), the reader drains as fast as data
/// arrives and the window doubles, up to `ceiling`; otherwise it halves, down to `floor`. A
/// momentary full socket is not held against it: a window arrives in bursts. A reader that
/// stalls stops being read, so the channel gets no more window at all: the server can send only
/// what was already granted.
///
/// Granting is separate from the target (`topUp`): the window is refilled only as the reader
/// takes data, and only from what the tunnel's budget has left.
struct ReceiveWindow: Sendable, Equatable {
    /// What the channel was opened with. libssh2 itself tops the window back up to this (plus
    /// the read size) on every read, so grants are only needed above it.
    let floor: Int
    let ceiling: Int
    /// The window this channel should have, granted as the budget allows.
    private(set) var target: Int
    private var epochDelivered = 0
    /// Whether the reader has been judged once: until then the window above the floor is
    /// credit given on trust (see `ForwardBudget.startWindow`).
    private(set) var judged = false

    /// Windows are refilled once a quarter of them is used, not after every read: one
    /// WINDOW_ADJUST per quarter window, as libssh2 does for its own.
    static let refillFraction = 4
    /// Smaller grants are not worth a packet of their own.
    static let minimumGrant = 32 * 1024

    init(floor: Int, ceiling: Int, start: Int? = nil) {
        self.floor = floor
        self.ceiling = max(floor, ceiling)
        target = min(max(start ?? floor, floor), self.ceiling)
    }

    /// Window above the floor that no judgement of the reader has earned yet.
    var unproven: Int { judged ? 0 : target - floor }

    /// The local reader took `bytes`. Returns true when a whole window has been delivered since
    /// the last judgement, the moment to call `endEpoch`.
    mutating func delivered(_ bytes: Int) -> Bool {
        epochDelivered += bytes
        return epochDelivered >= target
    }

    /// Judges the reader over the window just delivered. `unread`: bytes it has not taken yet
    /// (queued in the local socket, or held for it), which a reader that keeps up leaves near
    /// empty.
    mutating func endEpoch(unread: Int) {
        if unread <= target / 4 {
            target = min(target * 2, ceiling)
        } else {
            target = max(floor, target / 2)
        }
        epochDelivered = 0
        judged = true
    }

    /// Bytes of window to grant now. `credit`: window the server still holds plus what it sent
    /// that was not read yet; `budget`: what the tunnel can still grant, and each channel's fair
    /// share of it. When the budget is short, a channel already above its fair share gets
    /// nothing, so the budget drifts toward channels that have less.
    func topUp(credit: Int, budget: ForwardBudget) -> Int {
        guard target > floor, credit < target - target / Self.refillFraction else { return 0 }
        var grant = target - credit
        if grant > budget.free {
            let share = budget.fairShare
            guard credit < share else { return 0 }
            grant = min(grant, share - credit, budget.free)
        }
        return grant >= Self.minimumGrant ? grant : 0
    }
}
