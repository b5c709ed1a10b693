import AutopodSupport
import XCTest

/// ChildProcess and RunningProcess against real programs (/bin/sh and friends).
final class ChildProcessTests: XCTestCase {
    func testInputIsFedAndTheStreamsAreKeptApart() throws {
        let result = try ChildProcess.run(["/bin/sh", "-c", "cat; echo oops >&2; exit 3"], input: "hello\n")
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout, "hello\n")
        XCTAssertEqual(result.stderr, "oops\n")
        XCTAssertFalse(result.timedOut)
    }

    func testErrorsCanBeMergedIntoTheOutput() throws {
        let result = try ChildProcess.run(["/bin/sh", "-c", "echo a; echo b >&2"], mergingErrors: true)
        XCTAssertEqual(result.stdout, "a\nb\n")
        XCTAssertEqual(result.stderr, "")
    }

    func testMoreOutputThanAPipeHoldsOnBothStreams() throws {
        // 1 MB on each stream: a reader that drained one pipe at a time would deadlock here.
        let result = try ChildProcess.run(["/bin/sh", "-c", "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout.utf8.count, 1_000_000)
        XCTAssertEqual(result.stderr.utf8.count, 1_000_000)
    }

    func testInputTheProgramNeverReadsDoesNotHangOrKill() throws {
        let input = String(repeating: "x", count: 1_000_000)
        let result = try ChildProcess.run(["/bin/true"], input: input)
        XCTAssertEqual(result.status, 0)
    }

    func testAProgramPastItsTimeIsKilledAndSaysSo() throws {
        let result = try ChildProcess.run(["/bin/sleep", "30"], timeout: .milliseconds(200))
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.status, 128 + SIGTERM)
    }

    func testASignalledProgramEndsWith128PlusTheSignal() throws {
        let running = try RunningProcess(["/bin/sleep", "30"])
        XCTAssertTrue(running.isRunning)
        running.interrupt()
        XCTAssertEqual(running.wait().status, 128 + SIGINT)
        XCTAssertFalse(running.isRunning)
    }

    func testTheEnvironmentIsReplacedOrInherited() throws {
        let replaced = try ChildProcess.run(["/usr/bin/env"], environment: ["ONLY": "this"])
        XCTAssertEqual(replaced.stdout, "ONLY=this\n")
        let inherited = try ChildProcess.run(["/usr/bin/env"], environment: ChildProcess.inheritedEnvironment(adding: ["EXTRA": "1"]))
        XCTAssertTrue(inherited.stdout.contains("EXTRA=1\n"), inherited.stdout)
        XCTAssertTrue(inherited.stdout.contains("PATH="), inherited.stdout)
    }

    func testTheChildGetsNoDescriptorAboveTwo() throws {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&fds), 0)
        defer { fds.forEach { close($0) } }
        let result = try ChildProcess.run(["/bin/ls", "/proc/self/fd"])
        let open = result.stdout.split(separator: "\n").compactMap { Int32($0) }
        // ls sees 0-2 and the descriptor it opened to list the folder.
        XCTAssertFalse(open.contains(fds[0]) && open.contains(fds[1]), result.stdout)
        XCTAssertLessThanOrEqual(open.filter { $0 > 2 }.count, 1, result.stdout)
    }

    func testAMissingProgramIsASpawnError() {
        XCTAssertThrowsError(try ChildProcess(["/no/such/program"])) { error in
            XCTAssertTrue("\(error)".contains("/no/such/program"), "\(error)")
        }
    }
}
