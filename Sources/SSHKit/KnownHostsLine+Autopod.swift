import AutopodSupport

/// autopod's own readings of known_hosts lines: tombstones of killed pods, pins that cannot be
/// read, and which text may go into a field.
extension KnownHostsLine {
    static let tombstoneMarker = "# autopod-killed"

    /// The comment line that keeps a killed pod's id, so nothing is ever pinned for it again.
    public static func tombstone(podID: String, note: String) -> KnownHostsLine {
        .verbatim("\(tombstoneMarker) \(KnownHostsEntry.podTag)\(podID) \(note)")
    }

    /// The pod a `kill` tombstone stands for.
    public var tombstonePodID: String? {
        guard case .verbatim(let text) = self, text.hasPrefix(Self.tombstoneMarker + " ") else { return nil }
        return Self.podTagValue(in: text)
    }

    /// A line that names the pod in an `autopod-pod=` tag but is not a key entry autopod can
    /// read (a broken key, missing fields, a marker): a pin that must not be taken for none.
    public func isUnreadablePin(podID: String) -> Bool {
        guard case .verbatim(let text) = self else { return false }
        let trimmed = text.trimmingSpaces()
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return false }
        return Self.podTagValue(in: trimmed) == podID
    }

    private static func podTagValue(in text: String) -> String? {
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) where token.hasPrefix(KnownHostsEntry.podTag) {
            let id = token.dropFirst(KnownHostsEntry.podTag.count)
            return id.isEmpty ? nil : String(id)
        }
        return nil
    }
}

extension KnownHostsEntry {
    /// Whether `text` may be a known_hosts field: not empty, and no whitespace or control
    /// characters (C0, DEL, C1), which would end the field or the line and let one value
    /// write a second, valid entry.
    public static func isSafeField(_ text: String) -> Bool {
        !text.isEmpty
            && !text.unicodeScalars.contains { scalar in
                scalar.value <= 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace
            }
    }
}
