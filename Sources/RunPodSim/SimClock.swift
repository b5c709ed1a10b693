import AutopodSupport
import Foundation

/// The simulator's "now": real time, optionally sped up (`--time-scale`) and moved forward by
/// jumps (`POST /_sim/clock {"advanceSeconds": N}`), so a test can let an hour pass for a pod
/// without waiting an hour. Everything a pod's time shows in (uptime, billing, status-change
/// dates, log stamps) reads this clock, and so do the pods themselves: each running pod finds
/// the clock's anchors in a file named by `RUNPOD_SIM_CLOCK` (see `fileText`), which a tool on
/// the pod turns into the simulated time with plain shell arithmetic.
///
/// Timeouts inside the simulator (boot waits, proxy delays) stay on real time.
final class SimClock: Sendable {
    /// now = `simulated` + (real now − `real`) × `scale`.
    struct Anchor: Sendable, Equatable {
        var real: Date
        var simulated: Date
        var scale: Double
    }

    private let anchor: LockedValue<Anchor>

    init(scale: Double = 1, real: Date = Date()) {
        anchor = LockedValue(Anchor(real: real, simulated: real, scale: max(0, scale)))
    }

    func now() -> Date {
        Self.time(anchor.current, real: Date())
    }

    var current: Anchor { anchor.current }

    static func time(_ anchor: Anchor, real: Date) -> Date {
        anchor.simulated.addingTimeInterval(real.timeIntervalSince(anchor.real) * anchor.scale)
    }

    /// Moves the clock `seconds` ahead at once (never back: pods' clocks only go forward).
    @discardableResult
    func advance(by seconds: Double) -> Anchor {
        anchor.withLock { anchor in
            let real = Date()
            anchor = Anchor(real: real, simulated: Self.time(anchor, real: real).addingTimeInterval(max(0, seconds)), scale: anchor.scale)
            return anchor
        }
    }

    /// From now on, `scale` simulated seconds pass per real second.
    @discardableResult
    func setScale(_ scale: Double) -> Anchor {
        anchor.withLock { anchor in
            let real = Date()
            anchor = Anchor(real: real, simulated: Self.time(anchor, real: real), scale: max(0, scale))
            return anchor
        }
    }

    /// What a pod's clock file holds: "REAL SIMULATED SCALE_MILLI", whole seconds since the
    /// epoch and the scale in thousandths, so `date +%s` and integer arithmetic give the
    /// simulated time: SIMULATED + (now − REAL) × SCALE_MILLI / 1000.
    static func fileText(_ anchor: Anchor) -> String {
        let real = Int(anchor.real.timeIntervalSince1970.rounded(.down))
        // The simulated anchor for the rounded-down real one, so the two stay consistent.
        let simulated = time(anchor, real: Date(timeIntervalSince1970: Double(real)))
        return "\(real) \(Int(simulated.timeIntervalSince1970.rounded(.down))) \(Int((anchor.scale * 1000).rounded()))\n"
    }
}
