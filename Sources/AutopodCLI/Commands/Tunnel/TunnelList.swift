import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod tunnel list`: every running tunnel and how it is doing, from the state files the
/// tunnels keep fresh (stale ones, whose process is gone, are removed and not shown).
struct TunnelList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "autopod tunnel", abstract: "Show the running tunnels and their health.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        global.bootstrap()
        let tunnels = TunnelRegistry(paths: global.paths).running()
        if output.json {
            try JSONOutput.write(tunnels)
            return
        }
        if tunnels.isEmpty {
            print("No tunnels running. Start one with `autopod tunnel POD PORT`.")
            return
        }
        var table = Table([
            .init("POD"), .init("PORTS"), .init("STATE"), .init("CONNS", .right), .init("IN", .right), .init("OUT", .right),
            .init("RECONNECTS", .right), .init("UPTIME", .right), .init("PID", .right),
        ])
        let now = Date()
        for t in tunnels {
            var state = Style.status(t.state)
            // A tunnel refreshes its file every 2 s; silence for much longer means it is stuck.
            if now.timeIntervalSince(t.updatedAt) > 15 { state = Style.bad("unresponsive") }
            table.add([
                t.podName.terminalSafe, t.portsText, state,
                "\(t.forwards.map(\.activeConnections).reduce(0, +))/\(t.forwards.map(\.totalConnections).reduce(0, +))",
                ByteText.size(t.forwards.map(\.bytesIn).reduce(0, +)),
                ByteText.size(t.forwards.map(\.bytesOut).reduce(0, +)),
                "\(t.reconnects)", Format.duration(now.timeIntervalSince(t.startedAt)), "\(t.pid)",
            ])
        }
        print(table.render())
        for t in tunnels where t.state != "up" {
            if let detail = t.detail { print(Style.dim("\(t.podName): \(detail)".terminalSafe)) }
        }
    }
}
