import ArgumentParser

/// Number flags checked against their limits, with a message that names the flag. Such flags
/// are declared with `parsing: .unconditional` so that a negative number reaches the check
/// instead of being taken for an option ("Missing value for '--gpu-count'").
enum RangeCheck {
    /// `--gpu-count must be between 1 and 8, not 9`; `unit` follows the upper limit (` GB`).
    static func require(_ value: Int?, in range: ClosedRange<Int>, flag: String, unit: String = "") throws {
        guard let value, !range.contains(value) else { return }
        throw ValidationError("\(flag) must be between \(range.lowerBound) and \(range.upperBound)\(unit), not \(value)")
    }

    static func require(_ values: [Int], in range: ClosedRange<Int>, flag: String, unit: String = "") throws {
        for value in values { try require(value, in: range, flag: flag, unit: unit) }
    }
}
