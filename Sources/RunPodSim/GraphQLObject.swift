import AutopodSupport
import GraphQL

/// A GraphQL object value for the engine's default resolver. Looking fields up through
/// `KeySubscriptable` is a cheap protocol check, where a `[String: any Sendable]` source costs
/// the engine a dynamic dictionary cast per field (it shows with 50 pods × 40 fields).
struct GraphQLObject: KeySubscriptable, Sendable {
    var fields: [String: any Sendable]

    init(_ fields: [String: any Sendable]) { self.fields = fields }

    subscript(key: String) -> (any Sendable)? { fields[key] }
}
