import AutopodSupport

extension String {
    /// The text without its closing full stop (and trailing spaces), for putting a message from
    /// elsewhere (RunPod's, the system's) in the middle of a sentence that adds its own:
    /// "…contact support. Try again", never "…contact support.. Try again".
    public var withoutFinalPeriod: String {
        var text = Substring(self)
        while let last = text.last, last == "." || last == " " { text.removeLast() }
        return String(text)
    }
}
