import AutopodSupport

import FoundationEssentials

extension JSONValue {
    /// Parses JSON text straight into a `JSONValue`. Replies are read on every API call (every
    /// half second while waiting for a pod), and going through `JSONDecoder` with its
    /// try-each-type `init(from:)` cost several times more than the request itself.
    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { raw in
            var parser = JSONValueParser(bytes: raw.bindMemory(to: UInt8.self))
            // A UTF-8 byte order mark, which some editors put in hand-edited files, is ignored
            // as RFC 8259 allows (and JSONDecoder does).
            if parser.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
            let value = try parser.value()
            parser.skipSpace()
            guard parser.index == parser.bytes.count else { throw parser.failure("unexpected text after the value") }
            return value
        }
    }
}

/// A small strict JSON parser (RFC 8259) over bytes.
struct JSONValueParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    /// The fields of the objects being read, innermost last: one buffer for the whole parse
    /// instead of an array grown field by field for each object.
    var fieldStack: [(String, JSONValue)] = []

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    struct Failure: Error, CustomStringConvertible {
        /// Where in the text, counted in bytes from 0.
        let offset: Int
        let problem: String

        var description: String { "invalid JSON at byte \(offset): \(problem)" }
    }

    func failure(_ what: String) -> Failure { Failure(offset: index, problem: what) }

    mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func value() throws -> JSONValue {
        skipSpace()
        guard index < bytes.count else { throw failure("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("unexpected end") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw failure("bad literal") }
        index += count
    }

    mutating func object() throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth < 512 else { throw failure("nested too deeply") }
        index += 1
        // Fields are collected first (on the parser's stack) and hashed into a dictionary of the
        // right size once: growing it field by field rehashed everything several times over.
        let start = fieldStack.count
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object([:])
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a key") }
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            index += 1
            let field = try value()
            fieldStack.append((key, field))
            if try closes(after: UInt8(ascii: "}")) {
                // A repeated key keeps its first value, as JSONDecoder does (hand-edited files
                // read with it before, such as config.json, must mean the same).
                let object = Dictionary(fieldStack[start...], uniquingKeysWith: { first, _ in first })
                fieldStack.removeSubrange(start...)
                return .object(object)
            }
        }
    }

    mutating func array() throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth < 512 else { throw failure("nested too deeply") }
        index += 1
        var result: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(result)
        }
        while true {
            result.append(try value())
            if try closes(after: UInt8(ascii: "]")) { return .array(result) }
        }
    }

    /// Steps over what follows a member: a `,` (false: another member comes) or `close` (true).
    mutating func closes(after close: UInt8) throws -> Bool {
        skipSpace()
        guard index < bytes.count else { throw failure("unexpected end") }
        let byte = bytes[index]
        guard byte == UInt8(ascii: ",") || byte == close else { throw failure("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
        index += 1
        return byte == close
    }

    mutating func string() throws -> String {
        index += 1  // opening quote
        // Most strings have no escapes: find the closing quote and make the String in one go.
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
            bytes[index] >= 0x20
        {
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
        }
        // Otherwise plain runs are copied as bytes, and escapes appended as their UTF-8 encoding.
        var utf8 = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            if byte < 0x20 { throw failure("control character in a string") }
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { throw failure("unexpected end") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code) {
                    // A surrogate pair: \uD83D\uDE00.
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    else { throw failure("lone surrogate") }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure("bad surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw failure("bad \\u escape") }
                utf8.append(contentsOf: String(Character(scalar)).utf8)
            default: throw failure("bad escape")
            }
        }
        throw failure("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("unexpected end") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("bad hex digit")
            }
            code = code << 4 | UInt32(digit)
            index += 1
        }
        return code
    }

    mutating func number() throws -> Double {
        let start = index
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var digits = 0
        var whole = 0
        var fraction = false
        while index < bytes.count {
            let byte = bytes[index]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                digits += 1
                if digits <= 15 { whole = whole * 10 + Int(byte - UInt8(ascii: "0")) }
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            {
                fraction = true
            } else {
                break
            }
            index += 1
        }
        // Whole numbers of up to 15 digits (ports, sizes, seconds: most numbers in a reply) are
        // exact in a Double and read here; the rest go through Double's own parser.
        if digits > 0, digits <= 15, !fraction { return negative ? -Double(whole) : Double(whole) }
        guard digits > 0, let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            index = start
            throw failure("unexpected character")
        }
        return value
    }
}
