import Foundation
import XCTest

@testable import SSHKit

/// The allocator as a tunnel sets it up: freed heap stays for reuse up to what the forwarder
/// keeps (no giving back and faulting in the same pages through a transfer), and a release
/// still hands it all back to the kernel.
final class HeapReleaseTests: XCTestCase {
    private static let block = 32 * 1024  // one libssh2 packet
    private static let total = 32 << 20

    func testFreedHeapStaysUntilReleased() throws {
        #if !canImport(Glibc)
        throw XCTSkip("the trim threshold is glibc's")
        #endif
        HeapRelease.now()
        HeapRelease.keep(upTo: 64 << 20)
        // glibc's own default, for the tests that run after this one.
        defer { HeapRelease.keep(upTo: 128 * 1024) }

        let before = try residentBytes()
        let blocks = (0..<(Self.total / Self.block)).map { _ in malloc(Self.block)! }
        for b in blocks { memset(b, 1, Self.block) }
        XCTAssertGreaterThan(try residentBytes() - before, Self.total * 3 / 4, "the blocks were never resident")
        // Last in, first out, as a burst of packets is taken: each free joins the heap's top.
        for b in blocks.reversed() { free(b) }
        XCTAssertGreaterThan(
            try residentBytes() - before, Self.total * 3 / 4, "the freed heap went back to the kernel at once, to be faulted in again")

        HeapRelease.now()
        XCTAssertLessThan(try residentBytes() - before, Self.total / 4, "a release did not hand the freed heap back")
    }

    /// VmRSS of this process, from /proc/self/statm (pages).
    private func residentBytes() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let pages = try XCTUnwrap(Int(statm.split(separator: " ")[1]))
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
