import ArgumentParser
import AutopodSupport

/// `autopod volume`: network volumes, storage that outlives every pod in its data centre.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Create, list and remove network volumes (storage that outlives pods).",
        discussion: """
            A network volume lives in one data centre and is billed every month whether or not a \
            pod uses it ($0.07 per GB under 1 TB, $0.05 above). `autopod connect --volume-id NAME` \
            mounts it as /workspace and places the pod in the volume's data centre.
            """,
        subcommands: [VolumeCreate.self, VolumeList.self, VolumeRemove.self]
    )
}
