import Foundation

/// Reads and writes `pods.json`. Every change is a locked read-modify-write (so two autopod
/// processes never lose each other's pods) and an atomic replace. A file that cannot be parsed
/// is reported and never overwritten.
public struct PodStateStore: Sendable {
    public let paths: AutopodPaths

    public init(paths: AutopodPaths) { self.paths = paths }

    /// The state on disk; empty when there is no file yet.
    public func load() throws(PodStateError) -> PodState {
        let url = paths.pods
        guard FileManager.default.fileExists(atPath: url.path) else { return PodState() }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PodStateError(path: url.path, reason: "cannot read it (\(error.localizedDescription))")
        }
        do {
            return try Self.decoder().decode(PodState.self, from: data)
        } catch {
            throw PodStateError(path: url.path, reason: Self.explain(error))
        }
    }

    /// Runs `change` on the current state under the state lock and writes the result.
    @discardableResult
    public func update<T>(_ change: (inout PodState) throws -> T) throws -> T {
        try paths.ensureHome()
        return try FileLock.withLock(paths.stateLock) {
            let before = try load()
            var state = before
            let result = try change(&state)
            // Most `list` runs change nothing: skip the write and its fsyncs then.
            if state != before || !FileManager.default.fileExists(atPath: paths.pods.path) {
                try AtomicFile.write(try Self.encode(state), to: paths.pods, mode: 0o600)
            }
            return result
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
