import Foundation
import TestSupport
import XCTest

/// `autopod logs` reads the log file the handler writes.
final class LogsEndToEndTests: XCTestCase {
    func testShowsTheLastLinesAndFollowsNewOnes() throws {
        let cli = CLIRunner()
        let logs = cli.home.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let lines = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        try Data(lines.utf8).write(to: logs.appendingPathComponent("autopod.log"))
        let tail = try cli.run(["logs", "-n", "3"])
        XCTAssertEqual(tail.status, 0)
        XCTAssertEqual(tail.stdout, "line 8\nline 9\nline 10\n")

        let terminal = try cli.tmux(["logs", "-f", "-n", "1"])
        try terminal.waitFor("line 10")
        let handle = try FileHandle(forWritingTo: logs.appendingPathComponent("autopod.log"))
        try handle.seekToEnd()
        handle.write(Data("line 11 appended\n".utf8))
        try handle.close()
        try terminal.waitFor("line 11 appended", timeout: 10)
        try terminal.press("C-c")
        XCTAssertEqual(try terminal.waitForExit(), 130)
    }

    func testCommandsWriteTheirDebugLinesToTheLog() throws {
        let api = try ScriptedHTTPServer(replies: [.init(status: 200, body: #"{"data":{"myself":{"id":"u"}}}"#)])
        // The server speaks GraphQL only (a script of its replies).
        let cli = CLIRunner(environment: ["RUNPOD_API_BASE_URL": api.url, "AUTOPOD_API": "graphql"])
        _ = try cli.run(["config", "init", "--non-interactive", "--api-key", "rpa_LOGTESTKEY000000000000"])
        let log = cli.logText()
        XCTAssertTrue(log.contains("DEBUG [autopod.graphql] GraphQL Myself → HTTP 200"), log)
        XCTAssertFalse(log.contains("rpa_LOGTESTKEY000000000000"))
    }
}
