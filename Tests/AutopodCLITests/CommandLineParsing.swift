import ArgumentParser
import XCTest

@testable import AutopodCLI

/// The command line as `autopod` parses it (`parseAsRoot`, subcommands and all).
enum CommandLineParsing {
    /// Parses `arguments` and returns the command they select, which must be a `C`.
    static func parse<C: ParsableCommand>(
        _ arguments: [String], as type: C.Type, file: StaticString = #filePath, line: UInt = #line
    ) throws -> C {
        let command = try AutopodCommand.parseAsRoot(arguments)
        return try XCTUnwrap(command as? C, "\(arguments) selected \(Swift.type(of: command))", file: file, line: line)
    }

    /// The message `autopod` prints for `arguments`, which must be a usage error (exit status 2).
    static func usageError(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let command = try AutopodCommand.parseAsRoot(arguments)
            XCTFail("\(arguments) parsed as \(type(of: command))", file: file, line: line)
            return ""
        } catch {
            XCTAssertEqual(AutopodCommand.exitCode(for: error), .validationFailure, "\(arguments)", file: file, line: line)
            return AutopodCommand.message(for: error)
        }
    }
}
