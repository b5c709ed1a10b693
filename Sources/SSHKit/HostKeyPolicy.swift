import AutopodSupport
/// What to do with a presented host key, decided from the known_hosts lines alone (pure logic:
/// no I/O, so every case is unit-tested).
public enum HostKeyDecision: Sendable, Equatable {
    /// Already pinned with this key; nothing to write.
    case trusted
    /// Same key, but the pod is now reached at another address: rewrite the entry's host field.
    case trustedAtNewAddress(previousHosts: String)
    /// First contact: pin the key (the caller shows the fingerprint).
    case pin
    /// A different key is accepted (container restart, or the user said so): replace the pin.
    case replace(previousFingerprints: [String], reason: ReplaceReason)
    /// A different key that must not be accepted.
    case refuse(SSHError)

    public enum ReplaceReason: String, Sendable, Equatable {
        /// The pod restarted since the key was pinned; containers make new host keys on start.
        case restartSeen
        /// The caller said to accept a new key (autopod's --accept-new-host-key).
        case acceptedByUser
    }
}

public enum HostKeyPolicy {
    /// The decision for a pod, whose pins are found by their `autopod-pod=ID` tag rather than by
    /// address: RunPod reuses IP:port pairs across pods, and a pod's port changes on restart.
    /// `restartEvidence` says why the pod is known to have restarted since the key was last
    /// checked (nil when it is not); `accept` is the user's allowance for a replacement.
    /// A line tagged for the pod that cannot be read, or a tombstone left by `kill`, refuses:
    /// neither may ever look like a first contact.
    public static func evaluate(
        podID: String, hostField: String, presented: SSHHostKey, lines: [KnownHostsLine],
        restartEvidence: String?, accept: HostKeyReplacement?
    ) -> HostKeyDecision {
        if lines.contains(where: { $0.tombstonePodID == podID }) {
            return .refuse(
                SSHError(
                    .endpointGone,
                    "Pod \(podID) was terminated with `autopod kill`; autopod does not connect to it again "
                        + "(whatever answers at its old address is not that pod)."))
        }
        if let index = lines.firstIndex(where: { $0.isUnreadablePin(podID: podID) }) {
            return .refuse(
                SSHError(
                    .knownHostsFile,
                    "Line \(index + 1) of known_hosts pins pod \(podID) but cannot be read: \"\(lines[index].rendered)\". "
                        + "autopod will not treat this as a first contact; fix or delete that line."))
        }
        let pinned = lines.compactMap(\.entry).filter { $0.podID == podID }
        if pinned.isEmpty { return .pin }
        if let same = pinned.first(where: { $0.hostKey == presented }) {
            return same.hosts == hostField ? .trusted : .trustedAtNewAddress(previousHosts: same.hosts)
        }
        let old = pinned.compactMap { $0.hostKey?.fingerprint }
        if restartEvidence != nil { return .replace(previousFingerprints: old, reason: .restartSeen) }
        if let accept, accept.allows(presented) { return .replace(previousFingerprints: old, reason: .acceptedByUser) }
        let pinnedList = pinned.compactMap(\.hostKey).map { "\($0.fingerprint) (\($0.type))" }.joined(separator: ", ")
        var facts = """
            No restart of this pod was seen (here or in the API) since the key was last checked, so the change is \
            unexpected: it could mean the connection is being intercepted.
            """
        if case .fingerprint(let given) = accept {
            facts += " The fingerprint allowed in advance, \(given), does not match the presented key."
        }
        return .refuse(
            SSHError(
                .hostKeyChanged,
                """
                The host key of pod \(podID) at \(hostField) has changed.
                  pinned:    \(pinnedList)
                  presented: \(presented.fingerprint) (\(presented.type))
                \(facts)
                """))
    }

    /// The older form: a restart seen by this machine and a standing `--accept-new-host-key`.
    public static func evaluate(
        podID: String, hostField: String, presented: SSHHostKey, lines: [KnownHostsLine],
        restartSeenSincePinned: Bool, acceptNew: Bool
    ) -> HostKeyDecision {
        evaluate(
            podID: podID, hostField: hostField, presented: presented, lines: lines,
            restartEvidence: restartSeenSincePinned ? "the pod restarted since the key was pinned" : nil,
            accept: acceptNew ? .anyKey : nil)
    }

    /// The decision for a plain host, with OpenSSH's rules: the host field is `host` for port 22
    /// and `[host]:port` otherwise, a bare-host entry does not cover other ports, and a host
    /// known only by another key type is a mismatch.
    public static func evaluate(
        host: String, port: Int, presented: SSHHostKey, lines: [KnownHostsLine], acceptNew: Bool
    ) -> HostKeyDecision {
        let name = KnownHostsFile.hostField(host: host, port: port)
        let matching = lines.compactMap(\.entry).filter { $0.matches(hostName: name) }
        if matching.isEmpty { return .pin }
        if matching.contains(where: { $0.hostKey == presented }) { return .trusted }
        let old = matching.compactMap { $0.hostKey?.fingerprint }
        if acceptNew { return .replace(previousFingerprints: old, reason: .acceptedByUser) }
        let sameType = matching.filter { $0.keyType == presented.type }
        let known = matching.compactMap(\.hostKey).map { "\($0.fingerprint) (\($0.type))" }.joined(separator: ", ")
        let what =
            sameType.isEmpty
            ? "is known with another key type (\(Set(matching.map(\.keyType)).sorted().joined(separator: ", "))) but presented \(presented.type)"
            : "has changed"
        return .refuse(
            SSHError(
                .hostKeyChanged,
                """
                The host key of \(name) \(what).
                  known:     \(known)
                  presented: \(presented.fingerprint) (\(presented.type))
                This could mean the connection is being intercepted.
                """))
    }

    /// The lines to write for a decision (unchanged for trusted and refuse).
    public static func apply(
        _ decision: HostKeyDecision, to lines: [KnownHostsLine], podID: String?, hostField: String, presented: SSHHostKey
    ) -> [KnownHostsLine] {
        let fresh = KnownHostsLine.fresh(KnownHostsEntry(hosts: hostField, key: presented, podID: podID))
        switch decision {
        case .trusted, .refuse:
            return lines
        case .pin:
            return lines + [fresh]
        case .trustedAtNewAddress:
            return lines.map { line in
                guard var e = line.entry, e.podID == podID, e.hostKey == presented else { return line }
                e.hosts = hostField
                return .fresh(e)
            }
        case .replace:
            // The new pin takes the place of the first old one, so the file keeps its order.
            var result: [KnownHostsLine] = []
            var placed = false
            for line in lines {
                let isOld: Bool
                if let e = line.entry {
                    isOld = podID != nil ? e.podID == podID : e.hosts == hostField
                } else {
                    isOld = false
                }
                if isOld {
                    if !placed { result.append(fresh); placed = true }
                } else {
                    result.append(line)
                }
            }
            if !placed { result.append(fresh) }
            return result
        }
    }
}
