import AutopodSupport
import GraphQL
import OrderedCollections

/// A validated read query compiled once into the fields to produce (each with its resolver,
/// literal arguments and result shape), so answering it again is a walk over the data that
/// writes JSON as it goes.
///
/// Why it exists: GraphQLSwift 4.3 executes every field in a child task and reflects on every
/// value (about 20 µs a field here), so `myself { pods }` with 50 pods, ~2,500 fields, took
/// 40 ms, and clients poll that query. GraphQLSwift still parses and validates every document
/// against RunPod's schema and runs every mutation. A plan exists only for what this file
/// handles: one query operation without variables or directives, no response key selected
/// twice, object types only. For anything else, and for any request that meets an error
/// (a resolver throws, a non-null field is null), the engine answers instead, so error
/// messages, paths and null propagation are always the engine's.
struct QueryPlan: Sendable {
    /// A resolver for one field, shared by the engine and plans: parent value, arguments, caller.
    typealias Resolver = @Sendable (_ source: any Sendable, _ args: Map, _ scope: AuthScope) throws -> (any Sendable)?

    /// Why a plan stopped; the request then goes to the engine.
    struct Fallback: Error {}

    enum Leaf: Sendable {
        case string, int, float, boolean
        case other(any GraphQLLeafType)
    }

    indirect enum Shape: Sendable {
        case leaf(Leaf)
        case object([Field])
        case list(Shape)
        case nonNull(Shape)
    }

    /// A class so that walking the plan retains one reference per field, not five.
    final class Field: Sendable {
        let key: String
        let name: String
        let resolver: Resolver?
        let args: Map
        let shape: Shape

        init(key: String, name: String, resolver: Resolver?, args: Map, shape: Shape) {
            self.key = key
            self.name = name
            self.resolver = resolver
            self.args = args
            self.shape = shape
        }
    }

    private let root: [Field]
    private let operationName: String?

    /// Compiles `document`, or returns nil when the engine must run it.
    init?(document: Document, schema: GraphQLSchema, resolvers: [String: [String: Resolver]]) {
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        guard operations.count == 1, let operation = operations.first, operation.operation == .query,
            operation.variableDefinitions.isEmpty, operation.directives.isEmpty,
            let queryType = schema.queryType
        else { return nil }
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions {
            fragments[fragment.name.value] = fragment
        }
        let compiler = Compiler(fragments: fragments, resolvers: resolvers)
        guard let root = try? compiler.fields(of: queryType, in: operation.selectionSet) else { return nil }
        self.root = root
        self.operationName = operation.name?.value
    }

    /// Whether a request naming `operationName` asks for this plan's operation.
    func answers(operationName requested: String?) -> Bool {
        requested == nil || requested == operationName
    }

    /// The response body `{"data":{...}}`; throws `Fallback` or a resolver's error, and then the
    /// caller hands the request to the engine.
    func run(scope: AuthScope) throws -> [UInt8] {
        var json = JSONBytes()
        json.append("{\"data\":")
        try write(root, of: (), scope: scope, into: &json)
        json.append("}")
        return json.bytes
    }

    private func write(_ fields: [Field], of source: any Sendable, scope: AuthScope, into json: inout JSONBytes) throws {
        json.append("{")
        for (index, field) in fields.enumerated() {
            if index > 0 { json.append(",") }
            json.string(field.key)
            json.append(":")
            let value: (any Sendable)?
            if let resolver = field.resolver {
                value = try resolver(source, field.args, scope)
            } else {
                value = try Self.property(field.name, of: source)
            }
            try write(value, as: field.shape, scope: scope, into: &json)
        }
        json.append("}")
    }

    /// A value the plan does not recognise (an `Optional` inside an `any Sendable`, `Map.null`,
    /// a number of another Swift type) falls back to the engine, which coerces by reflection.
    private func write(_ value: (any Sendable)?, as shape: Shape, scope: AuthScope, into json: inout JSONBytes) throws {
        switch shape {
        case .nonNull(let inner):
            guard value != nil else { throw Fallback() }
            try write(value, as: inner, scope: scope, into: &json)
        case _ where value == nil:
            json.append("null")
        case .leaf(let leaf):
            try Self.write(value!, as: leaf, into: &json)
        case .list(let item):
            guard let items = value as? [any Sendable] else { throw Fallback() }
            json.append("[")
            for (index, element) in items.enumerated() {
                if index > 0 { json.append(",") }
                try write(element, as: item, scope: scope, into: &json)
            }
            json.append("]")
        case .object(let fields):
            try write(fields, of: value!, scope: scope, into: &json)
        }
    }

