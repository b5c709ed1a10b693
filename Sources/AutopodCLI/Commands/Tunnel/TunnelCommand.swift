import AutopodSupport
import ArgumentParser

/// `autopod tunnel`: persistent port forwards to a pod; `start` is the default subcommand, so
/// `autopod tunnel POD 8888` starts one.
struct TunnelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tunnel",
        abstract: "Keep local port forwards to a pod up across drops, sshd restarts and pod restarts.",
        discussion: "`autopod tunnel POD PORT[:REMOTE_PORT]...` starts one (see `autopod tunnel start --help`).",
        subcommands: [TunnelStart.self, TunnelList.self, TunnelStop.self],
        defaultSubcommand: TunnelStart.self
    )
}
