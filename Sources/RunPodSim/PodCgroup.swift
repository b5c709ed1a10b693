import AutopodSupport
import Foundation

/// A pod's own CPU accounting group, as a container has: sshd is put into it at boot, so every
/// process of the pod (sessions, what users run, anything started with setsid) is counted
/// there and nowhere else. A tool on the pod reads its CPU use from its own cgroup
/// (`/proc/self/cgroup`), as it would in a container, instead of the whole machine's. It is
/// also how a stop kills everything of the pod, setsid'd processes included, when pods share
/// the host's network (loopback mode).
///
/// cgroup v2 (`/sys/fs/cgroup/cgroup.controllers`) or v1's cpuacct hierarchy; as root only.
/// Groups are named `rpsim-<simpid>-<n>` so the sweeper can remove a dead simulator's.
struct PodCgroup: Sendable {
    /// The group's directory.
    let path: String

    /// Where pod groups go on this machine, or nil when none can be made.
    static var hierarchy: String? {
        guard Shell.isRoot else { return nil }
        let fm = FileManager.default
        if fm.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") { return "/sys/fs/cgroup" }
        for candidate in ["/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct"]
        where fm.fileExists(atPath: candidate + "/cpuacct.usage") {
            return candidate
        }
        return nil
    }

    /// Makes the group for the `serial`-th pod of this process; nil when cgroups are not
    /// available (the pod then simply shares the simulator's).
    static func create(serial: Int) -> PodCgroup? {
        guard let hierarchy else { return nil }
        let path = "\(hierarchy)/\(ResourceNames.prefix)\(getpid())-\(serial)"
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { return nil }
        return PodCgroup(path: path)
    }

    /// Moves `pid` (and so, from then on, its children) into the group.
    @discardableResult
    func adopt(_ pid: Int32) -> Bool {
        let fd = open(path + "/cgroup.procs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let text = Array("\(pid)\n".utf8)
        return text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.count
    }

    var pids: [Int32] {
        guard let text = try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    /// Kills every process in the group and removes it (a group can only go once empty).
    func destroy() {
        Self.destroy(path: path)
    }

    static func destroy(path: String) {
        let group = PodCgroup(path: path)
        let deadline = Deadline.after(.seconds(5))
        repeat {
            let pids = group.pids
            pids.forEach { kill($0, SIGKILL) }
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(10_000)
        } while !deadline.hasPassed
    }

    /// Groups of simulators that are no longer running.
    static func leftovers(isStale: (Int32?) -> Bool) -> [String] {
        guard let hierarchy, let entries = try? FileManager.default.contentsOfDirectory(atPath: hierarchy) else { return [] }
        return entries.filter { $0.hasPrefix(ResourceNames.prefix) && isStale(ResourceNames.ownerPID(ofName: $0)) }
            .map { hierarchy + "/" + $0 }
    }
}
