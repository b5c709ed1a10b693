import ArgumentParser
import AutopodCore
import Foundation

/// `autopod logs`: autopod's own log, for when something went wrong.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Show autopod's own log (AUTOPOD_HOME/logs/autopod.log).")

    @Option(name: [.customShort("n"), .long], help: "How many of the last lines to show.")
    var lines = 50

    @Flag(name: .shortAndLong, help: "Keep printing new lines as they are written (Ctrl+C stops).")
    var follow = false

    func validate() throws {
        guard lines >= 0 else { throw ValidationError("-n must be 0 or more") }
    }

    func run() throws {
        let url = AutopodPaths.fromEnvironment().log
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            if !follow {
                FileHandle.standardError.write(Data("no log yet at \(url.path)\n".utf8))
                return
            }
            throw CLIFailure("no log at \(url.path) to follow; run an autopod command first")
        }
        let data = handle.readDataToEndOfFile()
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let body = all.last == "" ? all.dropLast() : all[...]
        let tail = body.suffix(lines).map { $0 + "\n" }.joined()
        FileHandle.standardOutput.write(Data(tail.utf8))
        guard follow else { return }
        var offset = UInt64(data.count)
        while true {
            usleep(250_000)
            // A rotation replaces the file: start again from the top of the new one.
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? UInt64) ?? 0
            if size < offset { offset = 0 }
            guard size > offset, let reader = FileHandle(forReadingAtPath: url.path) else { continue }
            try? reader.seek(toOffset: offset)
            let chunk = reader.readDataToEndOfFile()
            try? reader.close()
            offset += UInt64(chunk.count)
            FileHandle.standardOutput.write(chunk)
        }
    }
}
