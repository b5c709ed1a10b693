import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod gpus`: what can be rented right now, and for how much.
struct GpusCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpus",
        _superCommandName: "autopod",
        abstract: "Show GPU types with VRAM, prices and stock.",
        discussion: """
            Prices are per GPU per hour on RunPod's SECURE (own data centres, public IPs) and \
            COMMUNITY clouds. Stock is for --count GPUs on --cloud, as RunPod reports it: High, \
            Medium, Low or None. Types with no stock are hidden unless --all is given. Stock is \
            a hint, not a promise: `connect` falls back to the next type when a create fails.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("GPUs per pod, for the stock column (default: the config's).", valueName: "n"))
    var count: Int?
    @Option(help: "Cloud for the stock column (default: the config's).")
    var cloud: CloudType?
    @Flag(help: "Include types with no stock.")
    var all = false
    @Flag(help: "Show the spot market: the spot price and the minimum bid per GPU per hour.")
    var spot = false

    func validate() throws {
        try RangeCheck.require(count, in: AutopodConfig.gpuCountRange, flag: "--count")
    }

    func applyOverrides(to config: inout AutopodConfig) {
        if let count { config.gpuCount = count }
        if let cloud { config.cloudType = cloud }
    }

    func run(_ context: CommandContext) throws {
        let gpuCount = context.config.gpuCount
        let cloudType = context.config.cloudType
        let listed =
            try spot
            ? context.provider.spotGPUTypes(gpuCount: gpuCount, cloud: cloudType)
            : context.provider.gpuTypes(gpuCount: gpuCount, cloud: cloudType)
        let types =
            listed
            .filter { all || !$0.isOutOfStock }
            .sorted { ($0.stock ?? .outOfStock, -($0.pricePerGPU(cloud: cloudType) ?? 99)) > ($1.stock ?? .outOfStock, -($1.pricePerGPU(cloud: cloudType) ?? 99)) }
        if output.json {
            struct Row: Encodable {
                let id: String
                let displayName: String
                let memoryInGb: Int
                let securePrice: Double?
                let communityPrice: Double?
                let stockStatus: String?
                let gpuCount: Int
                let cloudType: String
                let spotPrice: Double?
                let minimumBid: Double?
            }
            print(
                try JSONOutput.encode(
                    types.map {
                        Row(
                            id: $0.id, displayName: $0.displayName, memoryInGb: $0.memoryInGb, securePrice: $0.securePrice,
                            communityPrice: $0.communityPrice, stockStatus: $0.stock?.rawValue, gpuCount: gpuCount,
                            cloudType: cloudType.rawValue, spotPrice: $0.spotPrice, minimumBid: $0.minimumBid)
                    }))
            return
        }
        if types.isEmpty {
            print("No GPU type has stock for \(gpuCount) GPU\(gpuCount == 1 ? "" : "s") on \(cloudType.rawValue) cloud. `autopod gpus --all` lists every type.")
            return
        }
        print(Self.table(types, spot: spot).render())
        if spot {
            print(
                Style.dim(
                    "Spot pods cost the bid, and RunPod takes one back when the market rises above it "
                        + "(`autopod connect --spot [--bid DOLLARS]`)."))
        }
        print(Style.dim("Stock for \(gpuCount) GPU\(gpuCount == 1 ? "" : "s") on \(cloudType.rawValue) cloud; prices per GPU per hour."))
    }

    static func table(_ types: [GPUType], numbered: Bool = false, spot: Bool = false) -> Table {
        var columns: [Table.Column] = [
            .init("GPU"), .init("VRAM", .right), .init("SECURE", .right), .init("COMMUNITY", .right), .init("STOCK"),
        ]
        if spot { columns += [.init("SPOT", .right), .init("MIN BID", .right)] }
        if numbered { columns.insert(.init("#", .right), at: 0) }
        var table = Table(columns)
        for (index, type) in types.enumerated() {
            var row = [
                type.displayName, "\(type.memoryInGb) GB", Format.perHour(type.securePrice),
                Format.perHour(type.communityPrice), Style.status(type.stock?.rawValue ?? "?"),
            ]
            if spot { row += [Format.perHour(type.spotPrice), Format.perHour(type.minimumBid)] }
            if numbered { row.insert("\(index + 1)", at: 0) }
            table.add(row)
        }
        return table
    }
}
