import AutopodCore
import AutopodSupport
import SSHKit

/// The end of `cp` and `sync`: a summary on stderr (failures and notes each on their own
/// line), or one JSON object on stdout with `--json`; and the exit status (0, 1 when anything
/// failed, 130 when interrupted).
enum TransferOutput {
    static func summary(_ result: TransferResult, pod: String) -> String {
        let copied = result.count(.copied, files: true)
        let upToDate = result.count(.upToDate, files: true)
        let failed = result.failures.count
        let direction = result.direction == .upload ? "to" : "from"
        var parts = ["copied \(ByteText.count(copied)) \(copied == 1 ? "file" : "files") (\(ByteText.size(result.report.bytesTransferred))) \(direction) \(pod) in \(result.seconds.fixed(1)) s"]
        if result.seconds > 0 && result.report.bytesTransferred > 0 {
            parts[0] += " (\(ByteText.rate(Double(result.report.bytesTransferred) / result.seconds)))"
        }
        if upToDate > 0 { parts.append("\(ByteText.count(upToDate)) already there") }
        if result.report.filesResumed > 0 {
            parts.append("\(result.report.filesResumed) resumed (\(ByteText.size(result.report.bytesResumed)) kept)")
        }
        if result.reconnects > 0 { parts.append("\(result.reconnects) \(result.reconnects == 1 ? "reconnect" : "reconnects")") }
        if failed > 0 { parts.append("\(failed) failed") }
        var text = parts.joined(separator: ", ")
        if result.interrupted { text = "interrupted: " + text + "; run the same command again to resume" }
        return text
    }

    static func detailLines(failures: [TransferFailure], notes: [String]) -> [String] {
        failures.map { "  failed: \($0.reason)" } + notes.map { "  \($0)" }
    }

    static func json(_ result: TransferResult, pod: PodRecord) -> JSONValue {
        .object([
            "pod": .string(pod.name), "podId": .string(pod.id), "direction": .string(result.direction.rawValue),
            "files": .object([
                "total": number(result.items.filter { if case .directory = $0.kind { return false } else { return true } }.count),
                "copied": number(result.count(.copied, files: true)), "upToDate": number(result.count(.upToDate, files: true)),
                "skipped": number(result.count(.skipped, files: true)), "failed": number(result.failures.count),
                "resumed": number(result.report.filesResumed),
            ]),
            "directories": number(result.count(.copied, files: false) + result.count(.upToDate, files: false)),
            "bytes": .object([
                "total": number(result.bytesTotal), "transferred": number(result.report.bytesTransferred),
                "resumed": number(result.report.bytesResumed), "upToDate": number(result.report.bytesUpToDate),
            ]),
            "seconds": .number((result.seconds * 1000).rounded() / 1000), "reconnects": number(result.reconnects),
            "interrupted": .bool(result.interrupted),
            "failures": .array(result.failures.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
            "notes": .array(result.report.notes.map { .string($0) }),
        ])
    }

    static func number<T: BinaryInteger>(_ value: T) -> JSONValue { .number(Double(value)) }

    /// 130 interrupted, 1 when anything failed, else 0.
    static func status(interrupted: Bool, failed: Bool) -> Int32 {
        interrupted ? 130 : failed ? 1 : 0
    }

    /// What a failure to connect or to start SFTP means, for the error line.
    static func explain(_ error: any Error, pod: String) -> CLIFailure {
        if let error = error as? SFTPError {
            if error.kind == .noSFTP {
                return CLIFailure("\(pod) has no SFTP server: \(error.description)")
            }
            return CLIFailure(error.description)
        }
        if let error = error as? SSHError { return CLIFailure("cannot reach \(pod): \(error.userMessage)") }
        return CLIFailure("\(error)")
    }
}
