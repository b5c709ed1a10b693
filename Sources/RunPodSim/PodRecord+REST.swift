import Foundation

/// The REST v2 view of a pod (`Pod` in RunPod's OpenAPI document), read under `SimCloud`'s lock.
extension PodRecord {
    /// `PodStatus` from the sim's boot progress: PROVISIONING for the first half of the boot
    /// delay (or until the pod's processes exist), STARTING for the rest, RUNNING once GraphQL's
    /// `runtime` would be non-null; ERROR when the processes could not be started.
    func restStatus(now: Date) -> String {
        if terminated { return "TERMINATED" }
        if desiredStatus != "RUNNING" { return "EXITED" }
        if bootError != nil { return "ERROR" }
        if isUp(now: now) { return "RUNNING" }
        let halfway = lastStartedAt.addingTimeInterval(bootAt.timeIntervalSince(lastStartedAt) / 2)
        return machine == nil || now < halfway ? "PROVISIONING" : "STARTING"
    }

    /// The actions RunPod allows in `status`; a locked pod cannot be stopped or restarted.
    static func actions(status: String, locked: Bool) -> [String] {
        let all: [String]
        switch status {
        case "RUNNING": all = ["stop", "restart", "terminate"]
        case "EXITED", "ERROR": all = ["start", "terminate"]
        case "PROVISIONING", "STARTING": all = ["stop", "terminate"]
        default: all = []
        }
        return locked ? all.filter { $0 != "stop" && $0 != "restart" } : all
    }

    var envObject: [(String, String)] {
        env.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    func restValue(now: Date, sshUser: String) -> JSONNode {
        let status = restStatus(now: now)
        let up = status == "RUNNING"
        var mounts: [(String, JSONNode)] = []
        if let networkVolumeId {
            mounts.append(("network", .array([.object(["volumeId": .string(networkVolumeId), "path": .string(volumeMountPath)])])))
        } else if volumeInGb > 0 {
            mounts.append(("persistent", .object(["size": .int(volumeInGb), "path": .string(volumeMountPath)])))
        }
        var direct: JSONNode = .null
        var runtime: JSONNode = .null
        if up, let machine {
            let publicPort = Int(machine.proxy.port)
            if declaredPorts.contains(where: { $0.0 == 22 && $0.1 == "tcp" }) {
                direct = .object([
                    "host": "127.0.0.1", "port": .int(publicPort), "username": .string(sshUser),
                    "command": .string("ssh \(sshUser)@127.0.0.1 -p \(publicPort)"),
                ])
            }
            var ports: [JSONNode] = []
            for (number, kind) in declaredPorts {
                if kind == "tcp" && number == 22 {
                    ports.append(.object(["private": 22, "public": .int(publicPort), "type": "tcp", "ip": "127.0.0.1"]))
                } else if kind == "http", let responder = machine.responders.first(where: { $0.podPort == number }) {
                    let published = machine.network.namespace == nil ? Int(responder.boundPort) : number
                    ports.append(
                        .object([
                            "private": .int(number), "public": .int(published), "type": "http",
                            "ip": .string(machine.network.podAddress),
                        ]))
                }
            }
            runtime = .object([
                "uptime": .int(max(0, Int(now.timeIntervalSince(bootAt)))),
                "gpus": .array(
                    (0..<min(gpuCount, usage.gpus.count)).map {
                        .object(["util": .int(usage.gpus[$0].util), "memoryUtil": .int(usage.gpus[$0].memoryUtil)])
                    }),
                "cpu": .object(["util": .int(usage.cpu)]),
                "memory": .object(["util": .int(usage.memory)]),
                "ports": .array(ports),
            ])
        }
        let proxy: JSONNode =
            terminated
            ? .null
            : .object([
                "host": "ssh.runpod.io", "port": 22, "username": .string(podHostId),
                "command": .string("ssh \(podHostId)@ssh.runpod.io"),
            ])
        let started = up ? bootAt : startedAt
        return .object([
            "id": .string(id),
            "name": .string(name),
            "image": .string(imageName),
            "args": .string(dockerArgs),
            "disk": .int(containerDiskInGb),
            "ports": .strings(portList),
            "env": .object(envObject.map { ($0.0, JSONNode.string($0.1)) }),
            "registry": .null,
            "status": .string(status),
            "actions": .strings(Self.actions(status: status, locked: locked)),
            "mounts": .object(mounts),
            "gpu": .object(["id": .string(gpuType.id), "count": .int(gpuCount)]),
            "cloud": .string(secureCloud ? "SECURE" : "COMMUNITY"),
            "dataCenterId": .string(dataCenterId),
            "cudaVersion": .string(cudaVersion),
            "ssh": .object(["proxy": proxy, "direct": direct]),
            "template": .optional(templateId),
            "cost": .double(status == "EXITED" || status == "TERMINATED" ? 0 : costPerHr),
            "locked": .bool(locked),
            "globalNetworking": .object(["enabled": false]),
            "runtime": runtime,
            "createdAt": .string(restCreatedAtText),
            "startedAt": .optional(started.map { RFC3339.string($0) }),
        ])
    }
}
