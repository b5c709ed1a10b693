import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `autopod completion bash|zsh|fish` in the real shell in a real terminal (tmux): it loads,
/// Tab after `autopod info ` offers the pods in the state file, read without the API, and a
/// unique prefix completes in place.
final class CompletionEndToEndTests: EndToEndCase {
    /// Completion reads local files only; the API in use does not matter.
    override class var runsOnEveryAPI: Bool { false }

    func testBashCompletesPodNamesFromTheStateFile() throws {
        let terminal = try shell(["/bin/bash", "--norc", "--noprofile"])
        try terminal.type("PS1='$ '; source <(autopod completion bash) && echo loaded-ok")
        // bash lists the candidates on a second Tab.
        try assertCompletesPods(in: terminal, prompt: "$ ", tabsToList: 2)
    }

    func testZshCompletesPodNamesFromTheStateFile() throws {
        // -f: no startup files; compinit -D writes no dump file.
        let terminal = try shell(["/usr/bin/zsh", "-f"])
        try terminal.type("PS1='%% '; autoload -U compinit && compinit -u -D && source <(autopod completion zsh) && echo loaded-ok")
        try assertCompletesPods(in: terminal, prompt: "% ", tabsToList: 1)
    }

    func testFishCompletesPodNamesFromTheStateFile() throws {
        let terminal = try shell(["/usr/bin/fish", "--no-config"])
        try terminal.type("autopod completion fish | source; and echo loaded-ok")
        try assertCompletesPods(in: terminal, prompt: "", tabsToList: 1)
    }

    func testAnUnknownShellIsAUsageError() throws {
        let wrong = try cli.run(["completion", "tcsh"])
        XCTAssertEqual(wrong.status, 2, "\(wrong)")
        XCTAssertTrue(wrong.stderr.contains("bash"), wrong.stderr)
    }

    /// With two pods made through autopod (so the state file names them) and the script
    /// loaded: Tab after `autopod info ` lists both, and a unique prefix completes in place.
    private func assertCompletesPods(in terminal: TmuxSession, prompt: String, tabsToList: Int) throws {
        try terminal.waitFor("loaded-ok\n")
        try connect()
        try connect(["--name", "trainer-b"])
        let names = try listJSON().compactMap { $0["name"] as? String }.sorted()
        XCTAssertEqual(names.count, 2, "\(names)")
        try terminal.type("autopod info ", enter: false)
        for _ in 0..<tabsToList { try terminal.press("Tab") }
        let screen = try terminal.waitFor(names[1])
        for name in names { XCTAssertTrue(screen.contains(name), screen) }

        try terminal.press("C-u")
        try terminal.type("autopod stop trai", enter: false)
        try terminal.press("Tab")
        try terminal.waitFor("\(prompt)autopod stop trainer-b")
    }

    /// A shell in tmux that finds the built autopod first and cannot reach the API: completion
    /// must not need it.
    private func shell(_ argv: [String]) throws -> TmuxSession {
        var environment = cli.environment
        environment["PATH"] = CLIRunner.productsDirectory.path + ":/usr/bin:/bin"
        environment["TERM"] = "xterm-256color"
        environment["RUNPOD_API_BASE_URL"] = "http://127.0.0.1:9"
        // Set again on the shell's own command line: tmux gives a new pane its server's PATH.
        return try TmuxSession(["/usr/bin/env", "PATH=\(environment["PATH"]!)"] + argv, environment: environment)
    }
}
