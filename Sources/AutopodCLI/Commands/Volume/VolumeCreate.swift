import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `autopod volume create NAME --size GB --region DC`.
struct VolumeCreate: PodCommand {
    static let configuration = CommandConfiguration(commandName: "create", _superCommandName: "autopod volume", abstract: "Create a network volume.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Name of the volume.")
    var name: String
    @Option(parsing: .unconditional, help: ArgumentHelp("Size in GB, 10 to 4096.", valueName: "gb"))
    var size: Int
    @Option(help: ArgumentHelp("Data centre id such as EU-RO-1 (default: the config's).", valueName: "id"))
    var region: String?

    func validate() throws {
        try RangeCheck.require(size, in: 10...4096, flag: "--size", unit: " GB")
        if name.isEmpty || name.contains(where: \.isWhitespace) || TerminalText.hasControls(name) {
            throw ValidationError("the volume's name must be a word without spaces")
        }
    }

    func run(_ context: CommandContext) throws {
        guard let centre = region ?? context.config.dataCenterId else {
            throw CLIFailure("a network volume lives in one data centre: name it with --region (e.g. EU-RO-1)", exitStatus: 2)
        }
        let existing = try context.provider.networkVolumes()
        if existing.contains(where: { $0.name == name }) {
            throw CLIFailure("a network volume called \(name.terminalSafe) exists already; `autopod volume list` shows it")
        }
        let volume = try context.provider.createNetworkVolume(name: name, sizeGB: size, dataCenterId: centre)
        if output.json {
            JSONOutput.write(json: VolumeJSON.json(volume, users: []))
            return
        }
        print(
            Style.ok("✓") + " created \(volume.name.terminalSafe) (\(volume.id.terminalSafe)): \(volume.sizeGB) GB in "
                + "\(volume.dataCenterId.terminalSafe), \(Format.dollars(volume.monthlyCost))/month. "
                + "`autopod connect --volume-id \(TerminalText.shellWord(volume.name))` mounts it as /workspace.")
    }
}
