// `trimmingCharacters(in:)` in Swift. Foundation's goes through NSString, whose first use costs
// runtime type lookups: about 0.8M instructions with the static stdlib, a tenth of what a quick
// command such as `autopod list` does in all.
extension Substring {
    /// Without leading and trailing spaces and tabs, like `trimmingCharacters(in: .whitespaces)`:
    /// tab, Unicode category Zs, and the zero-width space that Foundation counts too.
    public func trimmingSpaces() -> Substring {
        trimming { $0 == "\t" || $0 == "\u{200B}" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// Without leading and trailing white space and line breaks, like
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: Unicode's White_Space property, and
    /// the zero-width space.
    public func trimmingWhitespace() -> Substring {
        trimming { $0 == "\u{200B}" || $0.properties.isWhitespace }
    }

    private func trimming(_ trimmed: (Unicode.Scalar) -> Bool) -> Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !trimmed($0) }), let last = scalars.lastIndex(where: { !trimmed($0) })
        else { return "" }
        return Substring(scalars[first...last])
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (see `Substring.trimmingSpaces`).
    public func trimmingSpaces() -> String { String(self[...].trimmingSpaces()) }

    /// Without leading and trailing white space and line breaks (see `Substring.trimmingWhitespace`).
    public func trimmingWhitespace() -> String { String(self[...].trimmingWhitespace()) }
}