    private static func write(_ value: any Sendable, as leaf: Leaf, into json: inout JSONBytes) throws {
        switch (leaf, value) {
        case (.string, let string as String): json.string(string)
        case (.int, let int as Int): json.integer(int)
        case (.float, let double as Double): json.number(double)
        case (.float, let int as Int): json.integer(int)
        case (.boolean, let bool as Bool): json.append(bool ? "true" : "false")
        case (.other, is any OptionalValue): throw Fallback()
        case (.other(let type), _): json.map(try type.serialize(value: value))
        default: throw Fallback()  // a value of another Swift type: the engine coerces it
        }
    }

    /// What the engine's default resolver reads: a key of the parent object.
    private static func property(_ name: String, of source: any Sendable) throws -> (any Sendable)? {
        if let object = source as? GraphQLObject { return object[name] }
        if let dictionary = source as? [String: any Sendable] { return dictionary[name] }
        throw Fallback()
    }

    /// Turns selection sets into planned fields, resolving fragments at compile time.
    private struct Compiler {
        let fragments: [String: FragmentDefinition]
        let resolvers: [String: [String: Resolver]]

        func fields(of type: GraphQLObjectType, in selectionSet: SelectionSet) throws -> [Field] {
            let definitions = try type.fields()
            var planned: [Field] = []
            var keys: Set<String> = []
            for field in try flattened(selectionSet, on: type) {
                let key = field.alias?.value ?? field.name.value
                guard keys.insert(key).inserted, field.directives.isEmpty else { throw Fallback() }
                if field.name.value == "__typename" {
                    planned.append(
                        Field(
                            key: key, name: "__typename", resolver: { _, _, _ in type.name }, args: .undefined,
                            shape: .leaf(.string)))
                    continue
                }
                guard let definition = definitions[field.name.value] else { throw Fallback() }
                var args: OrderedDictionary<String, Map> = [:]
                for argument in field.arguments {
                    args[argument.name.value] = try valueFromASTUntyped(valueAST: argument.value)
                }
                planned.append(
                    Field(
                        key: key, name: field.name.value, resolver: resolvers[type.name]?[field.name.value],
                        args: .dictionary(args), shape: try shape(of: definition.type, selection: field.selectionSet)))
            }
            return planned
        }

        private func shape(of type: GraphQLType, selection: SelectionSet?) throws -> Shape {
            switch type {
            case let nonNull as GraphQLNonNull: return .nonNull(try shape(of: nonNull.ofType, selection: selection))
            case let list as GraphQLList: return .list(try shape(of: list.ofType, selection: selection))
            case let object as GraphQLObjectType:
                guard let selection else { throw Fallback() }
                return .object(try fields(of: object, in: selection))
            case let leaf as any GraphQLLeafType:
                switch (leaf as? GraphQLScalarType)?.name {
                case "String", "ID": return .leaf(.string)
                case "Int": return .leaf(.int)
                case "Float": return .leaf(.float)
                case "Boolean": return .leaf(.boolean)
                default: return .leaf(.other(leaf))
                }
            default: throw Fallback()  // interfaces and unions: the engine resolves their types
            }
        }

        /// The fields of a selection set with fragment spreads and inline fragments expanded.
        private func flattened(_ selectionSet: SelectionSet, on type: GraphQLObjectType) throws -> [GraphQL.Field] {
            var fields: [GraphQL.Field] = []
            for selection in selectionSet.selections {
                switch selection {
                case let field as GraphQL.Field:
                    fields.append(field)
                case let spread as FragmentSpread:
                    guard spread.directives.isEmpty, let fragment = fragments[spread.name.value],
                        fragment.typeCondition.name.value == type.name
                    else { throw Fallback() }
                    fields += try flattened(fragment.selectionSet, on: type)
                case let inline as InlineFragment:
                    guard inline.directives.isEmpty, inline.typeCondition.map({ $0.name.value == type.name }) ?? true
                    else { throw Fallback() }
                    fields += try flattened(inline.selectionSet, on: type)
                default:
                    throw Fallback()
                }
            }
            return fields
        }
    }
}

/// Recognises an `Optional` stored in an `any Sendable`, which `serialize` would not unwrap.
private protocol OptionalValue {}

extension Optional: OptionalValue {}
