import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod logs`: autopod's own log, for when something went wrong.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Show autopod's own log (AUTOPOD_HOME/logs/autopod.log).")

    @Option(name: [.customShort("n"), .long], parsing: .unconditional, help: "How many of the last lines to show.")
    var lines = 50

    @Flag(name: .shortAndLong, help: "Keep printing new lines as they are written (Ctrl+C stops).")
    var follow = false

    func validate() throws {
        guard lines >= 0 else { throw ValidationError("-n must be 0 or more") }
    }

    func run() throws {
        let url = AutopodPaths.fromEnvironment().log
        guard let data = FileReader.bytes(atPath: url.path) else {
            if !follow {
                StandardStream.error.write("no log yet at \(url.path)\n")
                return
            }
            throw CLIFailure("no log at \(url.path) to follow; run an autopod command first")
        }
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let body = all.last == "" ? all.dropLast() : all[...]
        let tail = body.suffix(lines).map { $0 + "\n" }.joined()
        StandardStream.output.write(tail)
        guard follow else { return }
        var offset = UInt64(data.count)
        while true {
            Sleep.for(.milliseconds(250))
            // A rotation replaces the file: start again from the top of the new one.
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? UInt64) ?? 0
            if size < offset { offset = 0 }
            guard size > offset, let chunk = FileReader.bytes(atPath: url.path, from: offset) else { continue }
            offset += UInt64(chunk.count)
            chunk.withUnsafeBytes { StandardStream.output.write($0) }
        }
    }
}
