import AutopodSupport
/// RunPod's cloud types. SECURE pods always have a public IP, which direct SSH needs.
public enum CloudType: String, Codable, Sendable, CaseIterable {
    case secure = "SECURE"
    case community = "COMMUNITY"
    case all = "ALL"
}
