internal import CPlatform

/// What a process holding an API key does first: it becomes non-dumpable (Linux's
/// PR_SET_DUMPABLE 0), so other processes of the same user can neither read its memory or
/// `/proc/PID/environ` (where RUNPOD_API_KEY may be) nor attach to it, and a crash leaves no
/// core file; and its core size limit is 0 where prctl does not exist.
public enum ProcessHardening {
    public static func apply() {
        _ = autopod_set_dumpable(0)
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        var current = rlimit()
        if getrlimit(Int32(RLIMIT_CORE.rawValue), &current) == 0 { none.rlim_max = current.rlim_max }
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
    }

    /// Whether the process may be dumped (nil where the platform cannot say).
    public static var isDumpable: Bool? {
        let state = autopod_is_dumpable()
        return state < 0 ? nil : state != 0
    }
}
