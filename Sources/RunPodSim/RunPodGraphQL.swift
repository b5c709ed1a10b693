import AutopodSupport
import Foundation
import GraphQL

/// Executes RunPod GraphQL requests against a `SimCloud` with a real GraphQL engine: the schema
/// is RunPod's SDL (`RunPodSchemaSDL`), root fields get resolvers, everything below them is
/// plain data read by the engine's default resolver.
final class RunPodGraphQL: Sendable {
    struct Context: Sendable {
        let scope: AuthScope
    }

    struct Reply: Sendable {
        let status: Int
        let body: Data
    }

    private let schema: GraphQLSchema
    private let cloud: SimCloud
    /// Parsed and validated documents by query text, each with its plan when it has one:
    /// clients poll the same few queries, and parsing plus validating a full `myself { pods }`
    /// query costs more than answering it.
    private let documents = LockedValue<[String: (document: Document, plan: QueryPlan?)]>([:])
    /// Resolvers of the read fields, by type and field; both the engine and plans call them.
    private let readResolvers: [String: [String: QueryPlan.Resolver]]
    /// Off only in tests that compare the plans' replies with the engine's.
    private let usesPlans: Bool

    init(cloud: SimCloud, usesPlans: Bool = true) throws {
        self.cloud = cloud
        self.usesPlans = usesPlans
        let schema = try buildSchema(source: RunPodSchemaSDL.source)
        self.schema = schema
        readResolvers = [
            schema.queryType?.name ?? "Query": [
                "myself": { _, _, scope in cloud.myself(scope: scope) },
                "dataCenters": { _, _, _ in cloud.dataCenters() },
                "gpuTypes": { _, args, _ in cloud.gpuTypes(id: args.field("input").field("id").string) },
                "pod": { _, args, scope in try cloud.pod(args.field("input").field("podId").string ?? "", scope: scope) },
            ],
            "User": ["pods": { _, _, scope in cloud.pods(scope: scope) }],
            "GpuType": [
                "lowestPrice": { source, args, _ in
                    let id = (source as? [String: any Sendable])?["id"] as? String ?? ""
                    let input = args.field("input")
                    return cloud.lowestPrice(
                        typeID: id, gpuCount: input.field("gpuCount").int ?? 1, secureCloud: input.field("secureCloud").bool,
                        dataCenterId: input.field("dataCenterId").string)
                }
            ],
        ]
        for (typeName, resolvers) in readResolvers {
            try Self.attach(
                to: schema.getType(name: typeName) as? GraphQLObjectType,
                resolvers.mapValues { resolve in { source, args, context, _ in try resolve(source, args, Self.scope(context)) } })
        }
        try Self.attach(
            to: schema.mutationType,
            [
                "podFindAndDeployOnDemand": { _, args, context, _ in
                    let request = Self.createRequest(args.field("input"))
                    return try await Self.offload { try cloud.createGraphQL(request, scope: Self.scope(context)) }
                },
                "podRentInterruptable": { _, args, context, _ in
                    let input = args.field("input")
                    var spot = Self.createRequest(input)
                    spot.bidPerGpu = input.field("bidPerGpu").double ?? 0
                    let request = spot
                    return try await Self.offload { try cloud.createGraphQL(request, scope: Self.scope(context)) }
                },
                "podBidResume": { _, args, context, _ in
                    let input = args.field("input")
                    let id = input.field("podId").string ?? ""
                    let count = input.field("gpuCount").int
                    let bid = input.field("bidPerGpu").double ?? 0
                    return try await Self.offload {
                        try cloud.resume(id, gpuCount: count, bidPerGpu: bid, scope: Self.scope(context))
                    }
                },
                "podStop": { _, args, context, _ in
                    let id = args.field("input").field("podId").string ?? ""
                    return try await Self.offload { try cloud.stop(id, scope: Self.scope(context)) }
                },
                "podResume": { _, args, context, _ in
                    let input = args.field("input")
                    let id = input.field("podId").string ?? ""
                    let count = input.field("gpuCount").int
                    return try await Self.offload { try cloud.resume(id, gpuCount: count, scope: Self.scope(context)) }
                },
                "podTerminate": { _, args, context, _ in
                    let id = args.field("input").field("podId").string ?? ""
                    try await Self.offload { try cloud.terminate(id, scope: Self.scope(context)) }
                    return nil
                },
                "updateUserSettings": { _, args, context, _ in
                    try cloud.updateUserSettings(
                        pubKey: args.field("input").field("pubKey").string, scope: Self.scope(context))
                },
            ])
    }

