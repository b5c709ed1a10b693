import AutopodCore
import XCTest

final class JSONValueWriterTests: XCTestCase {
    /// Keys of mixed case, digits and non-ASCII (sort order), every escape, numbers of every
    /// kind, and empty containers at several depths (JSONEncoder's blank line).
    let sample: JSONValue = [
        "b": 1, "B": 2, "a10": 3, "a9": 4, "_x": [], "é": [:], "aB": nil, "ab": true, "z": false,
        "strings": ["a/b", "q\"\\", "\u{01}\u{1f}\u{7f}\n\r\t\u{08}\u{0c}", "café 😀", "\u{2028}", ""],
        "numbers": [0, -0.0, 1, 601, 0.0668, 0.1, 1e15, 1e16, 1.5e300, 1e-7, 123_456_789.123, -3.25, 40022, -17],
        "nested": [[:], ["a": [], "b": [[], [[:]]]], [1, [2, [3]]]],
    ]

    func testPrettyIsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for value: JSONValue in [sample, [], [:], "top", 3.5, nil, [sample, sample]] {
            XCTAssertEqual(value.serialized(pretty: true), String(decoding: try encoder.encode(value), as: UTF8.self))
        }
    }

    /// Indentation deeper than the writer copies in one piece (64 spaces, 32 levels).
    func testDeepNestingIsIndentedAsJSONEncoderDoes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var deep: JSONValue = ["leaf": "x"]
        for level in 0..<70 { deep = level.isMultiple(of: 2) ? [deep, 1] : ["k": deep] }
        XCTAssertEqual(deep.serialized(pretty: true), String(decoding: try encoder.encode(deep), as: UTF8.self))
    }

    func testCompactReadsBackAsTheSameValue() throws {
        let text = sample.serialized()
        XCTAssertFalse(text.contains("\n"))
        XCTAssertEqual(try JSONValue.parse(Data(text.utf8)), try JSONValue.parse(Data(sample.serialized(pretty: true).utf8)))
        XCTAssertEqual(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), try JSONValue.parse(Data(text.utf8)))
    }
}
