/// Whole-file replacement for files that may hold secrets (config, state, known_hosts): a new
/// file with a random name made with `mkstemp` (O_CREAT|O_EXCL: a file or link planted under a
/// guessable name is never opened, let alone followed), its mode set and checked, written,
/// fsynced and renamed over the old one; the directory is fsynced so the rename is durable.
/// A crash leaves the old file or the new one, never a torn one.
public enum PrivateFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The file the failing call was about (the temporary one for create/write/chmod/fsync).
        public let path: String
        public let operation: String
        public let code: Int32

        public var description: String { "cannot \(operation) \(path) (\(Posix.errorString(code)))" }
    }

    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o600) throws(Failure) {
        let directory = directoryOf(path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(directory)/.\(base).tmp.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in mkstemp(buffer.baseAddress!) }
        guard fd >= 0 else { throw Failure(path: "\(directory)/.\(base).tmp.*", operation: "create", code: errno) }
        Posix.setCloseOnExec(fd)
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var failure: Failure?
        if let code = Posix.writeAll(fd, bytes) {
            failure = Failure(path: temporary, operation: "write", code: code)
        } else if fchmod(fd, mode) != 0 {
            failure = Failure(path: temporary, operation: "set the mode of", code: errno)
        } else if fsync(fd) != 0 {
            failure = Failure(path: temporary, operation: "flush", code: errno)
        }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 {
            failure = Failure(path: path, operation: "replace", code: errno)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
