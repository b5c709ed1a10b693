import Foundation
import XCTest

import AutopodSupport

final class SubstringTrimmingTests: XCTestCase {
    let samples = [
        "", " ", "\t", "a", " a ", "\ta b\t", "\r\n value \r\n", "\u{3000}x\u{00A0}", "\u{2028}y\u{2029}", "\u{85}z\u{0B}\u{0C}",
        " \u{200B}w ", "  é 😀  ", "a\n", "\n\n",
    ]

    func testTrimsWhatFoundationTrims() {
        for text in samples {
            XCTAssertEqual(String(text[...].trimmingSpaces()), text.trimmingCharacters(in: .whitespaces), text.debugDescription)
            XCTAssertEqual(
                String(text[...].trimmingWhitespace()), text.trimmingCharacters(in: .whitespacesAndNewlines), text.debugDescription)
        }
    }
}
