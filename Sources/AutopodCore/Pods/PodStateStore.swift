import Foundation

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
    @discardableResult
    public func update<T>(from earlier: PodStateSnapshot? = nil, _ change: (inout PodState) throws -> T) throws -> T {
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
            var state = before
            let result = try change(&state)
            // Most `list` runs change nothing: skip the write and its fsyncs then.
            if state != before || contents == nil {
                try AtomicFile.write(try Self.encode(state), to: paths.pods, mode: 0o600)
            }
            return result
        }
    }

    /// The bytes of `pods.json`, or nil when there is no file yet.
    private func read() throws(PodStateError) -> Data? {
        let url = paths.pods
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw PodStateError(path: url.path, reason: "cannot read it (\(error.localizedDescription))")
        }
    }

    private func decode(_ contents: Data?) throws(PodStateError) -> PodState {
        guard let contents else { return PodState() }
        do {
            return try Self.decoder().decode(PodState.self, from: contents)
        } catch {
            throw PodStateError(path: paths.pods.path, reason: Self.explain(error))
        }
    }

    public static func encode(_ state: PodState) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.dateStyle.format(date))
        }
        var data = try encoder.encode(state)
        data.append(0x0A)
        return data
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = (try? Self.dateStyle.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not an ISO 8601 date")
        }
        return decoder
    }

    /// ISO 8601 with milliseconds, so measured running time keeps sub-second precision.
    /// (A format style, not ISO8601DateFormatter: that one is costly to create and not Sendable.)
    static let dateStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Decoding errors in words a person can act on, with where in the file it went wrong.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            return "it is not valid JSON\(at(context.codingPath)): \(underlying ?? context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\"\(key.stringValue)\" is missing\(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong kind of value\(at(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
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

    public var description: String {
        "\(path) cannot be used: \(reason). autopod has left the file untouched. Fix it by hand, or move it away "
            + "(autopod then starts an empty list, and pods still on your account reappear in `autopod list`)."
    }
}
