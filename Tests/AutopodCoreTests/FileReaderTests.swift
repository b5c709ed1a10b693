import AutopodCore
import Foundation
import XCTest

/// Reading a log from where the last read stopped: its size, then the bytes after an offset.
final class FileReaderTests: XCTestCase {
    func testSizeAndTheBytesAfterAnOffset() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("file-reader-\(getpid()).log").path
        defer { unlink(path) }
        XCTAssertNil(FileReader.size(atPath: path))
        try Data("line 1\nline 2\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(FileReader.size(atPath: path), 14)
        XCTAssertEqual(FileReader.bytes(atPath: path, from: 7), Array("line 2\n".utf8))
        XCTAssertEqual(FileReader.bytes(atPath: path, from: 14), [])
    }
}
