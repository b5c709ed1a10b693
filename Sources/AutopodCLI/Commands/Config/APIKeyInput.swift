import AutopodCore
import AutopodSupport
import FoundationEssentials

/// Where `config init` takes a key given on its command line from: `--api-key KEY` (which any
/// user's `ps` shows while it runs), `--api-key -` (stdin), or `--api-key-file PATH`. The
/// first line counts, its surrounding blanks trimmed; the key joins the redactor at once.
struct APIKeyInput {
    let option: String?
    let file: String?

    /// More than any key; a stream or file this long is not one.
    static let largest = 64 * 1024

    /// The key, or nil when none was given.
    func value() throws -> String? {
        if option != nil && file != nil {
            throw CLIFailure("give the API key once: --api-key or --api-key-file, not both", exitStatus: 2)
        }
        let text: String
        let source: String
        if let file {
            let path = AutopodPaths.expandTilde(file)
            guard let bytes = FileReader.bytes(atPath: path) else {
                throw CLIFailure("--api-key-file: cannot read \(path): \(Posix.errorString())", exitStatus: 2)
            }
            guard bytes.count <= Self.largest else { throw CLIFailure("--api-key-file: \(path) is too large to hold a key", exitStatus: 2) }
            text = String(decoding: bytes, as: UTF8.self)
            source = "--api-key-file \(path)"
            warnIfShared(path)
        } else if option == "-" {
            text = try Self.readStandardInput()
            source = "stdin (--api-key -)"
        } else if let option {
            text = option
            source = "--api-key"
        } else {
            return nil
        }
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let key = firstLine[...].trimmingSpaces()
        guard !key.isEmpty else { throw CLIFailure("no API key in \(source)", exitStatus: 2) }
        guard !key.contains(where: \.isWhitespace) else { throw CLIFailure("the API key in \(source) has spaces in it", exitStatus: 2) }
        LogSetup.redactor.add(secret: String(key))
        return String(key)
    }

    /// A key file others can read is a key others have: said, not refused (the key is read
    /// and saved 0600 all the same).
    private func warnIfShared(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        StandardStream.error.write(
            Style.warn("!") + " \(path) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))); `chmod 600 \(path)`\n")
    }

    private static func readStandardInput() throws -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= largest {
            let n = read(STDIN_FILENO, &buffer, buffer.count)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIFailure("--api-key -: cannot read stdin: \(Posix.errorString())", exitStatus: 2)
            }
            bytes += buffer[0..<n]
        }
        guard bytes.count <= largest else { throw CLIFailure("--api-key -: stdin holds more than a key", exitStatus: 2) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
