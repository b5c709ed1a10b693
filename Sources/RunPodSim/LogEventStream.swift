import FlyingFox
import FlyingSocks
import Foundation

/// The body of a `GET /v2/pods/{id}/logs` reply as Server-Sent Events: the backfill first, then
/// each new line as it is written. FlyingFox sends every buffer this returns as one chunk of a
/// chunked reply right away, so a line reaches the client as soon as it is logged. A stream that
/// is cut (`/_sim/pods/ID/log-streams`) throws, and FlyingFox then drops the connection without
/// the final chunk, as a network failure would.
struct LogEventStream: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8

    let backfill: [PodLog.Entry]
    let events: AsyncThrowingStream<LogStreamSubscriber.Event, any Error>

    func makeAsyncIterator() -> Iterator {
        Iterator(pending: backfill.flatMap(Self.encode), events: events.makeAsyncIterator())
    }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var pending: [UInt8]
        var events: AsyncThrowingStream<LogStreamSubscriber.Event, any Error>.AsyncIterator

        mutating func next() async throws -> UInt8? {
            guard let buffer = try await nextBuffer(suggested: 1) else { return nil }
            pending.insert(contentsOf: buffer.dropFirst(), at: 0)
            return buffer.first
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            if pending.isEmpty {
                guard let event = try await events.next() else { return nil }
                switch event {
                case .entry(let entry): pending = LogEventStream.encode(entry)
                case .keepAlive: pending = Array(": keep-alive\n\n".utf8)
                }
            }
            // All of it in one chunk: the backfill may exceed `count`, and splitting it only
            // adds chunks.
            defer { pending = [] }
            return pending
        }
    }

    /// One event: `id: TS/SEQ` and `data: {"ts","source","line"}`, ended by a blank line.
    static func encode(_ entry: PodLog.Entry) -> [UInt8] {
        let data = JSONNode.object([
            "ts": .string(entry.timestamp), "source": .string(entry.source.rawValue), "line": .string(entry.line),
        ])
        return Array("id: \(entry.eventID)\ndata: ".utf8) + data.bytes + Array("\n\n".utf8)
    }
}
