import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `autopod code POD [PATH]`: the ssh-config entry is written and included, then the editor is
/// started with `--remote ssh-remote+NAME PATH` (a stand-in `code`/`cursor` on PATH records it).
final class EditorEndToEndTests: EndToEndCase {
    /// Starting an editor reads local files and the pod list only; one API is enough.
    override class var runsOnEveryAPI: Bool { false }

    func testCodeWritesTheEntryAndStartsTheEditorOnThePod() throws {
        try connect()
        let name = try XCTUnwrap(try listJSON().first?["name"] as? String)
        let scratch = TemporaryDirectory(prefix: "editor-bin")
        for editor in ["code", "cursor"] {
            let script = scratch.file(editor)
            try Data("#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > '\(scratch.file("\(editor).args").path)'\n".utf8).write(to: script)
            chmod(script.path, 0o755)
        }
        let path = scratch.url.path + ":" + cli.environment["PATH"]!

        let code = try cli.run(["code", name, "--yes"], environment: ["PATH": path])
        XCTAssertEqual(code.status, 0, "\(code)")
        let arguments = try String(contentsOf: scratch.file("code.args"), encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(Array(arguments), ["--remote", "ssh-remote+\(name)", "/workspace"])
        let entries = try String(contentsOf: cli.userHome.appendingPathComponent(".ssh/autopod.conf"), encoding: .utf8)
        XCTAssertTrue(entries.contains("Host \(name) "), entries)
        let userConfig = try String(contentsOf: cli.userHome.appendingPathComponent(".ssh/config"), encoding: .utf8)
        XCTAssertTrue(userConfig.contains("Include \(cli.userHome.path)/.ssh/autopod.conf"), userConfig)

        let cursor = try cli.run(["code", name, "/root/project", "--cursor"], environment: ["PATH": path])
        XCTAssertEqual(cursor.status, 0, "\(cursor)")
        let cursorArguments = try String(contentsOf: scratch.file("cursor.args"), encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(Array(cursorArguments), ["--remote", "ssh-remote+\(name)", "/root/project"])

        let missing = try cli.run(["code", name])
        XCTAssertEqual(missing.status, 1, "\(missing)")
        XCTAssertTrue(missing.stderr.contains("code --remote ssh-remote+\(name) /workspace"), "says what to run: \(missing.stderr)")
    }
}
