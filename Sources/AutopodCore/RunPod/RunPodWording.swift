import AutopodSupport
import FoundationEssentials

/// What RunPod's messages say in words where it has no code for it. Both APIs word a lack of
/// machines the same way, and REST v2 answers it with a plain 400 whose `detail` is the only
/// clue ("capacity exhaustion currently carries no machine-readable code", its createPod says).
public enum RunPodWording {
    public static func meansNoCapacity(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("no longer any instances available") || lower.contains("not enough free gpus")
            || lower.contains("does not have the resources") || lower.contains("no instances available")
    }
}
