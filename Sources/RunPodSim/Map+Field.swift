import AutopodSupport
import GraphQL

extension Map {
    /// The value of a key of an input object, `.undefined` when absent or not an object.
    func field(_ name: String) -> Map {
        dictionary?[name] ?? .undefined
    }
}
