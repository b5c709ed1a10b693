import ArgumentParser
import XCTest

@testable import AutopodCLI

/// A leaf parsed on its own must be the same command, with the same values, as the root makes.
final class DirectDispatchTests: XCTestCase {
    /// Every leaf, with the words that name it.
    private func leaves(_ commands: [ParsableCommand.Type], under path: [String] = []) -> [([String], ParsableCommand.Type)] {
        commands.flatMap { command -> [([String], ParsableCommand.Type)] in
            let words = path + [command.configuration.commandName!]
            let subcommands = command.configuration.subcommands
            return subcommands.isEmpty ? [(words, command)] : leaves(subcommands, under: words)
        }
    }

    func testEveryLeafNamesItsSuperCommandsSoItCanBeParsedAlone() {
        let all = leaves(AutopodCommand.configuration.subcommands)
        XCTAssertGreaterThan(all.count, 25)
        for (words, command) in all {
            XCTAssertEqual(
                command.configuration._superCommandName, (["autopod"] + words.dropLast()).joined(separator: " "), "\(words)")
            let found = DirectDispatch.leaf(named: words + ["x"])
            XCTAssertTrue(found?.0 == command, "\(words)")
            XCTAssertEqual(found?.1, ["x"], "\(words)")
        }
    }

    func testALeafParsedAloneEqualsTheRootsParse() throws {
        let lines = [
            ["list", "--json", "--all"], ["list"], ["info", "pod-1", "-v"], ["config", "show"], ["tunnel", "stop", "all", "--timeout", "5s"],
            ["connect", "--gpu", "A40", "--gpu-count", "2", "--no-shell", "--name", "x"], ["exec", "p", "--", "ls", "-la"],
            ["volume", "create", "v", "--size", "20", "--region", "EU-RO-1"], ["stop", "p", "--json"],
        ]
        for line in lines {
            let direct = try XCTUnwrap(DirectDispatch.parse(line), "\(line)")
            let root = try AutopodCommand.parseAsRoot(line)
            XCTAssertTrue(type(of: direct) == type(of: root), "\(line)")
            XCTAssertEqual(String(reflecting: direct), String(reflecting: root), "\(line)")
        }
    }

    func testWhatIsNotACleanLeafParseIsLeftToTheRoot() {
        for line in [
            [], ["--version"], ["--help"], ["help", "list"], ["list", "--help"], ["list", "-h"], ["list", "--version"], ["list", "--bogus"],
            ["config"], ["tunnel", "pod-1", "8888:8888"], ["list", "--generate-completion-script", "bash"],
            ["---completion", "info", "--", "p"], ["nonsense"],
        ] {
            XCTAssertNil(DirectDispatch.parse(line), "\(line)")
        }
    }
}
