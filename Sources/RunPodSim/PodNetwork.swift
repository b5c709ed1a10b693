import Foundation
import AutopodSupport

/// Where a pod's processes listen. As root: a network namespace `rpsim-<simpid>-<n>` joined to
/// the host by a veth pair (`rph<simpid>n<n>` on the host, `eth0` in the pod) on a /30 from
/// 169.254.128.0/17, host side .1 and pod side .2. Without root: loopback, ports picked freely.
struct PodNetwork: Sendable {
    /// nil in loopback mode.
    let namespace: String?
    let hostVeth: String?
    /// The address the pod's services are reached at from the host.
    let podAddress: String
    let hostAddress: String?

    static func loopback() -> PodNetwork {
        PodNetwork(namespace: nil, hostVeth: nil, podAddress: "127.0.0.1", hostAddress: nil)
    }

    /// Creates the namespace and veth pair for the `serial`-th pod network of this process.
    static func create(serial: Int) throws(SimulatorError) -> PodNetwork {
        let pid = getpid()
        let namespace = "\(ResourceNames.prefix)\(pid)-\(serial)"
        let hostVeth = "rph\(pid)n\(serial)"
        let podVeth = "rpp\(pid)n\(serial)"
        // `ip -batch` runs several commands in one process: spawning is most of a boot's cost
        // when many pods start at once on a small machine.
        do {
            try Shell.check(
                ["/usr/sbin/ip", "-batch", "-"],
                input: """
                    netns add \(namespace)
                    link add \(hostVeth) type veth peer name \(podVeth)
                    link set \(podVeth) netns \(namespace)

                    """)
            let (host, pod) = try AddressAllocator.assign(hostVeth: hostVeth)
            try Shell.check(
                ["/usr/sbin/ip", "-n", namespace, "-batch", "-"],
                input: """
                    link set \(podVeth) name eth0
                    link set lo up
                    addr add \(pod)/30 dev eth0
                    link set eth0 up
                    route add default via \(host)

                    """)
            return PodNetwork(namespace: namespace, hostVeth: hostVeth, podAddress: pod, hostAddress: host)
        } catch {
            Shell.run(["/usr/sbin/ip", "link", "delete", hostVeth])
            Shell.run(["/usr/sbin/ip", "netns", "delete", namespace])
            throw error
        }
    }

    /// Cuts or restores the pod's link by taking the pod side (`eth0` in the namespace) down.
    /// The host side stays administratively up on purpose: its connected route then stays in
    /// place (marked linkdown), so packets for the pod die on the veth instead of following
    /// the host's default route off the machine.
    func setUp(_ up: Bool) {
        guard let namespace else { return }
        Shell.run(["/usr/sbin/ip", "-n", namespace, "link", "set", "eth0", up ? "up" : "down"])
        if up, let hostAddress {
            // Taking eth0 down removed the pod's default route; put it back.
            Shell.run(["/usr/sbin/ip", "-n", namespace, "route", "replace", "default", "via", hostAddress])
        }
    }

    /// Kills everything still running inside the namespace, then removes it (and so the veth).
    func destroy() {
        guard let namespace else { return }
        ResourceSweeper.killProcesses(inNamespace: namespace)
        Shell.run(["/usr/sbin/ip", "netns", "delete", namespace])
        if let hostVeth { Shell.run(["/usr/sbin/ip", "link", "delete", hostVeth]) }
    }
}
