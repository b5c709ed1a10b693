import AutopodSupport
import FoundationEssentials

/// Turns what people type (`A40`, `a6000`, `4090`, `H100`, `NVIDIA GeForce RTX 4090`) into
/// the cloud's GPU type ids, using the live list of types.
public struct GPUNameResolver: Sendable {
    public let types: [GPUType]

    public init(types: [GPUType]) { self.types = types }

    /// Words that are brand or series noise: "RTX 4090", "GeForce 4090" and "4090" are one GPU.
    public static let noiseWords: Set<String> = ["nvidia", "geforce", "rtx", "gpu"]

    /// Lower case, noise words dropped, only letters and digits kept.
    public static func normalize(_ text: String) -> String {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return words.filter { !noiseWords.contains(String($0)) }.joined()
    }

    /// The one type `name` means, or an error listing what it could have meant.
    public func resolve(_ name: String) throws(GPUNameError) -> GPUType {
        let trimmed = name.trimmingSpaces()
        // A full id or display name, exactly (ignoring case), always wins.
        if let exact = types.first(where: { $0.id.lowercased() == trimmed.lowercased() }) { return exact }
        let byDisplay = types.filter { $0.displayName.lowercased() == trimmed.lowercased() }
        if byDisplay.count == 1 { return byDisplay[0] }

        let key = Self.normalize(trimmed)
        guard !key.isEmpty else { throw .unknown(name: name, known: types.map(\.displayName)) }
        let same = types.filter { Self.normalize($0.displayName) == key || Self.normalize($0.id) == key }
        if same.count == 1 { return same[0] }
        if same.count > 1 { throw .ambiguous(name: name, candidates: same) }

        // "H100" means any of "H100 SXM", "H100 PCIe", ...: the start of the short name, or
        // part of the id. One letter is too little to mean a GPU ("n" is in many ids).
        guard key.count > 1 else { throw .unknown(name: name, known: types.map(\.displayName)) }
        let partial = types.filter {
            Self.normalize($0.displayName).hasPrefix(key) || Self.normalize($0.id).contains(key)
        }
        if partial.count == 1 { return partial[0] }
        if partial.count > 1 { throw .ambiguous(name: name, candidates: partial) }
        throw .unknown(name: name, known: types.map(\.displayName))
    }

    /// Resolves a preference list in order, dropping repeats.
    public func resolveAll(_ names: [String]) throws(GPUNameError) -> [GPUType] {
        var result: [GPUType] = []
        for name in names {
            let type = try resolve(name)
            if !result.contains(where: { $0.id == type.id }) { result.append(type) }
        }
        return result
    }
}

/// A GPU name that does not pick exactly one type.
public enum GPUNameError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(name: String, known: [String])
    case ambiguous(name: String, candidates: [GPUType])

    public var description: String {
        switch self {
        case .unknown(let name, let known):
            return "no GPU type is called \"\(name)\". Known types: \(known.sorted().joined(separator: ", ")). Run `autopod gpus --all` for the full table."
        case .ambiguous(let name, let candidates):
            let list = candidates.map { "\($0.displayName) (\($0.id))" }.joined(separator: ", ")
            return "\"\(name)\" could mean several GPU types: \(list). Name one of them, e.g. --gpu \"\(candidates[0].displayName)\"."
        }
    }
}
