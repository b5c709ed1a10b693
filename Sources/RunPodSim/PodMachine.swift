import AutopodSupport
import Foundation

/// The processes behind one running pod: its network, sshd, HTTP responders and public SSH
/// proxy. Made on boot, destroyed on stop or terminate; a resume makes a fresh one (new host
/// key, new public port, new namespace).
final class PodMachine: Sendable {
    let network: PodNetwork
    let sshd: SSHDaemon
    let proxy: LatencyProxy
    let responders: [HTTPResponder]
    let directory: String

    struct Spec: Sendable {
        let podID: String
        let serial: Int
        let directory: String
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
    }

    static func boot(_ spec: Spec) throws(SimulatorError) -> PodMachine {
        let network = spec.useNamespaces ? try PodNetwork.create(serial: spec.serial) : PodNetwork.loopback()
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
                // The pod's bin directory first, so its SSH sessions find `nvidia-smi` as on a
                // GPU host. (A login shell's /etc/profile resets PATH; exec and `bash -c` keep it.)
                let path = NvidiaSMI.binDirectory(spec.directory) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                let sshd = try SSHDaemon(
                    directory: spec.directory, network: network, port: sshdPort, authorizedKeys: spec.authorizedKeys,
                    environment: spec.environment + [("RUNPOD_TCP_PORT_22", "\(proxy.port)"), ("PATH", path)])
                try sshd.start()
                do throws(SimulatorError) {
                    for port in spec.httpPorts {
                        responders.append(try HTTPResponder(podID: spec.podID, podPort: port, namespace: network.namespace))
                    }
                } catch {
                    sshd.stop()
                    throw error
                }
                return PodMachine(network: network, sshd: sshd, proxy: proxy, responders: responders, directory: spec.directory)
            } catch {
                responders.forEach { $0.stop() }
                proxy.stop()
                throw error
            }
        } catch {
            network.destroy()
            throw error
        }
    }

    private init(network: PodNetwork, sshd: SSHDaemon, proxy: LatencyProxy, responders: [HTTPResponder], directory: String) {
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

    func setNetwork(up: Bool) {
        proxy.networkUp = up
        network.setUp(up)
    }

    func destroy() {
        proxy.stop()
        responders.forEach { $0.stop() }
        sshd.stop()
        network.destroy()
    }
}
