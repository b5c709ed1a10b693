import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// An AUTOPOD_HOME another user made (here: uid 65534 through `setpriv`, as tests run as root)
/// with mode 0777 and planted temporary files: autopod refuses it, says how to fix it, and
/// writes nothing there (before, `config init` wrote the API key into the other user's file).
final class HomeOwnershipEndToEndTests: XCTestCase {
    func testAHomeOwnedByAnotherUserIsRefusedAndNothingIsWritten() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to act as a second user")
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("autopod-shared-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: shared) }
        // The other user makes the folder and plants a temporary file where autopod used to write.
        let other = ["--reuid=65534", "--regid=65534", "--clear-groups"]
        XCTAssertEqual(try ChildProcess.run(["/usr/bin/setpriv"] + other + ["/bin/mkdir", "-m", "0777", shared.path]).status, 0)
        XCTAssertEqual(
            try ChildProcess.run(["/usr/bin/setpriv"] + other + ["/bin/sh", "-c", "umask 0; : > \(shared.path)/.config.json.1.tmp"]).status, 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: shared.path)

        let cli = CLIRunner(apiBaseURL: "http://127.0.0.1:9", environment: ["AUTOPOD_HOME": shared.path])
        let result = try cli.run(["config", "init", "--non-interactive", "--api-key", "rpa_SECRETSECRETSECRET"], timeout: .seconds(60))
        XCTAssertNotEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stderr.contains("belongs to another user"), result.stderr)
        XCTAssertTrue(result.stderr.contains("AUTOPOD_HOME"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: shared.path), before, "nothing is written")

        let listed = try cli.run(["list"], timeout: .seconds(60))
        XCTAssertNotEqual(listed.status, 0, "\(listed)")
        XCTAssertTrue(listed.stderr.contains("belongs to another user"), listed.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: shared.path), before, "nothing is written")
    }
}
