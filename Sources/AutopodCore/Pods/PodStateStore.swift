import AutopodSupport
import FoundationEssentials

/// Reads and writes `pods.json`. Every change is a locked read-modify-write (so two autopod
/// processes never lose each other's pods) and an atomic replace. A file that cannot be parsed
/// is reported and never overwritten.
public struct PodStateStore: Sendable {
    public let paths: AutopodPaths

    public init(paths: AutopodPaths) { self.paths = paths }

    /// The state on disk; empty when there is no file yet.
    public func load() throws(PodStateError) -> PodState { try snapshot().state }

    /// The state on disk together with the bytes it was decoded from, so that a later
    /// `update(from:)` can skip decoding the file again when it has not changed.
    public func snapshot() throws(PodStateError) -> PodStateSnapshot {
        let contents = try read()
        return PodStateSnapshot(state: try decode(contents), contents: contents)
    }

    /// Runs `change` on the current state under the state lock and writes the result.
    /// `earlier`: a snapshot taken before the lock; when the file still holds the same bytes its
    /// state is used as is (decoding costs far more than reading and comparing the file).
    /// `readOnlyIfNewer`: for a file a newer autopod wrote, run `change` without saving (a
    /// command that only shows pods) instead of refusing (one that must record what it did).
    @discardableResult
    public func update<T>(
        from earlier: PodStateSnapshot? = nil, readOnlyIfNewer: Bool = false, _ change: (inout PodState) throws -> T
    ) throws -> T {
        try paths.ensureHome()
        return try FileLock.withLock(paths.stateLock) {
            // Read under the lock even with a snapshot: another process may have written since.
            let contents = try read()
            let before: PodState
            if let earlier, earlier.contents == contents {
                before = earlier.state
            } else {
                before = try decode(contents)
            }
            // A file from a newer autopod is read, never written: its format may mean more than
            // this autopod knows. Reading commands go on with the changes unsaved.
            if before.version > PodStateFile.currentVersion {
                guard readOnlyIfNewer else { throw PodStateError.newerVersion(path: paths.pods.path, version: before.version) }
                var state = before
                return try change(&state)
            }
            var state = before
            let result = try change(&state)
            // Most `list` runs change nothing: skip the write and its fsyncs then.
            if state != before || contents == nil {
                var data = try Self.encode(state)
                if let contents, let kept = PodStateFile.keepingUnknownFields(of: contents, in: data) { data = kept }
                try AtomicFile.write(data, to: paths.pods, mode: 0o600)
            }
            return result
        }
    }

    /// Throws when a newer autopod wrote `pods.json`, before a command does what it could not
    /// record (stop, start). Ending a bill (`kill`) is never held up by it.
    public func requireWritable() throws(PodStateError) {
        let version = try load().version
        if version > PodStateFile.currentVersion { throw PodStateError.newerVersion(path: paths.pods.path, version: version) }
    }

    /// The bytes of `pods.json`, or nil when there is no file yet.
    private func read() throws(PodStateError) -> Data? {
        let url = paths.pods
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw PodStateError(path: url.path, reason: "cannot read it (\(FileErrorText.reason(error)))")
        }
    }

    private func decode(_ contents: Data?) throws(PodStateError) -> PodState {
        guard let contents else { return PodState() }
        do {
            return try PodState(json: JSONObjectReader(JSONValue.parse(contents)))
        } catch let failure as JSONValueParser.Failure {
            let line = contents.prefix(failure.offset).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            throw PodStateError(path: paths.pods.path, reason: "it is not valid JSON (line \(line): \(failure.problem))")
        } catch {
            throw PodStateError(path: paths.pods.path, reason: "\(error)")
        }
    }

    /// Dates are written with milliseconds, so measured running time keeps sub-second precision.
    public static func encode(_ state: PodState) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Timestamp.format(date, milliseconds: true))
        }
        var data = try encoder.encode(state)
        data.append(0x0A)
        return data
    }
}

/// `pods.json` as read at one moment. Every write replaces the whole file (atomic rename under
/// the state lock), so equal bytes mean an equal state.
public struct PodStateSnapshot: Sendable {
    public let state: PodState
    /// The file's bytes; nil when there was no file.
    let contents: Data?
}

/// `pods.json` exists but cannot be used. It is left exactly as it is.
public struct PodStateError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// A `pods.json` whose version is newer than this autopod's: it is only read.
    static func newerVersion(path: String, version: Int) -> PodStateError {
        var error = PodStateError(
            path: path,
            reason: "it was written by a newer autopod (file version \(version); this autopod writes version \(PodStateFile.currentVersion))")
        error.advice = "This autopod only reads it, so as not to lose what the newer one recorded. Upgrade autopod to change pods."
        return error
    }

    /// What to do about it; the default is for a file that cannot be parsed.
    var advice =
        "autopod has left the file untouched. Fix it by hand, or move it away "
        + "(autopod then starts an empty list, and pods still on your account reappear in `autopod list`)."

    public var description: String {
        "\(path) cannot be used: \(reason.withoutFinalPeriod). \(advice)"
    }
}
