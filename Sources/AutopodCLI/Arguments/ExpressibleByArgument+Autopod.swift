import ArgumentParser
import AutopodCore
import AutopodSupport
import SSHKit

// How the command line reads the core's value types. The conformances live here so the core
// stays free of ArgumentParser; a value that does not read is reported by the parser with the
// flag's name and its help.

/// `--cloud secure`: any case.
extension CloudType: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

/// `--api rest`: auto, rest or graphql, any case.
extension CloudAPIChoice: ExpressibleByArgument {
    public init?(argument: String) { self.init(text: argument) }
}

/// `--wait-timeout 90s`, `15m`, `1h30m`, or plain seconds.
extension WaitDuration: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--memory-budget 64M`: a size (see `ByteSize` for the spellings).
extension ByteSize: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--port 8888/http`: a port the pod exposes, in RunPod's form.
extension PortSpec: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--forward 8888,18888:8888`: a configured forward, PORT or LOCAL:REMOTE.
extension ConfigForward: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }
}

/// `tunnel POD 8888 6006:16006`: PORT forwards localhost:PORT to the pod's PORT;
/// LOCAL:REMOTE picks another remote port.
extension ForwardSpec: ExpressibleByArgument {
    public init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        let ports = parts.compactMap { Int($0) }.filter { (1...65535).contains($0) }
        guard (1...2).contains(parts.count), ports.count == parts.count else { return nil }
        self.init(localPort: ports[0], remotePort: ports[ports.count - 1])
    }

    /// The argument that reads back as this forward (the background copy of `tunnel --detach`
    /// is started with it).
    public var defaultValueDescription: String { localPort == remotePort ? "\(localPort)" : "\(localPort):\(remotePort)" }
}
