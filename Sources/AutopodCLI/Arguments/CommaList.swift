import ArgumentParser
import AutopodSupport

/// One argument that may hold several values separated by commas, for options that take a list
/// either way: `--gpu A40,4090` or `--gpu A40 --gpu 4090`. Spaces around items and empty items
/// (a trailing comma) are ignored; one item that does not parse makes the whole argument invalid.
struct CommaList<Element: ExpressibleByArgument>: ExpressibleByArgument {
    let values: [Element]

    init?(argument: String) {
        var values: [Element] = []
        for item in argument.split(separator: ",") {
            let text = item.trimmingSpaces()
            if text.isEmpty { continue }
            guard let value = Element(argument: String(text)) else { return nil }
            values.append(value)
        }
        self.values = values
    }

    var defaultValueDescription: String { values.map(\.defaultValueDescription).joined(separator: ",") }
}

extension Array {
    /// The items of every `CommaList` given, in order.
    func flattened<Value>() -> [Value] where Element == CommaList<Value> { flatMap(\.values) }
}
