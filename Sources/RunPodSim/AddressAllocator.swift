import Foundation
import AutopodSupport

/// Picks a /30 in 169.254.128.0/17 that no interface on the host uses yet and assigns its first
/// address to a host veth. A lock file serialises this between simulators started at once.
enum AddressAllocator {
    static let lockPath = "/run/rpsim-address.lock"

    /// Returns (host address, pod address) after adding the host address to `hostVeth`.
    static func assign(hostVeth: String) throws(SimulatorError) -> (String, String) {
        let fd = open(lockPath, O_CREAT | O_RDWR, 0o644)
        if fd >= 0 { flock(fd, LOCK_EX) }
        defer {
            if fd >= 0 {
                flock(fd, LOCK_UN)
                close(fd)
            }
        }
        let used = hostIPv4Addresses()
        // 169.254.128.0 ... 169.254.255.252 in steps of 4; skip the metadata address's block.
        for block in stride(from: 128 * 256, to: 256 * 256, by: 4) {
            let third = block / 256
            let fourth = block % 256
            if third == 169 && fourth == 252 { continue }
            let host = "169.254.\(third).\(fourth + 1)"
            let pod = "169.254.\(third).\(fourth + 2)"
            if used.contains(host) || used.contains(pod) { continue }
            try Shell.check(["/usr/sbin/ip", "-batch", "-"], input: "addr add \(host)/30 dev \(hostVeth)\nlink set \(hostVeth) up\n")
            return (host, pod)
        }
        throw .command("allocate a pod address", status: 1, output: "169.254.128.0/17 is exhausted")
    }

    private static func hostIPv4Addresses() -> Set<String> {
        var result = Set<String>()
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return result }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            if let addr = entry.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET) {
                var sin = addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                inet_ntop(AF_INET, &sin.sin_addr, &text, socklen_t(INET_ADDRSTRLEN))
                let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                result.insert(String(decoding: bytes, as: UTF8.self))
            }
            cursor = entry.pointee.ifa_next
        }
        return result
    }
}
