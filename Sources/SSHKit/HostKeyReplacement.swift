import AutopodSupport

/// A replacement of a pinned host key the user allowed in advance: any new key
/// (`--accept-new-host-key`) or only the key with a given fingerprint (`--accept-host-key`).
/// Whoever holds one spends it on the first replacement it allows (see `HostKeyAllowance`).
public enum HostKeyReplacement: Sendable, Equatable {
    case anyKey
    case fingerprint(String)

    public func allows(_ key: SSHHostKey) -> Bool {
        switch self {
        case .anyKey: return true
        case .fingerprint(let expected): return Self.normalized(expected) == key.fingerprint
        }
    }

    /// `SHA256:abc` and `abc` (as copied from `ssh-keygen -l` or an error message) both name a key.
    static func normalized(_ fingerprint: String) -> String {
        var text = fingerprint.trimmingSpaces()
        while text.hasSuffix("=") { text.removeLast() }
        return text.hasPrefix("SHA256:") ? text : "SHA256:" + text
    }
}

/// A one-shot `HostKeyReplacement` shared by every connection of one command (a tunnel
/// reconnects many times): the first replacement it allows uses it up, so a later swap is
/// checked as usual.
public final class HostKeyAllowance: Sendable {
    private let remaining: LockedValue<HostKeyReplacement?>

    public init(_ replacement: HostKeyReplacement?) {
        remaining = LockedValue(replacement)
    }

    public var current: HostKeyReplacement? { remaining.current }

    /// Runs a check with the allowance held, so two connections cannot both spend it; `body`
    /// returns whether it used the allowance, which then is gone.
    public func withAllowance<T>(_ body: (HostKeyReplacement?) throws(SSHError) -> (T, used: Bool)) throws(SSHError) -> T {
        try remaining.withLock { (replacement: inout HostKeyReplacement?) throws(SSHError) -> T in
            let (result, used) = try body(replacement)
            if used { replacement = nil }
            return result
        }
    }
}
