import Foundation

/// Runs helper programs (`ip`, `ssh-keygen`, `sshd`) and reports failures with their output,
/// so a broken host setup names the command that failed instead of surfacing later as a hang.
enum Shell {
    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `arguments` to completion, capturing stdout and stderr together.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0].hasPrefix("/") ? arguments[0] : "/usr/bin/env")
        process.arguments = arguments[0].hasPrefix("/") ? Array(arguments.dropFirst()) : arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let stdin = Pipe()
        process.standardInput = stdin
        do {
            try process.run()
        } catch {
            return Result(status: 127, output: "cannot start \(arguments[0]): \(error)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Runs `arguments` and throws `SimulatorError.command` when it exits non-zero.
    @discardableResult
    static func check(_ arguments: [String]) throws(SimulatorError) -> String {
        let result = run(arguments)
        guard result.status == 0 else {
            throw .command(arguments.joined(separator: " "), status: result.status, output: result.output)
        }
        return result.output
    }

    /// Starts a long-running program with stdio going to `logPath`, returning the process.
    static func launch(_ arguments: [String], logPath: String) throws(SimulatorError) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log ?? FileHandle.nullDevice
        process.standardError = log ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .command(arguments.joined(separator: " "), status: 127, output: "\(error)")
        }
        try? log?.close()
        return process
    }

    static var isRoot: Bool { geteuid() == 0 }
}