    /// Runs one HTTP request body. Unparseable or invalid documents are HTTP 400 with `errors`
    /// (RunPod's validation failures); everything that executes is HTTP 200.
    func execute(body: Data, scope: AuthScope) async -> Reply {
        let request: GraphQLRequest
        do {
            request = try JSONDecoder().decode(GraphQLRequest.self, from: body)
        } catch {
            return Self.errorReply(status: 400, message: "Request body must be JSON with a \"query\" string: \(error)")
        }
        do {
            let entry: (document: Document, plan: QueryPlan?)
            if let cached = documents.withLock({ $0[request.query] }) {
                entry = cached
            } else {
                // RunPod turns introspection off in production (`__schema`/`__type` give HTTP 400),
                // so a client that relies on it fails here too. `__typename` stays allowed.
                if request.query.contains("__schema") || request.query.range(of: #"__type\s*\("#, options: .regularExpression) != nil {
                    return Self.errorReply(status: 400, message: "GraphQL introspection is not allowed.")
                }
                let document = try parse(source: Source(body: request.query, name: "GraphQL request"))
                let problems = validate(schema: schema, ast: document)
                guard problems.isEmpty else { return Self.encode(GraphQLResult(errors: problems), status: 400) }
                entry = (document, usesPlans ? QueryPlan(document: document, schema: schema, resolvers: readResolvers) : nil)
                documents.withLock { cache in
                    if cache.count >= 512 { cache.removeAll() }
                    cache[request.query] = entry
                }
            }
            // A plan that meets anything unusual (an error above all) leaves the request to the engine.
            if let plan = entry.plan, plan.answers(operationName: request.operationName),
                let body = try? plan.run(scope: scope)
            {
                return Reply(status: 200, body: Data(body))
            }
            let document = entry.document
            let result = try await GraphQL.execute(
                schema: schema, documentAST: document, rootValue: (), context: Context(scope: scope),
                variableValues: request.variables, operationName: request.operationName)
            // Variable coercion failures (a bad enum value in variables) come back without data.
            return Self.encode(result, status: result.data == nil && !result.errors.isEmpty ? 400 : 200)
        } catch let error as GraphQLError {
            return Self.encode(GraphQLResult(errors: [error]), status: 400)
        } catch {
            return Self.errorReply(status: 400, message: "\(error)")
        }
    }

    /// The plan cached for a query text, if it has one (tests check that the fast path ran).
    func plan(for query: String) -> QueryPlan? {
        documents.withLock { $0[query]?.plan }
    }

    static func errorReply(status: Int, message: String, code: String? = nil) -> Reply {
        var entry: [String: Any] = ["message": message]
        if let code { entry["extensions"] = ["code": code] }
        let body = (try? JSONSerialization.data(withJSONObject: ["errors": [entry]])) ?? Data()
        return Reply(status: status, body: body)
    }

    private static func encode(_ result: GraphQLResult, status: Int) -> Reply {
        let body = (try? GraphQLJSONEncoder().encode(result)) ?? Data("{\"errors\":[{\"message\":\"encoding failed\"}]}".utf8)
        return Reply(status: status, body: body)
    }

    private static func scope(_ context: any Sendable) -> AuthScope {
        (context as? Context)?.scope ?? .pod("")
    }

    /// Installs resolvers on fields the SDL declared (the engine reads fields through `fields`).
    private static func attach(to type: GraphQLObjectType?, _ resolvers: [String: GraphQLFieldResolve]) throws {
        guard let type else { return }
        let fields = try type.fields()
        for (name, resolve) in resolvers {
            fields[name]?.resolve = resolve
        }
        type.fields = { fields }
    }

    /// Runs blocking work (process teardown) off Swift's small cooperative thread pool.
    private static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    private static func createRequest(_ input: Map) -> CreatePodRequest {
        var request = CreatePodRequest()
        if let value = input.field("cloudType").string { request.cloudType = value }
        request.gpuTypeId = input.field("gpuTypeId").string ?? input.field("gpuTypeIdList").array?.first?.string ?? ""
        if let value = input.field("gpuCount").int { request.gpuCount = value }
        request.name = input.field("name").string
        request.imageName = input.field("imageName").string ?? ""
        request.templateId = input.field("templateId").string
        if let value = input.field("containerDiskInGb").int { request.containerDiskInGb = value }
        if let value = input.field("volumeInGb").int { request.volumeInGb = value }
        if let value = input.field("volumeMountPath").string { request.volumeMountPath = value }
        request.dataCenterId = input.field("dataCenterId").string
        request.networkVolumeId = input.field("networkVolumeId").string
        request.allowedCudaVersions = (input.field("allowedCudaVersions").array ?? []).compactMap(\.string)
        request.minCudaVersion = input.field("minCudaVersion").string
        request.ports = input.field("ports").string.map { $0.replacingOccurrences(of: " ", with: "") }
        request.env = (input.field("env").array ?? []).compactMap { item in
            guard let key = item.field("key").string else { return nil }
            return (key, item.field("value").string ?? "")
        }
        request.startSsh = input.field("startSsh").bool ?? false
        request.startJupyter = input.field("startJupyter").bool ?? false
        request.dockerArgs = input.field("dockerArgs").string ?? ""
        if let value = input.field("minVcpuCount").int { request.minVcpuCount = value }
        if let value = input.field("minMemoryInGb").int { request.minMemoryInGb = value }
        request.deployCost = input.field("deployCost").double
        request.countryCode = input.field("countryCode").string
        return request
    }
}
