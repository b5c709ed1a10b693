import AutopodCore

extension SettingChecker.Outcome {
    /// The value to save, or why it cannot be used. A value RunPod could not check is kept as
    /// given, with a warning naming `what` (the flag; nothing for a wizard answer).
    func resolved(_ what: String = "") -> Result<Value, PromptRefusal> {
        switch self {
        case .valid(let value): return .success(value)
        case .invalid(let reason): return .failure(PromptRefusal(reason))
        case .unchecked(let value, let because):
            print(Style.warn("!") + " " + (what.isEmpty ? "" : what + " ") + "not checked: \(because); saved as given")
            return .success(value)
        }
    }
}
