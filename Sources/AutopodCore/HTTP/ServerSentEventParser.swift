import AutopodSupport
import FoundationEssentials

/// One Server-Sent Event: its `data` lines joined by newlines, and the last event id in force.
public struct ServerSentEvent: Sendable, Equatable {
    public var id: String?
    public var event: String?
    public var data: String
    /// Whether a line of it was longer than the parser keeps (the rest was dropped).
    public var truncated = false
}

/// Reads an event stream (WHATWG HTML, "Server-sent events") as bytes arrive in chunks of any
/// size. Memory is bounded whatever the server sends: a line keeps at most `maxLineBytes` and
/// an event at most `maxEventBytes`; the excess is dropped and the event marked `truncated`.
public struct ServerSentEventParser: Sendable {
    public let maxLineBytes: Int
    public let maxEventBytes: Int
    /// The id the stream set last; it carries over to later events and is what a reconnect
    /// sends as `Last-Event-ID`.
    public private(set) var lastEventID: String?
    /// The server's `retry:` advice, in milliseconds.
    public private(set) var retryMilliseconds: Int?

    private var line: [UInt8] = []
    private var lineTruncated = false
    private var afterCR = false
    private var data: [UInt8] = []
    private var hasData = false
    private var eventName: String?
    private var eventTruncated = false

    public init(maxLineBytes: Int = 256 * 1024, maxEventBytes: Int = 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
        self.maxEventBytes = maxEventBytes
    }

    /// Feeds `bytes` and returns the events they complete, in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                // CR LF is one line end.
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                afterCR = true
                if let event = endLine() { events.append(event) }
            case 0x0A:
                if let event = endLine() { events.append(event) }
            default:
                if line.count < maxLineBytes {
                    line.append(byte)
                } else {
                    lineTruncated = true
                }
            }
        }
        return events
    }

    public mutating func feed(_ bytes: [UInt8]) -> [ServerSentEvent] {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Handles one complete line; a blank line dispatches the event gathered so far.
    private mutating func endLine() -> ServerSentEvent? {
        defer {
            line.removeAll(keepingCapacity: true)
            lineTruncated = false
        }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }  // a comment (keep-alive)
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { line.index(after: $0) } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = line[valueStart...]
        switch field {
        case "data":
            if hasData { appendData([0x0A]) }
            appendData(value)
            hasData = true
            if lineTruncated { eventTruncated = true }
        case "id":
            // An id with NUL is ignored, as the standard says.
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "event":
            eventName = String(decoding: value, as: UTF8.self)
        case "retry":
            if let number = Int(String(decoding: value, as: UTF8.self)), number >= 0 { retryMilliseconds = number }
        default:
            break
        }
        return nil
    }

    private mutating func appendData<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        let room = maxEventBytes - data.count
        if bytes.count > room { eventTruncated = true }
        data.append(contentsOf: bytes.prefix(max(0, room)))
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventName = nil
            eventTruncated = false
        }
        guard hasData else { return nil }
        return ServerSentEvent(id: lastEventID, event: eventName, data: String(decoding: data, as: UTF8.self), truncated: eventTruncated)
    }
}
