import AutopodCore
import XCTest

final class ByteSizeTests: XCTestCase {
    func testSuffixesAreBinary() {
        XCTAssertEqual(ByteSize("67108864")?.bytes, 64 << 20)
        XCTAssertEqual(ByteSize("512K")?.bytes, 512 << 10)
        XCTAssertEqual(ByteSize("64M")?.bytes, 64 << 20)
        XCTAssertEqual(ByteSize("64m")?.bytes, 64 << 20)
        XCTAssertEqual(ByteSize("64MiB")?.bytes, 64 << 20)
        XCTAssertEqual(ByteSize("64MB")?.bytes, 64 << 20)
        XCTAssertEqual(ByteSize(" 1G ")?.bytes, 1 << 30)
        XCTAssertEqual(ByteSize("100B")?.bytes, 100)
    }

    func testAnythingElseIsRefused() {
        for text in ["", "M", "1.5M", "-1M", "64 MB", "64T", "lots", "99999999999999999999", "9999999999999G"] {
            XCTAssertNil(ByteSize(text), text)
        }
    }

    func testDescriptionUsesTheLargestWholeUnit() {
        XCTAssertEqual(ByteSize(bytes: 64 << 20).description, "64 MiB")
        XCTAssertEqual(ByteSize(bytes: 1536 << 10).description, "1536 KiB")
        XCTAssertEqual(ByteSize(bytes: 1 << 30).description, "1 GiB")
        XCTAssertEqual(ByteSize(bytes: 100).description, "100 bytes")
    }
}
