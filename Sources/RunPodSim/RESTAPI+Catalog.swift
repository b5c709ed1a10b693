import Foundation

/// `/v2/catalog/gpus` and `/v2/catalog/datacenters`: the built-in catalogue with the stock the
/// control API set, as REST v2 reports it.
extension RESTAPI {
    /// The availability part of a GPU catalogue request, checked as RunPod checks it:
    /// `product` is required with include=AVAILABILITY and valid only with it, as are `count`,
    /// `cloud`, `countryCodes`, `cudaVersions` and `minCudaVersion` (400); malformed values 422.
    struct AvailabilityQuery: Sendable {
        var count = 1
        var secure = true
        var countryCodes: [String]?
        var cudaVersions: [String]?
        var minCudaVersion: String?
    }

    private static func availabilityQuery(_ call: Call) throws(RESTProblem) -> AvailabilityQuery? {
        var problems: [String] = []
        let include = call.list("include") ?? []
        for value in include where value != "AVAILABILITY" { problems.append("include: value must be one of 'AVAILABILITY'") }
        if include.count > 1 { problems.append("include: maxItems: got \(include.count), want at most 1") }
        let products = call.list("product")
        for value in products ?? [] where !["POD", "CLUSTER", "SERVERLESS"].contains(value) {
            problems.append("product: value must be one of 'POD', 'CLUSTER', 'SERVERLESS'")
        }
        var query = AvailabilityQuery()
        if let text = call.query("count") {
            if let count = Int(text), count >= 1 { query.count = count } else { problems.append("count: must be an integer >= 1, got '\(text)'") }
        }
        if let text = call.query("cloud") {
            switch text {
            case "SECURE": query.secure = true
            case "COMMUNITY": query.secure = false
            default: problems.append("cloud: value must be one of 'SECURE', 'COMMUNITY'")
            }
        }
        query.countryCodes = call.list("countryCodes")
        for code in query.countryCodes ?? [] where code.range(of: "^[A-Z]{2}$", options: .regularExpression) == nil {
            problems.append("countryCodes: '\(code)' does not match pattern '^[A-Z]{2}$'")
        }
        query.cudaVersions = call.list("cudaVersions")
        for version in query.cudaVersions ?? [] where version.range(of: BodySchema.cudaVersion, options: .regularExpression) == nil {
            problems.append("cudaVersions: '\(version)' does not match pattern '^\\d+\\.\\d+$'")
        }
        query.minCudaVersion = call.query("minCudaVersion")
        if let floor = query.minCudaVersion, floor.range(of: #"^\d+(\.\d+)?$"#, options: .regularExpression) == nil {
            problems.append("minCudaVersion: '\(floor)' does not match pattern '^\\d+(\\.\\d+)?$'")
        }
        guard problems.isEmpty else { throw .invalid(problems) }

        let wantsAvailability = !include.isEmpty
        let scoped = ["count", "cloud", "countryCodes", "cudaVersions", "minCudaVersion"].filter { call.query($0) != nil }
        if wantsAvailability && (products ?? []).isEmpty {
            throw .badRequest("product is required with include=AVAILABILITY (POD, CLUSTER or SERVERLESS)")
        }
        if !wantsAvailability && products != nil { throw .badRequest("product is valid only with include=AVAILABILITY") }
        if !wantsAvailability, let name = scoped.first { throw .badRequest("\(name) is valid only with include=AVAILABILITY") }
        if query.cudaVersions != nil && query.minCudaVersion != nil {
            throw .badRequest("cudaVersions and minCudaVersion are mutually exclusive")
        }
        return wantsAvailability ? query : nil
    }

    func listGpuTypes(_ call: Call) throws(RESTProblem) -> Reply {
        let query = try Self.availabilityQuery(call)
        let gpus = GPUType.catalogue.compactMap { type -> JSONNode? in
            // With countryCodes the list keeps only types deployable in those countries.
            if let query, query.countryCodes != nil, Self.centres(query).isEmpty { return nil }
            return gpuNode(type, query)
        }
        return .json(200, .object(["gpus": .array(gpus)]))
    }

    func getGpuType(_ call: Call) throws(RESTProblem) -> Reply {
        let query = try Self.availabilityQuery(call)
        guard let type = GPUType.find(call.params[0]) else { throw .notFound("GPU type \(call.params[0]) not found") }
        return .json(200, gpuNode(type, query))
    }

    private static func centres(_ query: AvailabilityQuery) -> [DataCenter] {
        DataCenter.all.filter { $0.secure == query.secure && (query.countryCodes?.contains($0.countryCode) ?? true) }
    }

