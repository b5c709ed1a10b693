/// One reply, seen while its handler runs: the message type and the body after the request id.
/// The bytes belong to the channel's input buffer and are gone once the handler returns.
struct SFTPReply {
    let type: UInt8
    let body: UnsafeRawBufferPointer

    var reader: SFTPReader { SFTPReader(body) }

    /// The status code and message of a STATUS reply; nil for any other type.
    var status: (code: UInt32, message: String)? {
        guard type == SFTPProtocol.MessageType.status.rawValue else { return nil }
        var r = reader
        guard let code = r.uint32() else { return nil }
        return (code, r.string() ?? "")
    }

    /// A STAT or LSTAT answer: the attributes, `.some(nil)` when nothing is at the path, nil for
    /// any other answer (an error: `error(_:_:)` says which).
    var statResult: SFTPAttributes?? {
        if status?.code == SFTPProtocol.Status.noSuchFile.rawValue { return .some(nil) }
        guard type == SFTPProtocol.MessageType.attrs.rawValue else { return nil }
        var r = reader
        guard let attributes = r.attributes() else { return nil }
        return .some(attributes)
    }

    /// The first name of a NAME reply (REALPATH and READLINK answer with one); nil for any other.
    var firstName: String? {
        guard type == SFTPProtocol.MessageType.name.rawValue else { return nil }
        var r = reader
        guard r.uint32() ?? 0 >= 1 else { return nil }
        return r.string()
    }

    var isOK: Bool { status?.code == SFTPProtocol.Status.ok.rawValue }
    var isEOF: Bool { status?.code == SFTPProtocol.Status.eof.rawValue }

    /// The error this reply means for `operation` on `path`: a non-OK status, or an unexpected type.
    func error(_ operation: String, _ path: String) -> SFTPError {
        if let status {
            return SFTPError(status: status.code, message: status.message, operation: operation, path: path)
        }
        return SFTPError(.noSFTP, "\(path): the pod's SFTP server answered \(operation) with message type \(type)", path: path)
    }
}
