import AutopodCore
import XCTest

/// The command line `exec` builds; that the pod's shell reads it back as the same words is
/// checked end to end in ExecEndToEndTests.
final class RemoteCommandLineTests: XCTestCase {
    func testOneWordIsAShellCommandLine() {
        XCTAssertEqual(RemoteCommandLine.command(["cd /workspace && ls"]), "cd /workspace && ls")
    }

    func testSeveralWordsAreEachQuoted() {
        XCTAssertEqual(RemoteCommandLine.command(["sh", "-c", "echo a; echo b"]), "'sh' '-c' 'echo a; echo b'")
        XCTAssertEqual(RemoteCommandLine.command(["echo", "it's", ""]), #"'echo' 'it'\''s' ''"#)
    }

    func testTheWrapperEndsWithANoOpBeforeTheCommand() {
        XCTAssertEqual(RemoteCommandLine.wrapped("x"), "[ -f /etc/rp_environment ] && . /etc/rp_environment; :\nx")
        XCTAssertTrue(RemoteCommandLine.wrapped("x", tag: "00ff").hasPrefix("export AUTOPOD_EXEC_ID=00ff; "))
    }

    func testTagsAreSixteenHexDigits() {
        let tag = RemoteCommandLine.newTag()
        XCTAssertEqual(tag.count, 16)
        XCTAssertTrue(tag.allSatisfy(\.isHexDigit))
    }
}
