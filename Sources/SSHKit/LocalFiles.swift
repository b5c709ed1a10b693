import AutopodSupport

/// Local metadata calls of the engine.
enum LocalFiles {
    static func setTimes(_ path: String, access: Int64, modification: Int64, followLinks: Bool = true) {
        var times = [timespec(tv_sec: Int(access), tv_nsec: 0), timespec(tv_sec: Int(modification), tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, followLinks ? 0 : AT_SYMLINK_NOFOLLOW)
    }

    static func setTimes(fd: Int32, access: Int64, modification: Int64) {
        var times = [timespec(tv_sec: Int(access), tv_nsec: 0), timespec(tv_sec: Int(modification), tv_nsec: 0)]
        _ = futimens(fd, &times)
    }
}
