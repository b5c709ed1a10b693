import AutopodSupport

/// The mark a pod's watchdog adds to the pod's name when it stops the pod, "NAME (stopped by
/// autopod: idle 60 min)": the one place outside the pod that the pod's own key can write and
/// that outlives the stop, so `autopod list` and RunPod's console both show why the pod
/// stopped. The watchdog puts the name back when the pod starts again.
public enum GuardNameMark {
    static let opening = " (stopped by autopod: "

    /// The name without the mark, and the reason the mark gives (nil when there is none).
    public static func split(_ name: String) -> (name: String, reason: String?) {
        guard name.hasSuffix(")"), let range = name.ranges(of: opening).last else { return (name, nil) }
        let reason = name[range.upperBound..<name.index(before: name.endIndex)]
        guard !reason.isEmpty else { return (name, nil) }
        return (String(name[..<range.lowerBound]), String(reason))
    }

    public static func marked(_ name: String, reason: String) -> String {
        name + opening + reason + ")"
    }
}
