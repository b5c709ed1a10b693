// The C library, in one place: every other file imports AutopodSupport and gets the platform's
// POSIX API through it, instead of repeating the Glibc/Darwin branches in each preamble.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Darwin)
@_exported import Darwin
#endif

/// Calls into the C library by their C names, for code inside types whose own members share
/// those names (`write`, `send`, `exit`, ...), where an unqualified call would find the member.
public enum Libc {
    @inline(__always)
    public static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
        #else
        Darwin.write(fd, buffer, count)
        #endif
    }

    @inline(__always)
    public static func send(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
        #if canImport(Glibc)
        Glibc.send(fd, buffer, count, flags)
        #else
        Darwin.send(fd, buffer, count, flags)
        #endif
    }

    @inline(__always)
    public static func poll(_ fds: UnsafeMutablePointer<pollfd>?, _ count: Int, _ timeoutMs: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.poll(fds, nfds_t(count), timeoutMs)
        #else
        Darwin.poll(fds, nfds_t(count), timeoutMs)
        #endif
    }

    @inline(__always)
    public static func accept(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: UnsafeMutablePointer<socklen_t>?) -> Int32 {
        #if canImport(Glibc)
        Glibc.accept(fd, address, length)
        #else
        Darwin.accept(fd, address, length)
        #endif
    }

    @inline(__always)
    public static func listen(_ fd: Int32, _ backlog: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.listen(fd, backlog)
        #else
        Darwin.listen(fd, backlog)
        #endif
    }

    @inline(__always)
    public static func connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
        #if canImport(Glibc)
        Glibc.connect(fd, address, length)
        #else
        Darwin.connect(fd, address, length)
        #endif
    }

    public static func exit(_ status: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(status)
        #else
        Darwin.exit(status)
        #endif
    }
}
