import Foundation

/// What a pod sees as its files, as a RunPod pod does: a container disk that is fresh on every
/// start, a volume at `/workspace` that outlives stop and start (and goes with terminate), and
/// `/etc/rp_environment` written at start-up the way RunPod's images write it.
///
/// With namespaces (root), sshd runs in its own mount and UTS namespaces, chrooted into an
/// overlay of the host's root: the overlay's upper directory is the pod's container disk (every
/// write outside the volume lands there, the host's files stay untouched), the volume is
/// bind-mounted at its mount path, and the hostname is the pod id.
///
/// Without root, pods share the host's filesystem and hostname and nothing can be mounted: the
/// volume is a per-pod directory the SFTP subsystem starts in (clients that fall back to the
/// start directory when `/workspace` is missing land there), and the environment file is
/// written beside the pod's other files (`environmentFile`) since `/etc` is the host's.
struct PodFilesystem: Sendable {
    /// Host path of the pod's volume (its `/workspace`).
    let volume: String
    /// The pod's path to the volume.
    let mountPath: String
    /// Host directory of the container disk: `upper` and `work` of the overlay, `root` its mount.
    let containerDisk: String
    let hostname: String
    /// Own root and hostname (namespace mode), or the host's (loopback mode).
    let isolated: Bool

    var upper: String { containerDisk + "/upper" }
    var root: String { containerDisk + "/root" }

    /// Host path of the pod's `/etc/rp_environment` (in the overlay's upper layer when isolated).
    var environmentFile: String { isolated ? upper + "/etc/rp_environment" : containerDisk + "/rp_environment" }

    /// Makes the directories and writes the environment file: `export NAME="value"` lines for the
    /// RUNPOD_* variables and PATH, as RunPod's start.sh does with `printenv | grep -E '^RUNPOD_|^PATH='`.
    func prepare(environment: [(String, String)]) throws(SimulatorError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: volume, withIntermediateDirectories: true)
            try? fm.removeItem(atPath: containerDisk)
            for dir in isolated ? [upper + "/etc", upper + mountPath, containerDisk + "/work", root] : [containerDisk] {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
        } catch {
            throw .badArgument("cannot make the pod's directories under \(containerDisk): \(error.localizedDescription)")
        }
        let path = environment.last { $0.0 == "PATH" } ?? ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        let lines = ([path] + environment.filter { $0.0.hasPrefix("RUNPOD_") }).map { name, value in
            "export \(name)=\"\(Self.shellEscaped(value))\"\n"
        }
        guard fm.createFile(atPath: environmentFile, contents: Data(lines.joined().utf8)) else {
            throw .badArgument("cannot write \(environmentFile)")
        }
    }

    /// A shell script that builds the pod's view and then execs `command` inside it; run it in
    /// a fresh mount and UTS namespace (`unshare --mount --uts`). Only for `isolated`.
    /// `hostDirectory` (sshd's config, keys and log) is bind-mounted at its own path, so what
    /// sshd writes there reaches the host rather than the container disk.
    func launchScript(exec command: [String], hostDirectory: String) -> String {
        let q = Self.quoted
        return """
            set -e
            mount --make-rprivate /
            mount -t overlay rpsim-pod -o lowerdir=/,upperdir=\(q(upper)),workdir=\(q(containerDisk + "/work")) \(q(root))
            for d in proc sys dev run; do mount --rbind /$d \(q(root))/$d; done
            mount --bind \(q(volume)) \(q(root + mountPath))
            mount --bind \(q(hostDirectory)) \(q(root + hostDirectory))
            hostname \(q(hostname))
            exec chroot \(q(root)) \(command.map(q).joined(separator: " "))

            """
    }

    /// Drops the container disk (a stopped pod's next start begins from the image again).
    func removeContainerDisk() {
        try? FileManager.default.removeItem(atPath: containerDisk)
    }

    /// Drops the volume (terminate).
    func removeVolume() {
        try? FileManager.default.removeItem(atPath: volume)
    }

    static func shellEscaped(_ value: String) -> String {
        var out = ""
        for c in value {
            if c == "\"" || c == "\\" || c == "$" || c == "`" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
