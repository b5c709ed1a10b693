import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials

/// What the shell completes from autopod's own files, never from the API: a Tab must answer at
/// once and work offline. The shell runs `autopod ---completion ...` for these.
enum LocalCompletions {
    /// Names and ids of the pods this machine knows, terminated ones left out.
    static let pods = CompletionKind.custom { _, _, _ in podReferences() }
    /// Short GPU names (A40, A6000, 4090) from the config's preference list and the pods seen.
    static let gpus = CompletionKind.custom { _, _, _ in gpuNames() }

    static func podReferences(environment: Environment = .process) -> [String] {
        let paths = AutopodPaths.fromEnvironment(environment)
        guard let state = try? PodStateStore(paths: paths).load() else { return [] }
        let live = state.pods.filter { !$0.isTerminated }
        return live.map(\.name).filter(SSHConfigEntries.isHostName) + live.map(\.id)
    }

    static func gpuNames(environment: Environment = .process) -> [String] {
        let paths = AutopodPaths.fromEnvironment(environment)
        let configured = (try? ConfigStore(paths: paths).load(environment: environment))?.gpuTypes ?? AutopodConfig.defaultGPUTypes
        let seen = ((try? PodStateStore(paths: paths).load())?.pods ?? []).map(\.gpuTypeId)
        var names: [String] = []
        for id in configured + seen {
            guard let short = shortName(id), !names.contains(short) else { continue }
            names.append(short)
        }
        return names
    }

    /// "NVIDIA GeForce RTX 4090" → "4090": the first word that is not a maker's or series
    /// name, which `--gpu` resolves (and which needs no quoting on a command line).
    static func shortName(_ id: String) -> String? {
        id.split(separator: " ").map(String.init).first { !GPUNameResolver.noiseWords.contains($0.lowercased()) }
    }
}
