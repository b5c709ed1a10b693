// timespec's initialisers: libssh2's header pulls <time.h> in first, so the compiler files
// them under that module rather than Glibc.
internal import CLibSSH2

/// Blocks the calling thread (Thread.sleep is in full Foundation; see StandardStream).
public enum Sleep {
    public static func seconds(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

extension Sleep {
    public static func `for`(_ duration: Duration) {
        seconds(duration.seconds)
    }
}
