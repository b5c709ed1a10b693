import AutopodSupport
import FoundationEssentials

extension Data {
    /// The UTF-8 bytes of `text`, copied straight from its buffer. `Data(text.utf8)` first tries
    /// a runtime cast, whose first use in a process costs a conformance lookup (about 0.25M
    /// instructions with the static stdlib), on the path of every API call.
    init(utf8 text: String) {
        var text = text
        self = text.withUTF8 { Data(buffer: $0) }
    }
}
