import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `autopod volume list`: size, data centre, monthly cost and the pods using each volume.
struct VolumeList: PodCommand {
    static let configuration = CommandConfiguration(commandName: "list", _superCommandName: "autopod volume", abstract: "List network volumes, their cost and their pods.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run(_ context: CommandContext) throws {
        let volumes = try context.provider.networkVolumes()
        let pods = try context.provider.listPods()
        let users = VolumeUsers(pods: pods, records: (try? context.store.snapshot().state.pods) ?? [])
        if output.json {
            JSONOutput.write(json: .array(volumes.map { VolumeJSON.json($0, users: users.names(of: $0.id)) }))
            return
        }
        guard !volumes.isEmpty else {
            print("No network volumes. `autopod volume create NAME --size 100 --region EU-RO-1` makes one.")
            return
        }
        var table = Table([.init("NAME"), .init("ID"), .init("SIZE", .right), .init("DATA CENTRE"), .init("$/MONTH", .right), .init("PODS")])
        for volume in volumes {
            let names = users.names(of: volume.id)
            table.add([
                volume.name.terminalSafe, volume.id.terminalSafe, "\(volume.sizeGB) GB", volume.dataCenterId.terminalSafe,
                Format.dollars(volume.monthlyCost), names.isEmpty ? Style.dim("—") : names.map(\.terminalSafe).joined(separator: ", "),
            ])
        }
        print(table.render())
        let total = volumes.reduce(0) { $0 + $1.monthlyCost }
        print(Style.dim("\(volumes.count) volume\(volumes.count == 1 ? "" : "s") · \(Format.dollars(total))/month, billed whether or not a pod uses them"))
    }
}

/// Which pods use which volume: the account's pods (as the API reports their mounts) and the
/// ones autopod recorded (a stopped pod still holds its volume).
struct VolumeUsers {
    let pods: [RemotePod]
    let records: [PodRecord]

    func names(of volumeID: String) -> [String] {
        var names = pods.filter { $0.networkVolumeId == volumeID }.map(\.name)
        for record in records where record.networkVolumeId == volumeID && !record.isTerminated && !names.contains(record.name) {
            if pods.contains(where: { $0.id == record.id }) { names.append(record.name) }
        }
        return names
    }
}

enum VolumeJSON {
    static func json(_ volume: NetworkVolume, users: [String]) -> JSONValue {
        .object([
            "id": .string(volume.id), "name": .string(volume.name), "sizeGB": .number(Double(volume.sizeGB)),
            "dataCenterId": .string(volume.dataCenterId), "monthlyCost": .number(volume.monthlyCost),
            "pods": .array(users.map { .string($0) }),
        ])
    }
}
