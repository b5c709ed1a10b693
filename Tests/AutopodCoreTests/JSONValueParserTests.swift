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
