import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `autopod volume rm NAME`: deletes a network volume and its data; refuses while a pod uses it.
struct VolumeRemove: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", _superCommandName: "autopod volume", abstract: "Delete a network volume and everything on it (asks first).",
        discussion: "Refused while a pod (running or stopped) uses the volume: kill the pod first.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The volume's name or id.")
    var volume: String
    @Flag(name: .shortAndLong, help: "Do not ask.")
    var yes = false

    func run(_ context: CommandContext) throws {
        let found = try VolumeLookup.find(volume, in: try context.provider.networkVolumes())
        let users = VolumeUsers(pods: try context.provider.listPods(), records: (try? context.store.snapshot().state.pods) ?? [])
            .names(of: found.id)
        if !users.isEmpty {
            throw CLIFailure(
                "\(found.name.terminalSafe) is in use by \(users.map(\.terminalSafe).joined(separator: ", ")): "
                    + "kill \(users.count == 1 ? "that pod" : "those pods") first (`autopod kill NAME`); a stopped pod still holds it")
        }
        if !yes {
            guard Prompt.isInteractive else {
                throw CLIFailure("refusing to delete \(found.name.terminalSafe) without confirmation: stdin is not a terminal. Pass --yes.")
            }
            guard Prompt.confirm("Delete \(found.name.terminalSafe) (\(found.sizeGB) GB in \(found.dataCenterId.terminalSafe)) and all its data?", default: false)
            else {
                print("Kept \(found.name.terminalSafe).")
                return
            }
        }
        try context.provider.deleteNetworkVolume(id: found.id)
        if output.json {
            JSONOutput.write(json: .object(["action": "volume rm", "id": .string(found.id), "name": .string(found.name)]))
            return
        }
        print(Style.ok("✓") + " deleted \(found.name.terminalSafe): \(Format.dollars(found.monthlyCost))/month less.")
    }
}

/// A volume named by id or name.
enum VolumeLookup {
    static func find(_ reference: String, in volumes: [NetworkVolume]) throws -> NetworkVolume {
        if let exact = volumes.first(where: { $0.id == reference }) { return exact }
        let named = volumes.filter { $0.name == reference }
        if named.count == 1 { return named[0] }
        if named.count > 1 { throw CLIFailure("several network volumes are called \(reference.terminalSafe); use its id") }
        throw CLIFailure("no network volume is called \(reference.terminalSafe); `autopod volume list` shows them")
    }
}
