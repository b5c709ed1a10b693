import Foundation
import AutopodSupport

/// Finds and removes what simulators left behind. A simulator killed with SIGKILL cannot clean
/// up, so every start sweeps namespaces, veths, processes and temp dirs whose owning pid (see
/// `ResourceNames`) is dead. A live simulator's resources are never touched.
enum ResourceSweeper {
    /// Whether `pid` runs; a zombie (killed, not yet reaped) counts as dead.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// Removes leftovers of dead simulators; returns a line per thing removed, for the log.
    @discardableResult
    static func sweepLeftovers(tempDirectory: String) -> [String] {
        var removed: [String] = []
        let me = getpid()
        let stale: (Int32?) -> Bool = { pid in
            guard let pid else { return false }
            return pid != me && !isAlive(pid)
        }
        // Processes first (pods' sshds and anything in their namespaces), then the namespaces.
        if Shell.isRoot {
            for name in namespaces() where stale(ResourceNames.ownerPID(ofName: name)) {
                killProcesses(inNamespace: name)
                Shell.run(["/usr/sbin/ip", "netns", "delete", name])
                removed.append("namespace \(name)")
            }
            for name in hostLinks() where stale(ResourceNames.ownerPID(ofVeth: name)) {
                Shell.run(["/usr/sbin/ip", "link", "delete", name])
                removed.append("veth \(name)")
            }
            // Pods' CPU groups, with whatever still runs in them (a pod's setsid'd processes).
            for path in PodCgroup.leftovers(isStale: stale) {
                PodCgroup.destroy(path: path)
                removed.append("cgroup \(path)")
            }
        }
        for (pid, commandLine) in processes() {
            // Any `rpsim-<pid>-` in the command line (a user's --state-dir may hold others).
            let owners = commandLine.components(separatedBy: ResourceNames.prefix).dropFirst().compactMap { part in
                ResourceNames.ownerPID(ofName: ResourceNames.prefix + part)
            }
            if owners.contains(where: { stale($0) }) && pid != me {
                kill(pid, SIGKILL)
                removed.append("process \(pid)")
            }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: tempDirectory) {
            for entry in entries where entry.hasPrefix(ResourceNames.prefix) && entry.contains("-state-") {
                if stale(ResourceNames.ownerPID(ofName: entry)) {
                    try? FileManager.default.removeItem(atPath: tempDirectory + "/" + entry)
                    removed.append("directory \(entry)")
                }
            }
        }
        return removed
    }

    /// Names from `ip netns list` ("name (id: 3)" lines).
    static func namespaces() -> [String] {
        Shell.run(["/usr/sbin/ip", "netns", "list"]).output.split(separator: "\n").compactMap {
            $0.split(separator: " ").first.map(String.init)
        }
    }

    /// Host interface names ("3: rph123n1@if2: <...>" lines of `ip -o link show`).
    static func hostLinks() -> [String] {
        Shell.run(["/usr/sbin/ip", "-o", "link", "show"]).output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            let name = fields[1].trimmingCharacters(in: .whitespaces)
            return String(name.split(separator: "@").first ?? "")
        }
    }

    /// Kills every process inside a namespace (sshd, its session children, anything users ran).
    static func killProcesses(inNamespace name: String) {
        let output = Shell.run(["/usr/sbin/ip", "netns", "pids", name]).output
        for pid in output.split(separator: "\n").compactMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }) {
            kill(pid, SIGKILL)
        }
    }

    /// All processes with their command lines (NUL separators turned into spaces).
    static func processes() -> [(Int32, String)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty
            else { return nil }
            let text = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return (pid, text)
        }
    }

    /// Child processes of `parent` (direct and indirect), from /proc/*/stat.
    static func descendants(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var children: [Int32: [Int32]] = [:]
        for entry in entries {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let ppid = Int32(fields[1]) { children[ppid, default: []].append(pid) }
        }
        var result: [Int32] = []
        var frontier = [parent]
        while let next = frontier.popLast() {
            for child in children[next] ?? [] {
                result.append(child)
                frontier.append(child)
            }
        }
        return result
    }
}
