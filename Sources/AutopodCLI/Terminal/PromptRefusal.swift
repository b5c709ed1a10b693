import AutopodSupport

/// Why a wizard answer was not taken; the question is asked again.
struct PromptRefusal: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
