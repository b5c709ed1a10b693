import FoundationEssentials

/// Words for a failed file operation. FoundationEssentials' errors print as
/// `CocoaError(code: …, userInfo: …)`; the POSIX cause they carry is what a person can act on.
public enum FileErrorText {
    public static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError {
            if let posix = cocoa.underlying as? POSIXError { return Posix.errorString(posix.code.rawValue) }
            switch cocoa.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return Posix.errorString(ENOENT)
            case .fileReadNoPermission, .fileWriteNoPermission: return Posix.errorString(EACCES)
            case .fileWriteOutOfSpace: return Posix.errorString(ENOSPC)
            default: return "file error \(cocoa.code.rawValue)"
            }
        }
        if let posix = error as? POSIXError { return Posix.errorString(posix.code.rawValue) }
        return "\(error)"
    }
}
