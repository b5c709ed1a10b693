import AutopodSupport
import Foundation

/// The processes behind one running pod: its network, filesystem, sshd, HTTP responders, public
/// SSH proxy, its way to RunPod's API and its CPU accounting group. Made on boot, destroyed on
/// stop or terminate; a resume makes a fresh one (new host key, new public port, new namespace,
/// a fresh container disk; the volume stays).
final class PodMachine: Sendable {
    let network: PodNetwork
    let sshd: SSHDaemon
    let proxy: LatencyProxy
    let responders: [HTTPResponder]
    let directory: String
    let filesystem: PodFilesystem
    /// The API as the pod reaches it (namespace mode); nil when the pod shares loopback.
    let apiRelay: PodAPIRelay?
    let cgroup: PodCgroup?

    struct Spec: Sendable {
        let podID: String
        let serial: Int
        let directory: String
        /// Host directory of the pod's volume, kept across stops by the caller.
        let volumeDirectory: String
        let volumeMountPath: String
        let authorizedKeys: String
        let environment: [(String, String)]
        let httpPorts: [Int]
        let useNamespaces: Bool
        let avoidPublicPort: UInt16?
        /// What the pod's `nvidia-smi` reports.
        let gpuName: String
        let gpuMemoryMiB: Int
        let gpuUUIDs: [String]
        let cudaVersion: String
        let usage: String
        /// The simulator's API on loopback, which the pod's API relay leads to.
        let api: PodAPIRelay.Target
        /// The pod's clock file's first content (`SimClock.fileText`).
        let clock: String
        /// A host key to start sshd with instead of a fresh one (`keep-host-key`).
        var keptHostKey: String? = nil
    }

    /// The pod's clock file, named by `RUNPOD_SIM_CLOCK` in its environment.
    static func clockPath(_ directory: String) -> String { directory + "/clock" }

    static func boot(_ spec: Spec) throws(SimulatorError) -> PodMachine {
        let network = spec.useNamespaces ? try PodNetwork.create(serial: spec.serial) : PodNetwork.loopback()
        let filesystem = PodFilesystem(
            volume: spec.volumeDirectory,
            mountPath: spec.volumeMountPath.hasPrefix("/") && spec.volumeMountPath.count > 1 ? spec.volumeMountPath : "/workspace",
            containerDisk: spec.directory + "/container",
            hostname: spec.podID, isolated: network.namespace != nil)
        do throws(SimulatorError) {
            // The proxy comes first: its port is the pod's RUNPOD_TCP_PORT_22.
            let sshdPort = try network.namespace != nil ? 22 : SSHDaemon.freeLoopbackPort()
            let proxy = try LatencyProxy(targetHost: network.podAddress, targetPort: sshdPort, avoiding: spec.avoidPublicPort)
            var responders: [HTTPResponder] = []
            do throws(SimulatorError) {
                try? FileManager.default.createDirectory(atPath: spec.directory, withIntermediateDirectories: true)
                try NvidiaSMI.install(
                    directory: spec.directory, gpuName: spec.gpuName, memoryMiB: spec.gpuMemoryMiB, uuids: spec.gpuUUIDs,
                    cudaVersion: spec.cudaVersion, usage: spec.usage)
                writeClock(directory: spec.directory, spec.clock)
                // A pod in a namespace reaches the API through a relay on its gateway address.
                var relay: PodAPIRelay?
                if let host = network.hostAddress { relay = try PodAPIRelay(host: host, target: spec.api) }
                let apiURL = relay?.url ?? spec.api.url
                // The pod's bin directory first, so its SSH sessions find `nvidia-smi` as on a
                // GPU host. (A login shell's /etc/profile resets PATH; exec and `bash -c` keep it.)
                let path = NvidiaSMI.binDirectory(spec.directory) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                // Simulator-only variables (a real pod has none of these): where the API is and the
                // pod's clock; without a mount namespace, also where its volume is (there is no
                // /workspace then).
                var simulated = [("RUNPOD_API_BASE_URL", apiURL), ("RUNPOD_SIM_CLOCK", clockPath(spec.directory))]
                if !filesystem.isolated { simulated.append(("RUNPOD_SIM_VOLUME", filesystem.volume)) }
                let environment = spec.environment + simulated + [("RUNPOD_TCP_PORT_22", "\(proxy.port)"), ("PATH", path)]
                let sshd: SSHDaemon
                do throws(SimulatorError) {
                    try filesystem.prepare(environment: environment)
                    sshd = try SSHDaemon(
                        directory: spec.directory, network: network, port: sshdPort, authorizedKeys: spec.authorizedKeys,
                        environment: environment, keptHostKey: spec.keptHostKey, filesystem: filesystem)
                    try sshd.start()
                } catch {
                    relay?.stop()
                    throw error
                }
                // Everything the pod runs from now on descends from sshd, so it is counted and
                // killed with the pod's group.
                let cgroup = PodCgroup.create(serial: spec.serial)
                if let cgroup, let pid = sshd.pid { cgroup.adopt(pid) }
                do throws(SimulatorError) {
                    for port in spec.httpPorts {
                        responders.append(try HTTPResponder(podID: spec.podID, podPort: port, namespace: network.namespace))
                    }
                } catch {
                    sshd.stop()
                    relay?.stop()
                    cgroup?.destroy()
                    throw error
                }
                return PodMachine(
                    network: network, sshd: sshd, proxy: proxy, responders: responders, directory: spec.directory,
                    filesystem: filesystem, apiRelay: relay, cgroup: cgroup)
            } catch {
                responders.forEach { $0.stop() }
                proxy.stop()
                throw error
            }
        } catch {
            network.destroy()
            filesystem.removeContainerDisk()
            throw error
        }
    }

    private init(
        network: PodNetwork, sshd: SSHDaemon, proxy: LatencyProxy, responders: [HTTPResponder], directory: String,
        filesystem: PodFilesystem, apiRelay: PodAPIRelay?, cgroup: PodCgroup?
    ) {
        self.filesystem = filesystem
        self.apiRelay = apiRelay
        self.cgroup = cgroup
        self.network = network
        self.sshd = sshd
        self.proxy = proxy
        self.responders = responders
        self.directory = directory
    }

    /// Hands the pod's `nvidia-smi` new utilisation figures.
    func writeUsage(_ text: String) {
        NvidiaSMI.writeUsage(directory: directory, text)
    }

    /// Hands the pod's clock file the simulator's new anchors (one rename: never read half).
    func writeClock(_ text: String) {
        Self.writeClock(directory: directory, text)
    }

    static func writeClock(directory: String, _ text: String) {
        try? text.write(toFile: clockPath(directory), atomically: true, encoding: .utf8)
    }

    func setNetwork(up: Bool) {
        proxy.networkUp = up
        network.setUp(up)
    }

    func destroy() {
        proxy.stop()
        responders.forEach { $0.stop() }
        apiRelay?.stop()
        sshd.stop()
        network.destroy()
        // What the pod started on its own (setsid, nohup) and still runs goes with it.
        cgroup?.destroy()
        filesystem.removeContainerDisk()
    }
}
