import AutopodSupport
import Foundation

/// Names of everything the simulator creates embed its pid, so a later start can tell its own
/// leftovers (pid dead) from a live simulator's resources (pid alive) and clean only the former.
enum ResourceNames {
    /// Namespaces `rpsim-<pid>-<n>`, pod directories `rpsim-<pid>-<n>`, temp state dirs
    /// `rpsim-<pid>-state-*`.
    static let prefix = "rpsim-"
    /// Host-side veth devices `rph<pid>n<n>` (interface names are limited to 15 characters).
    static let vethPrefix = "rph"

    /// The owning pid embedded in a name made by `prefix`, if any.
    static func ownerPID(ofName name: String) -> Int32? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let digits = rest.split(separator: "-", maxSplits: 1).first else { return nil }
        return Int32(digits)
    }

    static func ownerPID(ofVeth name: String) -> Int32? {
        guard name.hasPrefix(vethPrefix) else { return nil }
        let rest = name.dropFirst(vethPrefix.count)
        guard let digits = rest.split(separator: "n", maxSplits: 1).first else { return nil }
        return Int32(digits)
    }

    private static let counter = LockedValue(0)

    /// A process-wide serial for pod networks and directories, unique even when several
    /// simulators run in one process (tests).
    static func nextSerial() -> Int {
        counter.withLock { serial in
            serial += 1
            return serial
        }
    }
}
