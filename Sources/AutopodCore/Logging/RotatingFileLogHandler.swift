import AutopodSupport
import FoundationEssentials
import Logging

/// Appends log lines to a file and rotates it: past `maxBytes` the file becomes `.1`, `.1`
/// becomes `.2`, and so on, keeping at most `backups` old files.
public final class RotatingLogFile: Sendable {
    public let url: URL
    public let maxBytes: Int
    public let backups: Int

    /// The open file, shared by every logger of the process (any thread may log).
    private struct OpenFile {
        /// The log file's descriptor, or -1 before the first line or when it cannot be opened.
        var fd: Int32 = -1
        var size = 0
    }

    private let file = LockedValue(OpenFile())

    public init(url: URL, maxBytes: Int = 10 * 1024 * 1024, backups: Int = 5) {
        self.url = url
        self.maxBytes = maxBytes
        self.backups = backups
    }

    deinit {
        let fd = file.current.fd
        if fd >= 0 { close(fd) }
    }

    public func append(_ line: String) {
        file.withLock { file in
            var line = line
            let count = line.utf8.count
            if file.fd < 0 { openFile(&file) }
            if file.size > 0 && file.size + count > maxBytes { rotate(&file) }
            guard file.fd >= 0 else { return }
            // O_APPEND: a line is written whole at the end even with several autopods logging.
            let written = line.withUTF8 { Libc.write(file.fd, $0.baseAddress, $0.count) }
            if written > 0 { file.size += written }
        }
    }

    private func openFile(_ file: inout OpenFile) {
        // No log at all rather than one in a folder another user controls, or through a link.
        guard (try? AutopodPaths.ensureDirectory(url.deletingLastPathComponent())) != nil else {
            file.fd = -1
            file.size = 0
            return
        }
        file.fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        file.size = file.fd >= 0 ? Int(lseek(file.fd, 0, SEEK_END)) : 0
    }

    private func rotate(_ file: inout OpenFile) {
        if file.fd >= 0 { close(file.fd) }
        file.fd = -1
        let manager = FileManager.default
        try? manager.removeItem(atPath: backupPath(backups))
        for index in stride(from: backups - 1, through: 1, by: -1) where manager.fileExists(atPath: backupPath(index)) {
            try? manager.moveItem(atPath: backupPath(index), toPath: backupPath(index + 1))
        }
        if backups > 0 {
            try? manager.moveItem(atPath: url.path, toPath: backupPath(1))
        } else {
            try? manager.removeItem(at: url)
        }
        openFile(&file)
    }

    private func backupPath(_ index: Int) -> String { "\(url.path).\(index)" }
}

/// A swift-log handler that redacts every message and metadata value, then writes to the
/// rotating file (everything at `fileLevel` and above) and to stderr (at `consoleLevel` and above).
public struct AutopodLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let file: RotatingLogFile?
    private let fileLevel: Logger.Level
    private let consoleLevel: Logger.Level
    private let redactor: RedactorBox

    public init(
        label: String, file: RotatingLogFile?, fileLevel: Logger.Level = .debug, consoleLevel: Logger.Level = .info,
        redactor: RedactorBox
    ) {
        self.label = label
        self.file = file
        self.fileLevel = fileLevel
        self.consoleLevel = consoleLevel
        self.redactor = redactor
        self.logLevel = min(fileLevel, consoleLevel)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let redactor = self.redactor.current
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        // " key=value" for each, built in a loop: `joined(separator:)` costs a runtime type
        // lookup on first use, and most commands log only a line or two.
        var rendered = ""
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            // A value filed under a secret-looking name is hidden whole, whatever it looks like.
            let hidden = Self.isSensitive(key) ? Redactor.mask : redactor.redact("\(value)")
            rendered += " \(key)=\(hidden)"
        }
        let message = redactor.redact("\(event.message)")
        if let file, event.level >= fileLevel {
            let timestamp = ISO8601Timestamp.format(Date(), milliseconds: true)
            file.append("\(timestamp) \(event.level.rawValue.uppercased()) [\(label)] \(message)\(rendered)\n")
        }
        if event.level >= consoleLevel {
            let prefix = event.level >= .error ? "error: " : event.level == .warning ? "warning: " : ""
            StandardStream.error.write("\(prefix)\(message)\n")
        }
    }

    /// Words that make a metadata name secret-looking, as UTF-8 bytes.
    private static let sensitiveWords = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "AUTHORIZATION"].map { Array($0.utf8) }

    /// Whether `name` holds one of `sensitiveWords`, in any case. Compared as bytes:
    /// `String.contains(_: String)` (from _StringProcessing) cost about 35K instructions a call,
    /// 0.4M for the one line `list` logs.
    static func isSensitive(_ name: String) -> Bool {
        let upper = Array(name.uppercased().utf8)
        return sensitiveWords.contains { word in
            upper.count >= word.count
                && (0...upper.count - word.count).contains { start in upper[start..<start + word.count].elementsEqual(word) }
        }
    }
}

/// The redactor shared by every logger, so a secret learned later (the key read from config)
/// is hidden in every later line.
public final class RedactorBox: Sendable {
    private let redactor: LockedValue<Redactor>

    public init(_ redactor: Redactor = Redactor()) { self.redactor = LockedValue(redactor) }

    public var current: Redactor { redactor.current }

    public func add(secret: String) {
        redactor.withLock { $0.add(secret: secret) }
    }
}
