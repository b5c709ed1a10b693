import AutopodCore
import XCTest

final class JSONValueParserTests: XCTestCase {
    func testParsesWhatJSONDecoderParses() throws {
        let text = #"""
            {"data": {"pods": [{"id": "a\"b\\c\/d", "n": -12.5e1, "ok": true, "no": false, "nil": null,
             "uni": "caf\u00e9 \ud83d\ude00 ✓", "nested": [[], {}, [1, 2, {"x": 0}]]}]}, "errors": []}
            """#
        let data = Data(text.utf8)
        let fast = try JSONValue.parse(data)
        let reference = try JSONDecoder().decode(JSONValue.self, from: data)
        XCTAssertEqual(fast, reference)
        let pod = fast["data"]["pods"].arrayValue?.first ?? .null
        XCTAssertEqual(pod["id"].stringValue, "a\"b\\c/d")
        XCTAssertEqual(pod["n"].doubleValue, -125)
        XCTAssertEqual(pod["ok"].boolValue, true)
        XCTAssertEqual(pod["no"].boolValue, false)
        XCTAssertTrue(pod["nil"].isNull)
        XCTAssertEqual(pod["uni"].stringValue, "café 😀 ✓")
    }

    func testARepeatedKeyKeepsItsFirstValueLikeJSONDecoder() throws {
        let data = Data(#"{"a": 1, "b": {"c": true, "c": false}, "a": 2}"#.utf8)
        XCTAssertEqual(try JSONValue.parse(data), ["a": 1, "b": ["c": true]])
        XCTAssertEqual(try JSONValue.parse(data), try JSONDecoder().decode(JSONValue.self, from: data))
    }

    /// Whole numbers are read digit by digit, the rest by Double's parser: both give what
    /// Double(text) gives, the sign of zero and the rounding of long numbers included.
    func testNumbersAreWhatDoubleReads() throws {
        let texts = [
            "0", "-0", "7", "-17", "40022", "999999999999999", "-999999999999999", "1234567890123456",
            "9007199254740993", "12345678901234567890", "1.5", "-0.0", "0.1", "3.0", "1e2", "1E2", "-2e-3", "1.5e300",
        ]
        for text in texts {
            let parsed = try XCTUnwrap(try JSONValue.parse(Data(text.utf8)).doubleValue, text)
            let expected = try XCTUnwrap(Double(text))
            XCTAssertEqual(parsed, expected, text)
            XCTAssertEqual(parsed.sign, expected.sign, text)
        }
        for broken in ["-", "1-2", "--1", "1e", "."] {
            XCTAssertThrowsError(try JSONValue.parse(Data(broken.utf8)), broken)
        }
    }

    /// Objects inside objects inside arrays: each gets its own fields, however deep.
    func testNestedObjectsKeepTheirOwnFields() throws {
        let data = Data(#"{"a": {"b": {"c": 1, "d": [{"e": 2}, {"e": 3, "f": {}}]}, "g": 4}, "h": [{}, {"i": 5}]}"#.utf8)
        XCTAssertEqual(try JSONValue.parse(data), ["a": ["b": ["c": 1, "d": [["e": 2], ["e": 3, "f": [:]]]], "g": 4], "h": [[:], ["i": 5]]])
    }

    func testIgnoresAByteOrderMark() throws {
        XCTAssertEqual(try JSONValue.parse(Data([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8))), ["a": 1])
        XCTAssertThrowsError(try JSONValue.parse(Data([0xEF, 0xBB, 0xBF])))
    }

    func testStringsWithAndWithoutEscapes() throws {
        XCTAssertEqual(
            try JSONValue.parse(Data(#"["plain", "", "tail\n", "a\"b", "é😀 ✓", "\u0041BC"]"#.utf8)),
            ["plain", "", "tail\n", "a\"b", "é😀 ✓", "ABC"])
    }

    func testRejectsBrokenJSON() {
        for text in ["", "{", "{\"a\" 1}", "[1,]x", "\"open", "\"open\\", "tru", "{\"a\": 1} 2", "-", "\"\u{01}\"", "\"ab\u{01}\""] {
            XCTAssertThrowsError(try JSONValue.parse(Data(text.utf8)), text)
        }
    }
}
