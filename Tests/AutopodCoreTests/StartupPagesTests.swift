import Foundation
import XCTest

@testable import AutopodCore

final class StartupPagesTests: XCTestCase {
    func testOnlyFileMappingsAreChosen() {
        XCTAssertEqual(
            StartupPages.fileBackedRange("7f7c00000000-7f7c00021000 r-xp 00000000 fd:00 1234                       /usr/lib/x.so"),
            0x7f7c_0000_0000..<0x7f7c_0002_1000)
        XCTAssertEqual(
            StartupPages.fileBackedRange("55d0a0000000-55d0a0400000 rw-p 00100000 fd:00 99 /opt/autopod (deleted)"),
            0x55d0_a000_0000..<0x55d0_a040_0000)
        XCTAssertNil(StartupPages.fileBackedRange("55d0a1000000-55d0a1200000 rw-p 00000000 00:00 0                          [heap]"))
        XCTAssertNil(StartupPages.fileBackedRange("7f7c00100000-7f7c00200000 rw-p 00000000 00:00 0 "))
        XCTAssertNil(StartupPages.fileBackedRange("not a maps line"))
    }

    /// A file mapping this process touched stops counting toward its resident memory, and its
    /// contents are intact when read again.
    func testReleasedFilePagesLeaveResidentMemoryAndComeBackIntact() throws {
        #if os(Linux)
        let size = 32 << 20
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("startup-pages-\(UUID().uuidString)").path
        var bytes = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 4096) { bytes[index] = UInt8(truncatingIfNeeded: index >> 12) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        let mapping = try XCTUnwrap(mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0))
        XCTAssertNotEqual(mapping, MAP_FAILED)
        defer { munmap(mapping, size) }
        let pages = mapping.assumingMemoryBound(to: UInt8.self)
        var sum = 0
        for index in stride(from: 0, to: size, by: 4096) { sum &+= Int(pages[index]) }

        let before = try residentKB()
        let advised = StartupPages.release()
        let after = try residentKB()
        XCTAssertGreaterThanOrEqual(advised, size)
        XCTAssertGreaterThan(before - after, 24 << 10, "resident \(before) kB before, \(after) kB after")

        var again = 0
        for index in stride(from: 0, to: size, by: 4096) {
            XCTAssertEqual(pages[index], UInt8(truncatingIfNeeded: index >> 12))
            again &+= Int(pages[index])
        }
        XCTAssertEqual(again, sum)
        #endif
    }

    private func residentKB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try XCTUnwrap(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }
}