    private func gpuNode(_ type: GPUType, _ query: AvailabilityQuery?) -> JSONNode {
        var members: [(String, JSONNode)] = [
            ("id", .string(type.id)), ("name", .string(type.displayName)), ("pool", .null), ("manufacturer", "NVIDIA"),
            ("memory", .int(type.memoryInGb)), ("secure", true), ("community", true),
            ("price", .object(["secure": .double(type.securePrice), "community": .double(type.communityPrice)])),
            ("maxCount", .object(["secure": .int(type.maxGpuCount), "community": .int(type.maxGpuCount)])),
        ]
        guard let query else { return .object(members) }
        let versions = type.cudaVersions.filter { version in
            (query.cudaVersions?.contains(version) ?? true) && (query.minCudaVersion.map { SimCloud.cudaAtLeast(version, $0) } ?? true)
        }
        let stock = cloud.stockStatus(type.id, secure: query.secure)
        let centres = Self.centres(query)
        let placeable =
            stock != .none && stock.availableCounts(max: type.maxGpuCount).contains(query.count) && !versions.isEmpty
            && !centres.isEmpty
        let level = placeable ? Self.level(stock) : "NONE"
        members.append(("availability", .string(level)))
        if placeable {
            members.append(
                ("dataCenters", .array(centres.map { .object(["id": .string($0.id), "name": .string($0.id), "availability": .string(level)]) })))
        }
        members.append(
            ("cudaVersions", .array(versions.map { .object(["version": .string($0), "available": .bool(placeable)]) })))
        return .object(members)
    }

    static func level(_ stock: StockStatus) -> String { stock.rawValue.uppercased() }

    // MARK: Data centres

    func listDataCenters(_ call: Call) throws(RESTProblem) -> Reply {
        var problems: [String] = []
        let include = call.list("include") ?? []
        for value in include where !["GPU_AVAILABILITY", "CPU_AVAILABILITY"].contains(value) {
            problems.append("include: value must be one of 'GPU_AVAILABILITY', 'CPU_AVAILABILITY'")
        }
        let regions = call.list("regions")
        let regionNames = [
            "NORTH_AMERICA", "SOUTH_AMERICA", "EUROPE", "ASIA", "MIDDLE_EAST", "AFRICA", "OCEANIA", "ANTARCTICA", "UNKNOWN",
        ]
        for value in regions ?? [] where !regionNames.contains(value) { problems.append("regions: '\(value)' is not a DataCenterRegion") }
        let volumeTypes = call.list("networkVolumeTypes")
        for value in volumeTypes ?? [] where !["STANDARD", "HIGH_PERFORMANCE"].contains(value) {
            problems.append("networkVolumeTypes: value must be one of 'STANDARD', 'HIGH_PERFORMANCE'")
        }
        let compliance = call.list("compliance")
        var globalNetwork: Bool?
        if let text = call.query("globalNetwork") {
            if text == "true" || text == "false" { globalNetwork = text == "true" } else { problems.append("globalNetwork: got '\(text)', want boolean") }
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        let centres = DataCenter.all.filter { centre in
            (regions?.contains(centre.region) ?? true)
                && (volumeTypes?.allSatisfy(centre.networkVolumeTypes.contains) ?? true)
                && (compliance?.allSatisfy(centre.compliance.contains) ?? true)
                && (globalNetwork.map { !$0 } ?? true)
        }
        let withGPUs = include.contains("GPU_AVAILABILITY")
        return .json(200, .object(["dataCenters": .array(centres.map { dataCenterNode($0, gpuAvailability: withGPUs) })]))
    }

    func getDataCenter(_ call: Call) throws(RESTProblem) -> Reply {
        let include = call.list("include") ?? []
        for value in include where !["GPU_AVAILABILITY", "CPU_AVAILABILITY"].contains(value) {
            throw .invalid(["include: value must be one of 'GPU_AVAILABILITY', 'CPU_AVAILABILITY'"])
        }
        guard let centre = DataCenter.find(call.params[0]) else { throw .notFound("data center \(call.params[0]) not found") }
        return .json(200, dataCenterNode(centre, gpuAvailability: include.contains("GPU_AVAILABILITY")))
    }

    /// A data centre; CPU availability is never present, as the simulator offers no CPU flavors.
    private func dataCenterNode(_ centre: DataCenter, gpuAvailability: Bool) -> JSONNode {
        var members: [(String, JSONNode)] = [
            ("id", .string(centre.id)), ("name", .string(centre.id)), ("region", .string(centre.region)),
            ("globalNetwork", false), ("networkVolumeTypes", .strings(centre.networkVolumeTypes)),
            ("compliance", .strings(centre.compliance)),
        ]
        if gpuAvailability {
            members.append(
                (
                    "gpuAvailability",
                    .array(
                        GPUType.catalogue.map { type in
                            .object([
                                "id": .string(type.id), "name": .string(type.displayName),
                                "availability": .string(Self.level(cloud.stockStatus(type.id, secure: centre.secure))),
                            ])
                        })
                ))
        }
        return .object(members)
    }
}
