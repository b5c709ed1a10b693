import Foundation
import TestSupport
import XCTest

/// The built binary's command line: help, version, and a usage error's exit status.
final class UsageEndToEndTests: XCTestCase {
    func testHelpVersionAndUsageErrors() throws {
        let cli = CLIRunner()
        let help = try cli.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("USAGE: autopod <subcommand>"), help.stdout)
        let version = try cli.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
        let bad = try cli.run(["config", "show", "--no-such-flag"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("Unknown option '--no-such-flag'"), bad.stderr)
    }
}
