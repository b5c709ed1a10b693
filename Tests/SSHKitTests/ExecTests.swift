import AutopodSupport
import Foundation
import SSHKit
import TestSupport
import XCTest

final class ExecTests: SSHTestCase {
    func testExitStatuses() throws {
        let session = try connect()
        XCTAssertEqual(try run(session, "true").0, .status(0))
        XCTAssertEqual(try run(session, "exit 3").0, .status(3))
        let (notFound, _, err) = try run(session, "no-such-command-xyz")
        XCTAssertEqual(notFound, .status(127))
        XCTAssertTrue(err.contains("not found"), err)
    }

    func testSignalIsReported() throws {
        let session = try connect()
        let (exit, _, _) = try run(session, "kill -TERM $$")
        XCTAssertEqual(exit, .signal("TERM"))
        XCTAssertEqual(exit.exitCode, 143)
    }

    func testStdoutAndStderrStayApart() throws {
        let session = try connect()
        let (exit, out, err) = try run(session, "echo to-out; echo to-err >&2; echo more-out")
        XCTAssertEqual(exit, .status(0))
        XCTAssertEqual(out, "to-out\nmore-out\n")
        XCTAssertEqual(err, "to-err\n")
    }

    func testStdinIsPipedAndClosed() throws {
        let session = try connect()
        let input = [UInt8]((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let (exit, out, _) = try run(session, "wc -c", stdin: input)
        XCTAssertEqual(exit, .status(0))
        XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines), "300000")
        let (exit2, echoed, _) = try run(session, "cat", stdin: Array("hello\nworld".utf8))
        XCTAssertEqual(exit2, .status(0))
        XCTAssertEqual(echoed, "hello\nworld")
    }

    func testManyCommandsOnOneSession() throws {
        let session = try connect()
        for i in 0..<5 {
            XCTAssertEqual(try run(session, "echo \(i)").1, "\(i)\n")
        }
    }

    func test100MBOfOutputArrivesIntact() throws {
        let session = try connect()
        let dir = try makeTempDirectory(prefix: "exec-bulk")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let received = dir + "/received"
        let fd = open(received, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let err = try CapturePipe()
        // The remote side keeps its own copy; both sides are on this machine, so the two files
        // can be hashed by the same tool.
        let exit = try session.exec(
            "head -c 104857600 /dev/urandom | tee \(dir)/sent", stdout: fd, stderr: err.writeFD)
        close(fd)
        _ = err.finish()
        XCTAssertEqual(exit, .status(0))
        let attrs = try FileManager.default.attributesOfItem(atPath: received)
        XCTAssertEqual((attrs[.size] as? NSNumber)?.intValue, 104_857_600)
        let sums = try ChildProcess.run(["/usr/bin/sha256sum", dir + "/sent", received])
        let hashes = sums.stdout.split(separator: "\n").map { $0.split(separator: " ")[0] }
        XCTAssertEqual(hashes.count, 2)
        XCTAssertEqual(hashes.first, hashes.last)
    }
}
