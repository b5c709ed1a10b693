import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `autopod completion bash` in a real bash in a real terminal (tmux): it loads, and Tab after
/// `autopod info ` offers the pods in the state file, read without the API.
final class CompletionEndToEndTests: EndToEndCase {
    /// Completion reads local files only; the API in use does not matter.
    override class var runsOnEveryAPI: Bool { false }

    func testBashCompletesPodNamesFromTheStateFile() throws {
        try connect()
        try connect(["--name", "trainer-b"])
        let names = try listJSON().compactMap { $0["name"] as? String }.sorted()
        XCTAssertEqual(names.count, 2, "\(names)")

        var environment = cli.environment
        environment["PATH"] = CLIRunner.productsDirectory.path + ":/usr/bin:/bin"
        environment["TERM"] = "xterm-256color"
        // The API is out of reach from here on: completion must not need it.
        environment["RUNPOD_API_BASE_URL"] = "http://127.0.0.1:9"
        let terminal = try TmuxSession(["/bin/bash", "--norc", "--noprofile"], environment: environment)
        try terminal.type("PS1='$ '; PATH=\(environment["PATH"]!); source <(autopod completion bash) && echo loaded-ok")
        try terminal.waitFor("loaded-ok\n")
        try terminal.type("autopod info ", enter: false)
        try terminal.press("Tab")
        try terminal.press("Tab")
        let screen = try terminal.waitFor(names[1])
        for name in names { XCTAssertTrue(screen.contains(name), screen) }

        // A unique prefix completes in place.
        try terminal.press("C-u")
        try terminal.type("autopod stop trai", enter: false)
        try terminal.press("Tab")
        try terminal.waitFor("$ autopod stop trainer-b")
    }

    func testScriptsForZshAndFishArePrinted() throws {
        for shell in ["zsh", "fish"] {
            let result = try cli.run(["completion", shell])
            XCTAssertEqual(result.status, 0, "\(result)")
            XCTAssertTrue(result.stdout.contains("---completion"), "\(shell) script calls back for pod names")
        }
        let wrong = try cli.run(["completion", "tcsh"])
        XCTAssertEqual(wrong.status, 2, "\(wrong)")
    }
}
