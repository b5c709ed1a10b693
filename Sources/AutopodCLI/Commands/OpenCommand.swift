import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod open POD [PORT]`: a pod's web port (Jupyter by default) in the browser.
struct OpenCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        _superCommandName: "autopod",
        abstract: "Open a pod's web port (Jupyter, 8888, by default) in the browser.",
        discussion: """
            The port's local forward is used when one is up (`autopod tunnel POD PORT`, or the \
            shell's forwards), else RunPod's HTTPS proxy for an http port. Jupyter's URL carries \
            its token. Opened with xdg-open (Linux) or open (macOS); without either, the URL is \
            printed.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var pod: RequiredPodArgument
    @Argument(help: ArgumentHelp("The pod's port to open.", valueName: "port"))
    var port: Int = JupyterAccess.port

    func validate() throws {
        try RangeCheck.require(port, in: 1...65535, flag: "PORT")
    }

    func run(_ context: CommandContext) throws {
        let view = try context.pod(pod.reference)
        let password = context.environment[JupyterAccess.variable].flatMap { $0.isEmpty ? nil : $0 } ?? JupyterAccess.storedPassword(paths: context.paths)
        guard let base = Self.base(for: view, port: port, context: context) else {
            throw CLIFailure(
                "nothing reaches port \(port) of \(view.record.name): it is not an http port of the pod and no forward is up. "
                    + "Forward it with `autopod tunnel \(TerminalText.shellWord(view.record.name)) \(port) --detach`.")
        }
        let url = JupyterAccess.url(base, port: port, password: password)
        #if os(macOS)
        let openerName = "open"
        #else
        let openerName = "xdg-open"
        #endif
        guard let opener = ProgramPath.find(openerName, environment: context.environment) else {
            print(url)
            return
        }
        let result = try? ChildProcess.run([opener, url], timeout: .seconds(30))
        if result?.status == 0 {
            print(Style.ok("✓") + " opened \(url)")
        } else {
            print(url)
            StandardStream.error.write(Style.warn("\(opener) could not open it: open the URL above yourself") + "\n")
        }
    }

    /// Where the port is reached from here: a running tunnel's local port, the shell's forward
    /// on the same port number (when something answers there), or RunPod's HTTPS proxy.
    static func base(for view: PodView, port: Int, context: CommandContext) -> String? {
        if let tunnel = TunnelRegistry(paths: context.paths).running(podID: view.record.id),
            let forward = tunnel.forwards.first(where: { $0.remotePort == port })
        {
            return "http://localhost:\(forward.localPort)"
        }
        if let local = context.config.forwards.first(where: { $0.remotePort == port })?.localPort, answers(local) {
            return "http://localhost:\(local)"
        }
        if RunPodProxyURL.httpPorts(view.remote?.ports ?? context.config.ports).contains(port) {
            return RunPodProxyURL.url(podID: view.record.id, port: port)
        }
        return nil
    }

    private static func answers(_ port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let fd = socket(AF_INET, Posix.streamSocketType, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
