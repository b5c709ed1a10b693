import Foundation
import XCTest

import AutopodSupport

final class JSONStringTests: XCTestCase {
    private func quoted(_ text: String, escapingSlash: Bool = false) -> String {
        var bytes: [UInt8] = []
        JSONString.append(text, to: &bytes, escapingSlash: escapingSlash)
        return String(decoding: bytes, as: UTF8.self)
    }

    func testEscapesWhatJSONRequiresAndSlashesOnlyWhenAsked() {
        XCTAssertEqual(quoted("plain é 😀"), #""plain é 😀""#)
        XCTAssertEqual(quoted("a\"b\\c/d"), #""a\"b\\c/d""#)
        XCTAssertEqual(quoted("a/b", escapingSlash: true), #""a\/b""#)
        XCTAssertEqual(quoted("\n\r\t\u{08}\u{0C}\u{01}\u{1F}"), #""\n\r\t\b\f\u0001\u001f""#)
        XCTAssertEqual(JSONString.escaped("say \"hi\"\n"), #"say \"hi\"\n"#)
    }

    func testFoundationReadsBackEveryString() throws {
        let samples = ["", "x", "\"", "\\", "/", "\u{00}\u{1F}\u{7F}", "tab\there", "é 😀 \u{2028}", String(repeating: "a\"", count: 100)]
        for sample in samples {
            for escapingSlash in [false, true] {
                let text = quoted(sample, escapingSlash: escapingSlash)
                XCTAssertEqual(try JSONDecoder().decode(String.self, from: Data(text.utf8)), sample, text)
            }
        }
    }
}
