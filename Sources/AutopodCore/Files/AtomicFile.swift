import FoundationEssentials

import AutopodSupport

/// Whole-file writes that a crash cannot leave half done, through `PrivateFile` (a temporary
/// file made exclusively under a random name, its mode checked, fsync, rename).
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o600) throws {
        do {
            try PrivateFile.replace(url.path, with: [UInt8](data), mode: mode)
        } catch {
            throw FileProblem(
                path: error.path, reason: "\(error.operation == "create" ? "cannot create a temporary file" : "cannot \(error.operation) it") (\(Posix.errorString(error.code)))",
                fix: "check free space and the permissions of \(url.deletingLastPathComponent().path)")
        }
    }
}
