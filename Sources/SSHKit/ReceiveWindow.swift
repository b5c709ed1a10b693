/// The receive window of one forwarded channel, tuned to its local reader the way TCP's
/// receive-buffer auto-tuning and HPN-SSH's dynamic windows are.
///
/// The channel starts with `start` bytes of window, at least `floor`. Once its reader has been
/// handed a whole window's worth of data (an epoch: about one round trip when the window is
/// what limits the channel), the reader is judged by what it left untaken (in the local socket,
/// or held here because the socket was full). Little left means it drains as fast as data
/// arrives: the window doubles, up to `ceiling` (quadruples when nothing at all was left, so a
/// transfer across distance reaches its speed in a round trip or two rather than four or five).
/// More left is first taken for a hiccup (a window
/// arrives in a burst, and a busy machine may not run the reader at once), and judged again at
/// each delivery; a reader still behind after a second window's worth has its window halved,
/// down to `floor`. A reader that stalls stops being read, so its channel gets no more window at
/// all: the server can send only what was already granted.
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
    /// Whether the reader has once kept up: until then the window above the floor is credit
    /// given on trust (see `ForwardBudget.startWindow`).
    private(set) var earned = false

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

    /// Window above the floor that the reader has not earned yet.
    var unproven: Int { earned ? 0 : target - floor }

    /// The local reader was handed `bytes`. Returns true once a whole window has been delivered
    /// since the last judgement: the reader is to be judged (`judge`) now.
    mutating func delivered(_ bytes: Int) -> Bool {
        epochDelivered += bytes
        return epochDelivered >= target
    }

    /// Judges the reader. `unread`: bytes it has not taken yet (queued in the local socket, or
    /// held for it), which a reader that keeps up leaves near empty.
    mutating func judge(unread: Int) {
        if unread <= target / 16 {
            // Drained outright: the window is what holds the channel back.
            target = min(target * 4, ceiling)
            earned = true
        } else if unread <= target / 4 {
            target = min(target * 2, ceiling)
            earned = true
        } else if epochDelivered >= 2 * target {
            target = max(floor, target / 2)
        } else {
            return  // behind for now: judged again at the next delivery
        }
        epochDelivered = 0
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
